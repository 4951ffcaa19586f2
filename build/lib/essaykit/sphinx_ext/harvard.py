"""An author–year (Harvard) reference style for pybtex.

pybtex ships label styles (unsrt, alpha, plain) that put the year at the end;
a book of essays in the social sciences is read with Harvard references:
Author (Year) *Title*. Place: Publisher. Registered as the pybtex style
"essaykit-harvard" and used by sphinxcontrib-bibtex.
"""

from __future__ import annotations

import re
from typing import Any

from pybtex.richtext import Symbol, Text
from pybtex.style.formatting import BaseStyle, toplevel
from pybtex.style.template import (
    field,
    first_of,
    href,
    join,
    names,
    node,
    optional,
    optional_field,
    sentence,
    tag,
    words,
)

SAFE_SCHEMES = ("http://", "https://")


def _dashify(text: Text) -> Text:
    return Text(Symbol("ndash")).join(text.split(re.compile(r"-+")))


@node
def safe_url(children: Any, data: Any) -> Text:
    """The entry's url as a link, but only for http(s): never javascript: or data:."""
    url = data["entry"].fields.get("url", "").strip()
    if not url.lower().startswith(SAFE_SCHEMES):
        return Text()
    return join["Available at: ", href(field("url", raw=True))[field("url", raw=True)]].format_data(
        data
    )


@node
def safe_doi(children: Any, data: Any) -> Text:
    doi = data["entry"].fields.get("doi", "").strip()
    if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        return Text()
    return join[
        "doi:",
        href(join["https://doi.org/", field("doi", raw=True)])[field("doi", raw=True)],
    ].format_data(data)


pages = field("pages", apply_func=_dashify)
year = join["(", field("year"), ")"]


class HarvardStyle(BaseStyle):
    default_name_style = "lastfirst"
    default_sorting_style = "author_year_title"
    default_label_style = "alpha"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("abbreviate_names", True)
        super().__init__(**kwargs)

    # who and when ---------------------------------------------------------
    def creators(self) -> Any:
        return first_of[
            optional[names("author", sep=", ", sep2=" and ", last_sep=" and ")],
            optional[
                words[names("editor", sep=", ", sep2=" and ", last_sep=" and "), "(ed.)"]
            ],
            optional_field("organization"),
            optional_field("institution"),
        ]

    def head(self) -> Any:
        return words[self.creators(), year]

    def web(self) -> Any:
        return sentence(add_period=True)[optional[safe_doi], optional[safe_url]]

    # entry types ----------------------------------------------------------
    def get_article_template(self, e: Any) -> Any:
        volume = optional[
            join[field("volume"), optional["(", field("number"), ")"]]
        ]
        return toplevel[
            join(sep=" ")[
                self.head(),
                join["\u2018", field("title"), "\u2019,"],
            ],
            sentence(sep=", ")[
                tag("em")[field("journal")],
                volume,
                optional[words["pp.", pages]],
            ],
            self.web(),
        ]

    def get_book_template(self, e: Any) -> Any:
        return toplevel[
            sentence[words[self.head(), tag("em")[field("title")]]],
            optional[sentence[words[field("edition"), "edn"]]],
            optional[sentence[words[field("series")]]],
            sentence(sep=": ")[optional_field("address"), field("publisher")],
            self.web(),
        ]

    def get_techreport_template(self, e: Any) -> Any:
        kind = optional[sentence[words[optional_field("type"), optional_field("number")]]]
        return toplevel[
            sentence[words[self.head(), tag("em")[field("title")]]],
            kind,
            sentence(sep=": ")[optional_field("address"), field("institution")],
            self.web(),
        ]

    def get_incollection_template(self, e: Any) -> Any:
        return toplevel[
            words[self.head(), join["\u2018", field("title"), "\u2019,"]],
            sentence[
                words[
                    "in",
                    optional[words[names("editor", sep=", ", sep2=" and ", last_sep=" and "),
                                   "(eds)"]],
                    tag("em")[field("booktitle")],
                ]
            ],
            sentence(sep=": ")[optional_field("address"), optional_field("publisher")],
            optional[sentence[words["pp.", pages]]],
            self.web(),
        ]

    def get_misc_template(self, e: Any) -> Any:
        return toplevel[
            sentence[words[self.head(), tag("em")[field("title")]]],
            optional[sentence[field("howpublished")]],
            self.web(),
        ]

    get_manual_template = get_techreport_template
    get_unpublished_template = get_misc_template
    get_inbook_template = get_incollection_template
    get_inproceedings_template = get_incollection_template
    get_phdthesis_template = get_techreport_template
    get_mastersthesis_template = get_techreport_template
    get_booklet_template = get_misc_template


def register() -> None:
    """Make the style known to pybtex (and so to sphinxcontrib-bibtex) by name."""
    from pybtex.plugin import register_plugin

    register_plugin("pybtex.style.formatting", "essaykit-harvard", HarvardStyle)


def _reference_style() -> type:
    """In-text citations as Harvard has them: (Ostrom, 1996; Cahn, 2000) and Ostrom (1996)."""
    from dataclasses import dataclass, field

    from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    def round_brackets() -> BracketStyle:
        return BracketStyle(left="(", right=")", sep="; ", sep2="; ", last_sep="; ")

    @dataclass
    class HarvardReferenceStyle(AuthorYearReferenceStyle):
        bracket_textual: BracketStyle = field(default_factory=round_brackets)
        bracket_parenthetical: BracketStyle = field(default_factory=round_brackets)
        bracket_author: BracketStyle = field(default_factory=round_brackets)
        bracket_label: BracketStyle = field(default_factory=round_brackets)
        bracket_year: BracketStyle = field(default_factory=round_brackets)
        person: PersonStyle = field(
            default_factory=lambda: PersonStyle(sep=", ", sep2=" and ", last_sep=" and ")
        )

    return HarvardReferenceStyle


def register_reference_style() -> None:
    from sphinxcontrib.bibtex.plugin import register_plugin

    register_plugin("sphinxcontrib.bibtex.style.referencing", "essaykit-harvard",
                    _reference_style())
