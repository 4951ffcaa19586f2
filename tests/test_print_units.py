"""The print edition's pieces on small inputs: names kept whole, the index's
names and locators (the whole book is built in test_print_edition.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from pybtex.database import Entry, Person
from pypdf import PdfReader

from essaykit.print import pdf, transforms
from essaykit.print.bookindex import merge_locators, print_target
from essaykit.print.pdf import keep_notes_with_calls
from essaykit.sphinx_ext.bookindex import index_names


def kept_whole(text: str, names: list[str] | None = None) -> list[str]:
    doctree = publish_doctree(text)
    transforms.keep_words_whole(doctree, transforms.known_names(names or []))
    return [node.astext() for node in doctree.findall(nodes.inline)
            if transforms.NAME_CLASS in node["classes"]]


def test_a_sentence_initial_ordinary_word_may_hyphenate() -> None:
    assert kept_whole("Nevertheless the council agreed. Consequently it paid.") == []
    assert kept_whole("\u201cPerhaps\u201d, said nobody.") == []


def test_a_name_is_kept_whole_wherever_it_is() -> None:
    text = "Greenhalgh argued it. Later, Greenhalgh and the Cabinet Office in Knowsley\u2019s case."
    # mid-sentence, a run of capitals, a possessive: names without being told
    assert kept_whole(text) == ["Greenhalgh", "Cabinet Office", "Knowsley\u2019s"]
    # at a sentence's start, a name the book knows (a cited author) is kept whole too
    assert kept_whole(text, ["Trisha Greenhalgh"]) == [
        "Greenhalgh", "Greenhalgh", "Cabinet Office", "Knowsley\u2019s"]
    assert kept_whole("Knowsley\u2019s schools closed.", ["Knowsley"]) == ["Knowsley\u2019s"]


def test_sentence_starts_are_read_across_inline_markup() -> None:
    # "Nevertheless" after emphasis that ends a sentence; "Ostrom" inside emphasis mid-sentence
    assert kept_whole("It *closed.* Nevertheless it paid, as *Ostrom* said.") == ["Ostrom"]


def entry(persons: dict[str, list[str]], **fields: str) -> Entry:
    made = Entry("book", fields=fields)
    for role, people in persons.items():
        made.persons[role] = [Person(name) for name in people]
    return made


def test_the_index_lists_a_work_under_its_authors_editors_or_organisation() -> None:
    assert index_names(entry({"author": ["Ostrom, Elinor", "van der Berg, Jan"]})) == [
        "Ostrom, Elinor", "van der Berg, Jan"]
    assert index_names(entry({"editor": ["Cahn, Edgar S."]})) == ["Cahn, Edgar S."]
    assert index_names(entry({"author": ["{Cabinet Office}"]})) == ["Cabinet Office"]
    assert index_names(entry({}, organization="NESTA")) == ["NESTA"]
    assert index_names(entry({"author": ["Fern{\\'a}ndez, Jos{\\'e}-Luis"]})) == [
        "Fern\u00e1ndez, Jos\u00e9-Luis"]
    assert index_names(entry({"author": ["O'Hara, Mary"]})) == ["O\u2019Hara, Mary"]


def test_locators_point_into_the_print_edition_only() -> None:
    included = {"essays/one", "book/glossary"}
    assert print_target("#document-essays/one#index-3", included) == "p-essays-one--index-3"
    assert print_target("#document-book/glossary#term-Co-production", included) == \
        "p-book-glossary--term-Co-production"
    assert print_target("#document-essays/taster#index-1", included) is None


def locators(*targets: str) -> str:
    return ('<span class="index-locators">' + "".join(
        f'<a class="index-locator" href="#{target}"></a>' for target in targets) + "</span>")


def test_locators_are_put_in_page_order_and_a_page_printed_once() -> None:
    html = locators("c", "a", "b", "d") + " and " + locators("e")
    pages = {"a": 5, "b": 5, "c": 9, "d": 12, "e": 3}
    assert merge_locators(html, pages) == locators("a", "c", "d") + " and " + locators("e")
    # a target WeasyPrint did not place stays, last
    assert merge_locators(locators("x", "a"), {"a": 2}) == locators("a", "x")


def test_the_text_before_an_inline_element_is_apart_from_its_space() -> None:
    paragraph = nodes.paragraph()
    paragraph += nodes.Text("The better answer is")
    paragraph += nodes.Text("\n")
    paragraph += nodes.Text("longer-term funding,")
    paragraph += nodes.Text("\n")  # equal to the first "\n": found by identity
    paragraph += nodes.reference("", "core grants", refuri="#x")
    paragraph += nodes.Text(" not tied")
    transforms.separate_spaces_before_inline(paragraph)
    assert [(type(c).__name__, c.astext()) for c in paragraph.children] == [
        ("Text", "The better answer is"), ("Text", "\n"),
        ("inline", "longer-term funding,"), ("Text", "\n"),
        ("reference", "core grants"), ("Text", " not tied")]
    # code is set as it is
    literal = nodes.literal("", "")
    literal += nodes.Text("x = ")
    literal += nodes.emphasis("", "y")
    paragraph = nodes.paragraph("", "", literal)
    transforms.separate_spaces_before_inline(paragraph)
    assert isinstance(literal[0], nodes.Text)


def test_an_empty_inline_target_gives_its_id_to_what_follows() -> None:
    paragraph = nodes.paragraph()
    paragraph += nodes.Text("As ")
    paragraph += nodes.target("", "", ids=["index-1"])
    paragraph += nodes.inline("", "Ostrom (1996)", ids=["id7"])
    paragraph += nodes.Text(" and ")
    paragraph += nodes.target("", "", ids=["index-2"])
    paragraph += nodes.Text("commissioning")
    transforms.attach_inline_targets(paragraph)
    assert not list(paragraph.findall(nodes.target))
    # the citation keeps its own id; its text carries the target's
    assert paragraph[1]["ids"] == ["id7"] and paragraph[1][0]["ids"] == ["index-1"]
    assert paragraph[1].astext() == "Ostrom (1996)"
    assert paragraph[3]["ids"] == ["index-2"] and paragraph[3].astext() == "commissioning"
    plain = nodes.paragraph("", "", nodes.target("", "", ids=["index-3"]),
                            nodes.emphasis("", "Zinnias"))
    transforms.attach_inline_targets(plain)
    assert plain[0]["ids"] == ["index-3"] and isinstance(plain[0], nodes.emphasis)


NOTE_HTML = ('<p id="para-1">Text<span class="print-call" id="p-a--call-id1"></span>'
             '<span class="print-footnote" id="p-a--id1">Note</span></p>\n'
             '<p id="para-2">More.</p>\n<section id="s"><h2>Two systems</h2>\n'
             '<p id="para-3">Last.</p>')


def test_a_note_sent_on_brings_back_the_paragraph_that_took_its_room() -> None:
    # the note is on page 5, its call on 4: the last paragraph begun on 4 goes to 5
    pages = {"p-a--call-id1": 4, "p-a--id1": 5, "para-1": 4, "para-2": 4, "para-3": 5}
    assert '<p style="break-before: page" id="para-2">' in keep_notes_with_calls(
        NOTE_HTML, pages)
    # with the heading that introduces it
    pages["para-3"] = 4
    revised = keep_notes_with_calls(NOTE_HTML, pages)
    assert '<h2 style="break-before: page">Two systems</h2>' in revised
    assert "break-before" not in revised.replace('<h2 style="break-before: page">', "")
    # a note on its call's page: nothing changes
    pages["p-a--id1"] = 4
    assert keep_notes_with_calls(NOTE_HTML, pages) == NOTE_HTML


def test_notes_sent_on_in_several_essays_are_all_repaired_at_once() -> None:
    # one essay per article, ids namespaced by essay as the print builder writes them
    essays = "".join(f'<article id="p-{name}">{NOTE_HTML.replace("p-a--", f"p-{name}--")}'
                     .replace('id="para-', f'id="{name}-para-') + "</article>\n"
                     for name in ("a", "b"))
    pages = {}
    for name, call in (("a", 4), ("b", 9)):
        pages |= {f"p-{name}--call-id1": call, f"p-{name}--id1": call + 1,
                  f"{name}-para-1": call, f"{name}-para-2": call, f"{name}-para-3": call + 1}
    revised = keep_notes_with_calls(essays, pages)
    assert revised.count('style="break-before: page"') == 2
    assert '<p style="break-before: page" id="b-para-2">' in revised
    assert pdf.notes_off_their_page(essays, pages) == [(4, 5, "Note"), (9, 10, "Note")]
    # two notes sent on in one essay: the first is repaired; the second waits for the
    # next layout, as the first repair moves its pages
    one_essay = essays.replace("</article>\n<article", "<div", 1)
    assert keep_notes_with_calls(one_essay, pages).count('style="break-before: page"') == 1


SMALL_BOOK = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Small</title>
<style>
@page { @bottom-center { content: counter(page); } }
.index-locator::after { content: target-counter(attr(href url), page); }
.index-locator + .index-locator::before { content: ", "; }
</style></head>
<body>
<p id="first">The first page.</p>
<p id="second" style="break-before: page">The second page.</p>
<section class="book-index" id="book-index" style="break-before: right">
<h1>Index</h1>
<p>Pages <span class="index-locators">LOCATORS</span></p>
</section>
</body></html>
""".replace("LOCATORS", "".join(f'<a class="index-locator" href="#{target}"></a>'
                                for target in ("second", "first", "first")))


def test_the_pdf_is_written_when_every_note_repair_pass_changes_the_book(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index is set from the last layout, even when the note repair used all its
    passes; its locators merged, in page order, its first folio the book's."""
    source = tmp_path / "book.html"
    source.write_text(SMALL_BOOK, encoding="utf-8")
    passes: list[str] = []

    def always_changed(html: str, page_of: dict[str, int]) -> str:
        passes.append(html)
        return html + "<!-- again -->"

    monkeypatch.setattr(pdf, "keep_notes_with_calls", always_changed)
    typeset = pdf.write_pdf(source, tmp_path / "book.pdf")
    assert len(passes) == pdf.MAX_PASSES
    assert typeset.warnings == []  # the small book has no notes
    assert typeset.pages == 3  # the index starts on a right-hand page: 1, 2, 3
    text = PdfReader(tmp_path / "book.pdf").pages[2].extract_text()
    assert "Pages 1, 2" in text and "3" in text.replace("Pages 1, 2", "")
