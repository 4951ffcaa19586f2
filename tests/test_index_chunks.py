"""The index cut into chunks (print/indexchunks.py): where a chunk resumes, what it
opens again, and which pages begin cleanly. (Whether its pages are the whole
index's is tests/test_print_pieces.py's, with WeasyPrint.)"""

from __future__ import annotations

import re

from essaykit.print.indexchunks import (
    CONTINUED,
    TEMPORARY_ID,
    chunk,
    clean_cut,
    elements_of,
    numbered_index,
)


def locators(*pages: int) -> str:
    return '<span class="index-locators">' + ", ".join(
        f'<a class="index-locator" href="#t{page}">{page}</a>' for page in pages) + "</span>"


INDEX = f"""<section class="book-index" id="book-index" data-running-title="Index">
  <h1 class="index-title">Index</h1>
  <div class="index-columns">
    <section class="index-letter" aria-label="A">
      <h2 class="index-heading">A</h2>
      <ul class="index-entries">
        <li class="index-entry"><span class="index-term">Apple</span>{locators(1, 2, 3)}</li>
        <li class="index-entry"><span class="index-term">Audit office</span>{locators(4, 5)}
          <ul class="index-subentries">
            <li class="index-entry"><span class="index-term">local</span>{locators(6, 7)}</li>
          </ul>
        </li>
      </ul>
    </section>
    <section class="index-letter" aria-label="B">
      <h2 class="index-heading">B</h2>
      <ul class="index-entries">
        <li class="index-entry"><span class="index-term">Budget</span>{locators(8, 9)}</li>
      </ul>
    </section>
  </div>
</section>
"""


def ids_of(index_html: str, tag: str, text: str) -> str:
    """The id the numbering gave the element `<tag ...>` just before `text`."""
    match = re.search(rf'<{tag}\b[^>]*\sid="([^"]+)"[^>]*>{re.escape(text)}', index_html)
    assert match, text
    return match.group(1)


def test_every_element_is_numbered_once_and_the_section_keeps_its_own_id() -> None:
    index = numbered_index(INDEX)
    assert index is not None
    assert index.elements[0].id == "book-index"
    ids = [element.id for element in index.elements]
    assert len(ids) == len(set(ids))
    assert all(element.id.startswith(TEMPORARY_ID) for element in index.elements[1:])
    # the markup is the same but for the ids
    assert re.sub(rf'\sid="{TEMPORARY_ID}\d+"', "", index.html) == INDEX


def test_markup_that_is_not_the_templates_index_is_not_cut() -> None:
    assert numbered_index('<section class="book-index"><p>Entries</p></section>') is None


def test_the_first_chunk_runs_from_the_start_to_the_end_of_an_entry() -> None:
    index = numbered_index(INDEX)
    assert index is not None
    first = chunk(index, 0, 2)  # two locators: Apple's entry ends the chunk
    assert not first.final
    assert first.html.startswith('<section class="book-index" id="book-index"')
    assert "Apple" in first.html and "Audit office" not in first.html
    assert first.html.endswith("</li></ul></section></div></section>")
    assert chunk(index, 0, 11).final and chunk(index, 0, 11).html == index.html


def test_a_chunk_resuming_at_a_locator_opens_its_entry_again() -> None:
    index = numbered_index(INDEX)
    assert index is not None
    resume = index.number(ids_of(index.html, "a", "5"))  # Audit office's second locator
    part = chunk(index, resume, 100)
    assert part.final
    opening = part.html[:part.html.index(">5</a>")]
    # the section, columns, letter, list, entry and locators, continued, without
    # their own ids; then the locator it follows, hidden, for `+` selectors
    assert [tag for tag in re.findall(r"<(\w+)", opening)] == [
        "section", "div", "section", "ul", "li", "span", "a", "a"]
    assert opening.count(CONTINUED) == 6
    assert 'id="book-index"' not in part.html
    assert "<h1" not in part.html and "<h2" not in opening
    assert re.search(r'<a class="index-locator" href="#t4" hidden></a>', opening)
    assert "Audit office" not in part.html and "local" in part.html and "Budget" in part.html


def test_a_chunk_resuming_at_an_entry_follows_its_hidden_sibling() -> None:
    index = numbered_index(INDEX)
    assert index is not None
    resume = index.number(ids_of(index.html, "span", "Audit office")) - 1  # its <li>
    assert index.elements[resume].tag == "li"
    part = chunk(index, resume, 1)
    assert not part.final
    assert re.search(r'<li class="index-entry" hidden></li><li id="ix-\d+" class="index-entry"',
                     part.html)
    assert "Budget" not in part.html  # the entry holding its first locator, then the end
    for tag in ("section", "div", "ul", "li"):
        assert part.html.count(f"<{tag}") == part.html.count(f"</{tag}>"), tag


def test_a_page_begins_cleanly_at_an_entry_or_after_a_comma_not_inside_a_term() -> None:
    index = numbered_index(INDEX)
    assert index is not None
    elements = elements_of(index.html)
    numbered = [element for element in elements if element.id.startswith(TEMPORARY_ID)]
    audit = next(element for element in numbered
                 if element.tag == "li" and "Audit office" in index.html[element.start:
                                                                       element.start + 200])
    order = [element.id for element in numbered]

    def pages(first_on_page_three: str, on_page_two: str | None = None) -> dict[str, int]:
        """Everything before `first_on_page_three` on page 2 (or 1), the rest on 3."""
        cut_at = order.index(first_on_page_three)
        return {element_id: (2 if number >= order.index(on_page_two or order[0]) else 1)
                if number < cut_at else 3 for number, element_id in enumerate(order)}

    # page 3 of 4 begins with an entry: keep two pages, resume there
    assert clean_cut(elements, pages(audit.id), 4) == (2, audit.id)
    # ... with the second of an entry's locators (the line broke after a comma)
    second = [element for element in numbered if "index-locator" in element.classes][1]
    assert clean_cut(elements, pages(second.id), 4) == (2, second.id)
    # ... with an entry's locators: its term ran on from page 2, no clean cut
    audit_locators = next(element for element in numbered
                          if element.parent is audit and "index-locators" in element.classes)
    assert clean_cut(elements, pages(audit_locators.id), 4) is None
    # a chunk of two pages has no full page to keep but its first
    assert clean_cut(elements, pages(audit.id), 2) is None
