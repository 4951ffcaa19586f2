"""The web book as a reader meets it: in a real browser (headless Chromium).

The book is built once (the real book, or the build output named by
ESSAYKIT_TEST_OUTDIR, as `make screenshots` does), served on localhost and
opened with Playwright. With ESSAYKIT_SCREENSHOTS set to a folder, the tests
leave their screenshots there.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from essaykit.build import BuildResult
from essaykit.core.book import Book, load_book

from .browser import CHROMIUM_ARGS, find_chromium, serve
from .helpers import visible_text

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
CHROMIUM = find_chromium()
pytestmark = [pytest.mark.slow, pytest.mark.browser]
NO_CHROMIUM = ("no Chromium on this machine: install Debian's chromium package "
               "(`make browser-deps` does, as root) or set ESSAYKIT_CHROMIUM to a Chromium binary")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """(the book's root, its build output folder)."""
    named = os.environ.get("ESSAYKIT_TEST_OUTDIR")
    if named:
        outdir = Path(named).resolve()
        return outdir.parent, outdir
    root, _result = request.getfixturevalue("real_book_build")
    build: BuildResult = _result
    return root, build.outdir


@pytest.fixture(scope="module")
def book(site: tuple[Path, Path]) -> Book:
    return load_book(site[0])


@pytest.fixture(scope="module")
def base_url(site: tuple[Path, Path]) -> Iterator[str]:
    with serve(site[1]) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        # CI sets ESSAYKIT_REQUIRE_BROWSER: there a missing browser is a failure, not a skip
        if os.environ.get("ESSAYKIT_REQUIRE_BROWSER"):
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Page:
    """A browser tab that records what went wrong while it was open."""

    def __init__(self, browser: Any, viewport: dict[str, int], color_scheme: str = "light"):
        self.context = browser.new_context(viewport=viewport, color_scheme=color_scheme)
        self.tab = self.context.new_page()
        self.errors: list[str] = []
        self.tab.on("console", lambda message: message.type == "error" and self.errors.append(
            f"console: {message.text} at {message.location.get('url')} on {self.tab.url}"))
        self.tab.on("pageerror", lambda error: self.errors.append(
            f"script: {error} on {self.tab.url}\n{error.stack}"))
        # an aborted request is one the page no longer wanted (it navigated on)
        self.tab.on("requestfailed", lambda request: "ERR_ABORTED" not in str(request.failure)
                    and self.errors.append(f"request failed: {request.url} ({request.failure})"))
        self.tab.on("response", lambda response: response.status >= 400 and self.errors.append(
            f"HTTP {response.status}: {response.url}"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def laptop(browser: Any) -> Iterator[Page]:
    page = Page(browser, LAPTOP)
    yield page
    page.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Page]:
    page = Page(browser, PHONE)
    yield page
    page.close()


def html_path(page: str) -> str:
    return "html/" + re.sub(r"\.md$", ".html", page)


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path | None:
    folder = os.environ.get("ESSAYKIT_SCREENSHOTS")
    if not folder:
        return None
    target = Path(folder) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.tab.screenshot(path=str(target), full_page=full_page)
    return target


def test_the_front_page_loads_without_errors(laptop: Page, base_url: str, book: Book) -> None:
    laptop.tab.goto(f"{base_url}/html/index.html", wait_until="networkidle")
    assert laptop.tab.locator("h1").first.inner_text().strip() == book.title
    assert laptop.errors == []
    screenshot(laptop, "front-page")


def test_the_contents_lead_to_every_essay(laptop: Page, base_url: str, book: Book) -> None:
    front_page = f"{base_url}/html/book/index.html"
    laptop.tab.goto(front_page)
    contents = laptop.tab.locator("article .essaykit-contents a.reference.internal")
    hrefs = [contents.nth(i).get_attribute("href") for i in range(contents.count())]
    for essay in book.essays:
        meta = book.essay_meta(essay)
        assert meta is not None
        link = laptop.tab.locator("article .essaykit-contents a.reference.internal",
                                  has_text=meta.title).first
        link.wait_for(state="attached", timeout=5_000)
        assert link.count() == 1, f"{essay} is not in the contents ({hrefs})"
        link.click()
        laptop.tab.wait_for_load_state()
        assert laptop.tab.url.endswith(html_path(essay))
        assert laptop.tab.locator("h1").first.inner_text().strip() == meta.title
        laptop.tab.goto(front_page)
    assert laptop.errors == []


def test_a_glossary_term_shows_its_definition_and_links_to_it(
    laptop: Page, base_url: str, book: Book,
) -> None:
    essay = book.essays[-1]
    laptop.tab.goto(f"{base_url}/{html_path(essay)}")
    term = laptop.tab.locator("article a.essaykit-term").first
    definition = term.get_attribute("title") or ""
    word = term.inner_text().strip()
    assert len(definition.split()) >= 5, f"the link to {word!r} has no definition"
    # keyboard users see the definition too: the stylesheet shows it on focus
    term.focus()
    shown = term.evaluate("link => getComputedStyle(link, '::after').content")
    assert definition[:40] in shown
    term.click()
    laptop.tab.wait_for_load_state()
    anchor = laptop.tab.url.split("#", 1)[1]
    assert laptop.tab.url.split("#")[0].endswith("glossary.html")
    entry = laptop.tab.locator(f"dt[id='{anchor}']")
    assert entry.is_visible()
    assert entry.inner_text().strip().lower().startswith(word.lower()[:4])
    assert entry.evaluate("dt => dt.getBoundingClientRect().top") < LAPTOP["height"]


def words_of(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z]{9,}", text.lower()))


def test_search_finds_an_essay_by_a_word_only_it_contains(
    laptop: Page, base_url: str, book: Book, site: tuple[Path, Path],
) -> None:
    outdir = site[1]
    pages = {path: words_of(visible_text(path.read_text(encoding="utf-8")))
             for path in (outdir / "html").rglob("*.html")}
    essay = book.essays[1]
    mine = pages[outdir / html_path(essay)]
    elsewhere: Counter[str] = Counter()
    for path, words in pages.items():
        if path != outdir / html_path(essay):
            elsewhere.update(words)
    # a word of this essay alone, and (as the search stems words) no other page
    # has a word sharing its first seven letters
    stems = {word[:7] for word in elsewhere}
    unique = sorted(word for word in mine if word[:7] not in stems)
    assert unique, f"{essay} has no word of its own to search for"
    word = unique[0]
    laptop.tab.goto(f"{base_url}/html/search.html?q={word}")
    results = laptop.tab.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    found = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert [href.split("?")[0].split("#")[0] for href in found] == [
        re.sub(r"\.md$", ".html", essay)], f"searching for {word!r} found {found}"
    # and a word in no page finds nothing
    laptop.tab.goto(f"{base_url}/html/search.html?q=qqzxvnonword")
    laptop.tab.locator("#search-results p.search-summary").wait_for(timeout=15_000)
    assert results.count() == 0
    assert laptop.errors == []


def test_a_citation_lands_on_its_reference(laptop: Page, base_url: str, book: Book) -> None:
    essay = book.essays[2]
    laptop.tab.goto(f"{base_url}/{html_path(essay)}")
    citation = laptop.tab.locator("article p a.reference.internal[href^='#id']").first
    full_reference = citation.get_attribute("title") or ""
    author = citation.inner_text().strip()
    citation.click()
    anchor = laptop.tab.url.split("#", 1)[1]
    entry = laptop.tab.locator(f"[id='{anchor}']")
    assert entry.is_visible()
    assert entry.evaluate("node => !!node.closest('.essaykit-references')")
    text = entry.inner_text()
    assert author.split()[0] in text
    assert full_reference.split(".")[0] in text
    assert entry.evaluate("node => node.getBoundingClientRect().top") < LAPTOP["height"]


def test_an_essay_reads_well_at_a_phones_width(phone: Page, base_url: str, book: Book) -> None:
    essay = book.essays[1]
    phone.tab.goto(f"{base_url}/{html_path(essay)}", wait_until="networkidle")
    overflow = phone.tab.evaluate(
        "() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    body = phone.tab.locator("article p").nth(3)
    box = body.bounding_box()
    assert box is not None and box["width"] >= PHONE["width"] * 0.8, \
        "the text does not use the phone's width"
    size = float(body.evaluate("p => parseFloat(getComputedStyle(p).fontSize)"))
    assert size >= 15, f"body text is {size}px on a phone"
    # the sidebar is folded away, not squeezed beside the text
    sidebar = phone.tab.locator("#pst-primary-sidebar")
    assert not sidebar.is_visible() or sidebar.bounding_box()["x"] < 0  # type: ignore[index]
    assert phone.errors == []
    screenshot(phone, "essay-phone")
    screenshot(phone, "essay-phone-full", full_page=True)


def test_every_page_sets_its_language_and_every_image_has_alt_text(
    laptop: Page, base_url: str, book: Book,
) -> None:
    for page in book.pages:
        laptop.tab.goto(f"{base_url}/{html_path(page)}")
        assert laptop.tab.evaluate("() => document.documentElement.lang") == book.language
        missing = laptop.tab.evaluate(
            "() => [...document.images].filter(i => !i.hasAttribute('alt')"
            " || (i.alt.trim() === '' && i.getAttribute('role') !== 'presentation'))"
            ".map(i => i.src)")
        assert missing == [], f"{page}: images without alt text: {missing}"
    assert laptop.errors == []


def test_an_essay_page_at_a_laptops_width(laptop: Page, base_url: str, book: Book) -> None:
    essay = book.essays[1]
    laptop.tab.goto(f"{base_url}/{html_path(essay)}", wait_until="networkidle")
    assert laptop.tab.locator(".essaykit-byline").is_visible()
    assert laptop.tab.locator("#pst-primary-sidebar").is_visible()
    assert laptop.errors == []
    screenshot(laptop, "essay-laptop")


def test_the_editors_dashboard(laptop: Page, base_url: str, book: Book,
                               site: tuple[Path, Path]) -> None:
    if not (site[1] / "status" / "index.html").is_file():
        pytest.fail("the build wrote no dashboard (_build/status/index.html)")
    laptop.tab.goto(f"{base_url}/status/index.html", wait_until="networkidle")
    rows = laptop.tab.locator("table tbody tr")
    titles = [rows.nth(i).inner_text() for i in range(rows.count())]
    for essay in book.essays:
        meta = book.essay_meta(essay)
        assert meta is not None
        assert any(meta.title in row for row in titles), f"{essay} is not on the dashboard"
    chart = laptop.tab.locator("svg").first
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= LAPTOP["width"]
    assert laptop.tab.evaluate("() => document.scripts.length") == 0
    assert laptop.errors == []
    screenshot(laptop, "dashboard", full_page=True)
    # the public web book does not link to it
    laptop.tab.goto(f"{base_url}/html/book/index.html")
    assert laptop.tab.locator("a[href*='status']").count() == 0


@pytest.fixture(scope="module")
def small_site_url(small_book_build: tuple[Path, BuildResult]) -> Iterator[str]:
    with serve(small_book_build[1].outdir) as url:
        yield url


def test_an_essays_figure_loads_and_has_alt_text(laptop: Page, small_site_url: str) -> None:
    laptop.tab.goto(f"{small_site_url}/html/essays/two-authors.html", wait_until="networkidle")
    figure = laptop.tab.locator("article figure img")
    assert figure.count() == 1
    assert figure.get_attribute("alt") == "Four green bars, each taller than the one before"
    assert figure.evaluate("img => img.complete && img.naturalWidth") == 240
    assert laptop.errors == []


# axe-core, the accessibility engine browsers' own audits use, from the npm registry
# (`make browser-deps` installs it into .cache/axe-core; ESSAYKIT_AXE names another copy)
AXE = Path(os.environ.get("ESSAYKIT_AXE") or Path(__file__).resolve().parent.parent
           / ".cache/axe-core/node_modules/axe-core/axe.min.js")
NO_AXE = f"axe-core not found at {AXE}: `make browser-deps` installs it (needs npm)"


@pytest.fixture(scope="module")
def axe() -> str:
    if not AXE.is_file():
        if os.environ.get("ESSAYKIT_REQUIRE_BROWSER"):
            pytest.fail(NO_AXE)
        pytest.skip(NO_AXE)
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Page, url: str, axe: str) -> list[str]:
    page.tab.goto(url, wait_until="networkidle")
    page.tab.add_script_tag(content=axe)
    result = page.tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{url}: {v['impact']} {v['id']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe_core_on_a_laptop_and_a_phone(
    browser: Any, base_url: str, book: Book, axe: str, scheme: str,
) -> None:
    """No serious or critical accessibility violation, on every page of the book,
    its index and the search page, at both widths, in the reader's light or dark mode."""
    found = []
    for viewport in (LAPTOP, PHONE):
        page = Page(browser, viewport, scheme)
        urls = [f"{base_url}/{html_path(p)}" for p in book.pages]
        urls.append(f"{base_url}/html/search.html?q=council")
        urls.append(f"{base_url}/html/genindex.html")
        for url in urls:
            found += serious_violations(page, url, axe)
        page.close()
    assert found == []


def test_the_axe_audit_reports_what_it_must(browser: Any, axe: str, tmp_path: Path) -> None:
    """The audit above can fail: a button with no name is a critical violation, and
    docutils' own citation list (role doc-biblioentry) a critical one too."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
        '<button></button><div role="list" class="citation-list"><div class="citation" '
        'role="doc-biblioentry"><a role="doc-backlink" href="#x">1</a><p>An entry.</p>'
        '</div></div></main></body></html>', encoding="utf-8")
    page = Page(browser, LAPTOP)
    with serve(tmp_path) as url:
        found = serious_violations(page, f"{url}/bad.html", axe)
    page.close()
    assert any("button-name" in f for f in found)
    assert any("aria-required-children" in f for f in found)
