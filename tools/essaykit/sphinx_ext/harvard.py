"""An author–year (Harvard) reference style for pybtex.

pybtex ships label styles (unsrt, alpha, plain) that put the year at the end;
a book of essays in the social sciences is read with Harvard references:
Author (Year) *Title*. Place: Publisher. Registered as the pybtex style
"essaykit-harvard" and used by sphinxcontrib-bibtex.

Works that would be cited alike ("Boyle et al., 2010" twice) are told apart
by a letter after the year (2010a, 2010b), in the text and in every list: the
letters are given once for the whole book, from its .bib files, in the order
of the works' full author lists and titles, so a work has the same letter in
its essay's list and in the collected bibliography. Lists are sorted by the
name that begins each entry (an organisation's name among people's), then
year, then letter. A citation of several works keeps the writer's order, or
the order `citation_order:` in book.yml chooses.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pybtex.richtext import BaseMultipartText, String, Symbol, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle, toplevel
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
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

from essaykit.core.text import curly

SAFE_SCHEMES = ("http://", "https://")


def curl(text: Any) -> Any:
    """Typographer's quotes in formatted rich text, as in the book's body: a .bib
    title's "don't" or an author's "O'Hara" (links keep their address)."""
    if isinstance(text, String):
        text.value = curly(text.value)
    elif isinstance(text, BaseMultipartText):
        for part in text.parts:
            curl(part)
    return text


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


# who and when, as a reader tells works apart --------------------------------
# The book's letters are computed once per build from its .bib files and kept
# in the essaykit domain (`BookState.letters`); the code that formats the
# book's lists (fastbib) and resolves its citations (citeorder) hands them to
# the style for the time of that call (`with book_letters(...)`). A list
# formatted outside a book build (a plain pybtex run) gives letters within itself.
BOOK_LETTERS: ContextVar[Mapping[str, str] | None] = ContextVar("essaykit_book_letters",
                                                                default=None)
# while one citation is resolved: its keys as written, and the book's order
WRITTEN_KEYS: ContextVar[tuple[str, ...]] = ContextVar("essaykit_written_keys", default=())
CITATION_ORDER: ContextVar[str] = ContextVar("essaykit_citation_order", default="as-written")


@contextmanager
def book_letters(table: Mapping[str, str]) -> Iterator[None]:
    """The book's letters for the styles while the block runs."""
    token = BOOK_LETTERS.set(table)
    try:
        yield
    finally:
        BOOK_LETTERS.reset(token)


def plain(name: str) -> str:
    """A name as it sorts: no BibTeX braces, accents or apostrophes (O'Hara as Ohara)."""
    text = unicodedata.normalize("NFKD", re.sub(r"[{}'\u2019]", "", name))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).strip().lower()


def _creators(entry: Any) -> list[str]:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(p.prelast_names + p.last_names) for p in persons]
    if not names:
        names = [entry.fields.get("organization") or entry.fields.get("institution")
                 or entry.fields.get("title", "")]
    return [plain(name) for name in names]


def cited_as(entry: Any) -> tuple[str, ...]:
    """The names an in-text citation shows: one, two, or the first "et al."."""
    names = _creators(entry)
    return (names[0], "et al.") if len(names) > 2 else tuple(names)


