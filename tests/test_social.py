"""Search and link-preview metadata: descriptions, Open Graph tags, the sitemap, the site URL."""

from __future__ import annotations

import multiprocessing
import re
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

import pytest

from essaykit.build import BuildOptions, BuildResult, build
from essaykit.cli.main import main
from essaykit.core.book import load_book

from .conftest import book_yml_error

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGES = ["book/index", "book/introduction", "essays/taster", "essays/two-authors",
         "essays/no-citations", "book/glossary", "book/bibliography", "book/contributors"]


def metas(page: str) -> dict[str, list[str]]:
    """Every <meta name|property=... content=...> of the page, values unescaped."""
    found: dict[str, list[str]] = {}
    for tag in re.findall(r"<meta\s[^>]*>", page):
        key = re.search(r'(?:name|property)="([^"]*)"', tag)
        content = re.search(r'content="([^"]*)"', tag)
        if key and content:
            found.setdefault(key.group(1), []).append(unescape(content.group(1)))
    return found


@pytest.mark.slow
def test_pages_describe_themselves_without_a_site_url(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, _ = small_book_build
    html = root / "_build/html"
    essay = (html / "essays/two-authors.html").read_text(encoding="utf-8")
    found = metas(essay)
    abstract = "Two authors argue that {term} links and citations work together."
    assert found["description"] == [abstract]
    assert found["og:description"] == [abstract]
    assert found["og:title"] == ["An Essay by Two Authors"]
    assert found["og:type"] == ["article"]
    assert found["og:site_name"] == ["A Small Book"]
    assert found["twitter:card"] == ["summary"]
    assert "og:url" not in found  # no site URL: no relative og:url either
    assert '<html lang="en-GB"' in essay
    assert 'rel="canonical"' not in essay
    front = metas((html / "book/index.html").read_text(encoding="utf-8"))
    assert front["description"] == ["A tiny collection used by the tests."]
    assert front["og:description"] == ["A tiny collection used by the tests."]
    assert front["og:type"] == ["website"]
    glossary = metas((html / "book/glossary.html").read_text(encoding="utf-8"))
    assert glossary["description"] == ["A tiny collection used by the tests."]
    assert not (html / "sitemap.xml").exists()


@pytest.mark.slow
def test_site_url_gives_a_sitemap_of_every_page_and_absolute_og_urls(small_book: Path) -> None:
    essay = small_book / "essays/two-authors.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace(
        "Two authors argue that {term} links and citations work together.",
        'Breaking "out"><script>alert(1)</script> & more.'), encoding="utf-8")
    url = "https://example.org/small-book/"
    options = BuildOptions(root=small_book, quiet=True, pdf=False, epub=False, site_url=url,
                           check=False)
    build(options)
    # sphinx-sitemap's Manager process is not started (it outlived `essaykit build`)
    assert not multiprocessing.active_children()
    html = small_book / "_build/html"
    page = (html / "essays/two-authors.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert ('content="Breaking &quot;out&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; '
            '&amp; more."') in page
    found = metas(page)
    assert found["description"] == ['Breaking "out"><script>alert(1)</script> & more.']
    assert found["og:description"] == found["description"]
    assert found["og:url"] == [url + "essays/two-authors.html"]
    assert f'<link rel="canonical" href="{url}essays/two-authors.html" />' in page
    assert sitemap_urls(html) == [url + name + ".html" for name in PAGES]

    # an incremental build rewrites one page; the sitemap still lists them all
    other = small_book / "essays/no-citations.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nOne more line.\n",
                     encoding="utf-8")
    build(options)
    assert sitemap_urls(html) == [url + name + ".html" for name in PAGES]

    # the same book without a site URL: the old sitemap goes, og:url goes
    build(BuildOptions(root=small_book, quiet=True, pdf=False, epub=False, check=False))
    assert not (html / "sitemap.xml").exists()
    assert "og:url" not in metas((html / "essays/two-authors.html").read_text(encoding="utf-8"))


def sitemap_urls(html: Path) -> list[str]:
    tree = ElementTree.parse(html / "sitemap.xml")
    return [loc.text or "" for loc in tree.iter(f"{SITEMAP}loc")]


@pytest.mark.slow
def test_book_yml_url_is_the_default_site_url(small_book: Path) -> None:
    yml = small_book / "book/book.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "url: https://example.org/b\n",
                   encoding="utf-8")
    assert load_book(small_book).url == "https://example.org/b/"
    result = build(BuildOptions(root=small_book, quiet=True, pdf=False, epub=False))
    assert sitemap_urls(result.outdir / "html")[0] == "https://example.org/b/book/index.html"


@pytest.mark.parametrize("value", ["example.org", "ftp://example.org/", "https://", "''",
                                   "https://example.org/?page=1", "[1, 2]"])
def test_a_bad_url_in_book_yml_is_a_clear_error(small_book: Path, value: str) -> None:
    problem, line = book_yml_error(small_book, f"url: {value}")
    assert (problem.code, problem.line) == ("BOOK001", line)
    assert "'url'" in problem.message and "http" in problem.message


def test_a_bad_site_url_stops_the_cli_before_building(
    small_book: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["--root", str(small_book), "build", "--site-url", "javascript:alert(1)"]) == 2
    assert "--site-url" in capsys.readouterr().err
    monkeypatch.setenv("ESSAYKIT_SITE_URL", "not a url")
    assert main(["--root", str(small_book), "build"]) == 2
    assert "ESSAYKIT_SITE_URL" in capsys.readouterr().err
    assert not (small_book / "_build").exists()


def test_formats_option(capsys: pytest.CaptureFixture[str]) -> None:
    from essaykit.cli.main import build_parser, chosen_formats

    parser = build_parser()
    assert chosen_formats(parser.parse_args(["build"])) == {"html", "pdf", "epub"}
    assert chosen_formats(parser.parse_args(["build", "--epub-only"])) == {"epub"}
    assert chosen_formats(parser.parse_args(["build", "--html-only"])) == {"html"}
    assert chosen_formats(parser.parse_args(["build", "--formats", "html, EPUB"])) == {
        "html", "epub"}
    with pytest.raises(SystemExit) as exited:
        parser.parse_args(["build", "--formats", "html,mobi"])
    assert exited.value.code == 2
    assert "mobi" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["build", "--epub-only", "--pdf-only"])


def test_long_abstracts_are_cut_at_a_sentence_or_a_word() -> None:
    from essaykit.sphinx_ext.social import short_description

    assert short_description("Short enough.", 300) == "Short enough."
    sentences = "First sentence is here. Second one is rather longer than the first, and goes on."
    assert short_description(sentences, 44) == "First sentence is here."
    assert short_description(sentences, 60).endswith("rather longer than\u2026")
    words = "A single sentence that runs on and on without stopping for breath, of course"
    cut = short_description(words, 40)
    assert cut == "A single sentence that runs on and on\u2026" and len(cut) <= 40
