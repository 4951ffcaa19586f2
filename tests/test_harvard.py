"""The Harvard style's letters, order and citation order, on pybtex entries."""

from __future__ import annotations

from pathlib import Path

from pybtex.database import Entry, Person

from essaykit.sphinx_ext import harvard

from .conftest import BUILD_BOOKS, book_yml_error, copy_book


def entry(key: str, authors: list[str], year: str, title: str) -> Entry:
    made = Entry("book", fields={"year": year, "title": title})
    made.key = key
    made.persons["author"] = [Person(name) for name in authors]
    return made


BOYLE_A = entry("boyleA", ["Boyle, David", "Slay, Julia", "Stephens, Lucie"], "2010", "Public")
BOYLE_B = entry("boyleB", ["Boyle, David", "Coote, Anna", "Sherwood, C"], "2010", "Right")
BOYLE_2009 = entry("boyle09", ["Boyle, David", "Harris, M"], "2009", "Challenge")
CABINET = entry("cab", ["{Cabinet Office}"], "2009", "Byrne")
TOYNBEE = entry("toyn", ["Toynbee, Polly"], "2009", "Thank goodness")
CAHN = entry("cahn", ["Cahn, Edgar"], "2000", "No More")


def test_works_cited_alike_get_letters_by_full_names() -> None:
    letters = harvard.letters([BOYLE_A, BOYLE_B, BOYLE_2009, CABINET])
    # "Boyle et al." both; Coote before Slay
    assert letters == {"boyleB": "a", "boyleA": "b"}


def test_lists_sort_by_first_name_with_organisations_among_people() -> None:
    harvard.remember_entries([BOYLE_A, BOYLE_B, BOYLE_2009, CABINET, TOYNBEE, CAHN])
    try:
        order = harvard.HarvardSortingStyle().sort([TOYNBEE, CAHN, BOYLE_A, CABINET,
                                                    BOYLE_B, BOYLE_2009])
        assert [e.key for e in order] == ["boyle09", "boyleB", "boyleA", "cab", "cahn", "toyn"]
    finally:
        harvard.remember_entries([])


class Cited:
    def __init__(self, item: Entry):
        self.essaykit_entry, self.essaykit_key = item, item.key


def test_a_citation_keeps_the_written_order_or_the_books() -> None:
    children = [Cited(TOYNBEE), Cited(CAHN), Cited(BOYLE_2009)]
    written = ("boyle09", "toyn", "cahn")
    keys = lambda order: [c.essaykit_key for c in harvard.ordered(children, order, written)]  # noqa: E731
    assert keys("as-written") == ["boyle09", "toyn", "cahn"]
    assert keys("year") == ["cahn", "boyle09", "toyn"]
    assert keys("name") == ["boyle09", "cahn", "toyn"]


def test_an_unknown_citation_order_is_a_book_error(tmp_path: Path) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    problem, line = book_yml_error(root, "citation_order: random")
    assert problem.code == "BOOK001" and problem.line == line
    assert "as-written, year or name" in problem.message