def letters(entries: Iterable[Any]) -> dict[str, str]:
    """a, b, c for works cited alike (same names, same year), by full names then title."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for entry in entries:
        groups[(cited_as(entry), entry.fields.get("year", ""))].append(entry)
    result: dict[str, str] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda e: (_creators(e), plain(e.fields.get("title", "")), e.key))
        for index, entry in enumerate(group):
            result[entry.key] = chr(ord("a") + index) if index < 26 else f"{index + 1}"
    return result


def letter_of(entry: Any, own: Mapping[str, str] | None = None) -> str:
    """The entry's letter: the book's while it is being built, else `own` (a list's)."""
    table = BOOK_LETTERS.get()
    if table is None:
        table = own or {}
    return table.get(entry.key, "")


@node
def year_letter(children: Any, data: Any) -> Text:
    """The year and its letter: 2010a; "n.d." without a year."""
    entry = data["entry"]
    year_text = entry.fields.get("year", "").strip()
    own = getattr(data.get("style"), "own_letters", None)
    return Text(f"{year_text}{letter_of(entry, own)}" if year_text else "n.d.")


def sorting_key(entry: Any, own: Mapping[str, str] | None = None) -> tuple[Any, ...]:
    """The first name of the entry, year, letter; then the other names and the title."""
    creators = _creators(entry)
    return (creators[0], entry.fields.get("year", ""), letter_of(entry, own),
            creators[1:], plain(entry.fields.get("title", "")))


class HarvardSortingStyle(BaseSortingStyle):
    """By the name that begins the entry, organisations among people; then year, letter.

    Outside a book build the letters are those within the list sorted last
    (`own_letters`), which the label style and the entries then use.
    """

    own_letters: Mapping[str, str] | None = None

    def sorting_key(self, entry: Any) -> tuple[Any, ...]:
        return sorting_key(entry, self.own_letters)

    def sort(self, entries: Iterable[Any]) -> list[Any]:
        entries = list(entries)
        self.own_letters = letters(entries) if BOOK_LETTERS.get() is None else None
        return sorted(entries, key=self.sorting_key)


class HarvardLabelStyle(BaseLabelStyle):
    """Labels as the reader sees the citation, "Boyle et al. 2010a": unique in the book
    exactly when the citations can be told apart (sphinxcontrib-bibtex warns otherwise)."""

    own_letters: Mapping[str, str] | None = None

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
        for entry in sorted_entries:
            names = cited_as(entry)
            who = " and ".join(n if n == "et al." else n.title() for n in names)
            year_text = entry.fields.get("year", "n.d.")
            yield curly(f"{who} {year_text}{letter_of(entry, self.own_letters)}")


pages = field("pages", apply_func=_dashify)
year = join["(", year_letter, ")"]


class HarvardStyle(BaseStyle):
    default_name_style = "lastfirst"
    default_sorting_style = "essaykit-harvard"
    default_label_style = "essaykit-harvard"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("abbreviate_names", True)
        super().__init__(**kwargs)
        self.sort = self._sort

    @property
    def own_letters(self) -> Mapping[str, str] | None:
        """Letters within the list this style sorted, outside a book build."""
        return getattr(self.sorting_style, "own_letters", None)

    def _sort(self, entries: Iterable[Any]) -> list[Any]:
        result: list[Any] = self.sorting_style.sort(entries)
        if isinstance(self.label_style, HarvardLabelStyle):
            self.label_style.own_letters = self.own_letters
        return result

    def format_entry(self, label: str, entry: Any, bib_data: Any = None) -> FormattedEntry:
        formatted = super().format_entry(label, entry, bib_data)
        curl(formatted.text)
        return formatted

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

    register_plugin("pybtex.style.sorting", "essaykit-harvard", HarvardSortingStyle)
    register_plugin("pybtex.style.labels", "essaykit-harvard", HarvardLabelStyle)
    register_plugin("pybtex.style.formatting", "essaykit-harvard", HarvardStyle)


def ordered(children: list[Any], order: str, written: tuple[str, ...]) -> list[Any]:
    """A citation's works in the book's order; `children` carry their entry (`keyed`)."""
    if len(children) < 2 or not all(hasattr(c, "essaykit_entry") for c in children):
        return children
    if order == "year":
        return sorted(children, key=lambda c: (c.essaykit_entry.fields.get("year", ""),
                                               letter_of(c.essaykit_entry),
                                               sorting_key(c.essaykit_entry)))
    if order == "name":
        return sorted(children, key=lambda c: sorting_key(c.essaykit_entry))
    place = {key: index for index, key in enumerate(written)}
    return sorted(children, key=lambda c: place.get(c.essaykit_key, len(place)))


def _reference_style() -> type:
    """In-text citations as Harvard has them: (Ostrom, 1996; Cahn, 2000) and Ostrom (1996)."""
    from dataclasses import dataclass, field

    from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
    from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
        BasicAuthorYearParentheticalReferenceStyle,
        BasicAuthorYearTextualReferenceStyle,
    )
    from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
    from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference

    def round_brackets() -> BracketStyle:
        return BracketStyle(left="(", right=")", sep="; ", sep2="; ", last_sep="; ")

    @node
    def keyed(children: Any, data: Any) -> Text:
        """The inner template's text, carrying its entry for `ordered`."""
        (template,) = children
        text = curl(template.format_data(data))
        text.essaykit_entry = data["entry"]
        text.essaykit_key = data["entry"].key
        return text

    @dataclass
    class Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
        def inner(self, role_name: str) -> Any:
            return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                pre_text,
                reference[join(sep=self.author_year_sep)[
                    self.person.author_or_editor_or_title(full="s" in role_name),
                    year_letter,
                ]],
                post_text,
            ]

    @dataclass
    class Textual(BasicAuthorYearTextualReferenceStyle):
        def inner(self, role_name: str) -> Any:
            return join(sep=self.text_reference_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name),
                join[
                    self.bracket.left,
                    join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                        pre_text, reference[year_letter], post_text,
                    ],
                    self.bracket.right,
                ],
            ]

    @dataclass
    class YearOnly(ExtraYearReferenceStyle):
        def inner(self, role_name: str) -> Any:
            return reference[year_letter]

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

        def __post_init__(self) -> None:
            super().__post_init__()
            # the year with its letter wherever a year is printed
            replacements = {
                BasicAuthorYearParentheticalReferenceStyle: Parenthetical(
                    bracket=self.bracket_parenthetical, person=self.person,
                    author_year_sep=self.author_year_sep, pre_text_sep=self.pre_text_sep,
                    post_text_sep=self.post_text_sep),
                BasicAuthorYearTextualReferenceStyle: Textual(
                    bracket=self.bracket_textual, person=self.person,
                    text_reference_sep=self.text_reference_sep,
                    pre_text_sep=self.pre_text_sep, post_text_sep=self.post_text_sep),
                ExtraYearReferenceStyle: YearOnly(bracket=self.bracket_year),
            }
            self.styles = [replacements.get(type(style), style) for style in self.styles]
            self.role_style.clear()
            self.role_style.update((role_name, style) for style in self.styles
                                   for role_name in style.role_names())

        def inner(self, role_name: str) -> Any:
            return keyed[super().inner(role_name)]

        def outer(self, role_name: str, children: list[Any]) -> Any:
            return super().outer(role_name,
                                 ordered(children, CITATION_ORDER.get(), WRITTEN_KEYS.get()))

    return HarvardReferenceStyle


def register_reference_style() -> None:
    from sphinxcontrib.bibtex.plugin import register_plugin

    register_plugin("sphinxcontrib.bibtex.style.referencing", "essaykit-harvard",
                    _reference_style())
