"""The Harvard style's letters, order and citation order, on pybtex entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from pybtex.database import Entry, Person

from essaykit.sphinx_ext import harvard

from .conftest import BUILD_BOOKS, book_yml_error, copy_book


def entry(key: str, authors: list[str], year: str, title: str) -> Entry:
    made = Entry("book", fields={"year": year, "title": title, "publisher": "P"})
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
    everything = [BOYLE_A, BOYLE_B, BOYLE_2009, CABINET, TOYNBEE, CAHN]
    with harvard.book_letters(harvard.letters(everything)):
        order = harvard.HarvardSortingStyle().sort([TOYNBEE, CAHN, BOYLE_A, CABINET,
                                                    BOYLE_B, BOYLE_2009])
    assert [e.key for e in order] == ["boyle09", "boyleB", "boyleA", "cab", "cahn", "toyn"]


@pytest.fixture
def registered() -> None:
    harvard.register()


@pytest.mark.usefixtures("registered")
def test_the_book_letters_win_over_a_lists_own_and_do_not_outlive_the_build() -> None:
    style = harvard.HarvardStyle()
    # a list with one of the two Boyle 2010 works: on its own, no letter
    (alone,) = style.format_entries([BOYLE_A])
    assert "(2010)" in alone.text.render_as("text")
    # in the book, which has both: its letter from the book (Coote before Slay: b)
    with harvard.book_letters(harvard.letters([BOYLE_A, BOYLE_B])):
        (in_book,) = harvard.HarvardStyle().format_entries([BOYLE_A])
    assert "(2010b)" in in_book.text.render_as("text") and in_book.label.endswith("2010b")
    # the book's letters are gone after the block: no state outlives a build
    assert harvard.BOOK_LETTERS.get() is None
    (again,) = harvard.HarvardStyle().format_entries([BOYLE_A])
    assert "(2010)" in again.text.render_as("text")


@pytest.mark.usefixtures("registered")
def test_a_list_formatted_on_its_own_gives_letters_within_itself() -> None:
    entries = list(harvard.HarvardStyle().format_entries([BOYLE_A, BOYLE_B, TOYNBEE]))
    texts = {e.key: e.text.render_as("text") for e in entries}
    assert "(2010a)" in texts["boyleB"] and "(2010b)" in texts["boyleA"]
    assert "(2009)" in texts["toyn"]


def test_no_module_global_holds_the_books_letters() -> None:
    import inspect

    source = inspect.getsource(harvard)
    assert "_BOOK_LETTERS" not in source and "remember_entries" not in source


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
