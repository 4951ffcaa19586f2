"""The gate's parts, one at a time: trust, paths, front-matter blanking, the macro
guard, the byte-level reader; and property tests: nothing hostile makes them raise."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from essaykit.build import pre_build_gate
from essaykit.check import check_document_text
from essaykit.core.allowlist import (
    aliases,
    canonical_directive,
    canonical_role,
    directive_allowed,
    options_not_allowed,
    path_options,
    role_allowed,
)
from essaykit.core.bib import read_bib_text
from essaykit.core.bibguard import guard_macros
from essaykit.core.limits import MAX_MACRO_EXPANSION
from essaykit.core.textsafety import read_source, scan_text
from essaykit.core.trust import Where, is_trusted, locate, trusted_entry_problem
from essaykit.sphinx_ext.hardening import blank_parser_keys
from tests.check_support import BOOKS


def test_trust_is_exact_for_files_and_folders() -> None:
    trusted = ("essays/a.md", "essays/editors")
    assert is_trusted("essays/a.md", trusted)
    assert not is_trusted("essays/b.md", trusted)
    assert not is_trusted("essays/a.md.bak", trusted)
    assert is_trusted("essays/editors/note.md", trusted)
    assert not is_trusted("essays/editors-notes.md", trusted)
    assert not is_trusted("essays/a.md", ())


def test_trusted_entries_must_name_something_inside_the_book() -> None:
    assert trusted_entry_problem("essays/a.md") == (None, "essays/a.md")
    assert trusted_entry_problem("./essays/") == (None, "essays")
    for bad in ("../x.md", "/etc", ".", "", 3, "essays/../.."):
        assert trusted_entry_problem(bad)[0] is not None, bad


@pytest.mark.parametrize(("target", "where"), [
    ("figures/map.png", Where.INSIDE),
    ("/essays/figures/map.png", Where.INSIDE),
    ("../book/x.png", Where.INSIDE),
    ("../../secret.txt", Where.OUTSIDE),
    ("%2e%2e/%2e%2e/secret.txt", Where.OUTSIDE),
    ("..\\..\\secret.txt", Where.OUTSIDE),
    ("//etc/passwd", Where.OUTSIDE),
    ("~/secret.txt", Where.OUTSIDE),
    ("C:/Windows/win.ini", Where.OUTSIDE),
    ("../.git/config", Where.HIDDEN),
    ("https://example.org/x.png", Where.REMOTE),
    ("JavaScript:alert(1)", Where.SCRIPT),
    (" data:text/html,x", Where.SCRIPT),
    ("java%73cript:alert(1)", Where.SCRIPT),
    ("mailto:a@example.org", Where.OTHER),
])
def test_where_a_path_leads(tmp_path: Path, target: str, where: Where) -> None:
    assert locate(tmp_path, "essays", target).where is where


def test_absolute_file_options_are_outside(tmp_path: Path) -> None:
    assert locate(tmp_path, "essays", "/etc/passwd", rooted=False).where is Where.OUTSIDE
    assert locate(tmp_path, "essays", "/etc/passwd").where is Where.INSIDE  # Sphinx: the root


def test_a_symlink_out_of_the_book_is_seen(tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "essays").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("x")
    (book / "essays" / "data.csv").symlink_to(tmp_path / "secret.txt")
    (book / "essays" / "inside.csv").symlink_to(book / "essays" / "data.csv")
    (book / "linked").symlink_to(tmp_path)
    assert locate(book, "essays", "data.csv").where is Where.SYMLINK
    assert locate(book, "essays", "inside.csv").where is Where.SYMLINK  # a chain still leads out
    assert locate(book, "essays", "../linked/secret.txt").where is Where.SYMLINK
    (book / "essays" / "real.csv").write_text("a")
    (book / "essays" / "alias.csv").symlink_to(book / "essays" / "real.csv")
    assert locate(book, "essays", "alias.csv").where is Where.INSIDE


def test_front_matter_blanking_keeps_lines_and_schema_keys() -> None:
    text = ("---\ntitle: T\nmyst:\n  enable_extensions: [substitution]\nauthors:\n- name: A\n"
            "substitutions: {x: y}\n'html_meta': z\n{myst: 1}\nabstract: >-\n  a: b\n---\n"
            "# body: myst\n")
    blanked = blank_parser_keys(text)
    assert blanked.count("\n") == text.count("\n")
    assert "myst" not in blanked.split("---")[1] and "substitutions" not in blanked
    assert "title: T\n" in blanked and "- name: A\n" in blanked and "  a: b\n" in blanked
    assert blanked.endswith("---\n# body: myst\n")
    assert blank_parser_keys("no front matter\nmyst: x\n") == "no front matter\nmyst: x\n"


def test_macro_guard_leaves_ordinary_macros_alone() -> None:
    text = ('@string{jpe = "Journal of Political Economy"}\n'
            "@article{a, journal = jpe, month = jan}\n")
    assert guard_macros(text).text == text and not guard_macros(text).bombs
    bib = read_bib_text(text, "refs.bib")
    assert bib.entries[0].fields["journal"] == "Journal of Political Economy"


def test_macro_guard_defuses_a_bomb_built_in_an_entry() -> None:
    text = ('@string{m = "' + "x" * 900 + '"}\n'
            "@book{k, title = " + " # ".join(["m"] * 2000) + ", year = 2000}\n")
    guarded = guard_macros(text)
    assert [(b.line, b.what) for b in guarded.bombs] == [(2, "@book{k}")]
    assert guarded.text.count("\n") == text.count("\n")
    assert read_bib_text(text, "refs.bib").findings[0].code == "SEC012"


def test_reading_bytes(tmp_path: Path) -> None:
    page = tmp_path / "a.md"
    page.write_bytes("é\n\n  x\xff".encode("utf-8", errors="surrogateescape")[:-1] + b"\xff")
    (finding,) = read_source(page, "a.md").findings
    assert (finding.code, finding.line, finding.column) == ("CHK002", 3, 4)
    page.write_text("fine \u00e9\u2014text\t\n")
    assert read_source(page, "a.md").findings == [] and read_source(page, "a.md").text
    assert [d.code for d in read_source(page, "a.md", limit=3).findings] == ["SEC010"]
    found = scan_text("a\u2067b\nc\x1bd\u0085", "a.md")
    assert [(d.code, d.line, d.column) for d in found] == [
        ("CHK005", 1, 2), ("CHK004", 2, 2), ("CHK004", 2, 4)]


# ---- properties ------------------------------------------------------------------

HOSTILE_FRAGMENTS = [
    "<script>", "</script>", "<!--", "-->", "<img src=x onerror=y>", "{raw-html}`<b>`",
    "```{raw} html\n", "```{eval-rst}\n", "```{include} ../../x\n", ":file: ../x\n",
    ":url: https://x\n", "```{csv-table}\n", "```{meta}\n", "](javascript:", "<javascript:",
    "]: vbscript:", "![i](data:", "```\n", ":::\n", "::::{note}\n", "> ", "- ", "  ", "\n",
    "# ", "---\n", "myst:\n", "substitutions:\n", "&", "\u202e", "\x0b", "\x00", "\ufeff",
    "{download}`", "../", "//", "~/", "\\", "%2e", "{{", "}}", "```{figure} ", "# T\n",
]
markdown = st.lists(st.one_of(st.sampled_from(HOSTILE_FRAGMENTS), st.text(max_size=6)),
                    max_size=50).map("".join)
COPIES: dict[str, Path] = {}


def _book(factory: pytest.TempPathFactory) -> Path:
    if "book" not in COPIES:
        COPIES["book"] = Path(shutil.copytree(BOOKS / "clean", factory.mktemp("gate") / "b"))
    return COPIES["book"]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=markdown)
def test_check_never_raises_on_hostile_markdown(text: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    result = check_document_text(_book(tmp_path_factory), "essays/one.md", text)
    assert not [d for d in result.diagnostics if d.code == "CHK001"], result.diagnostics


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=markdown)
def test_pre_build_gate_never_raises(text: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    root = _book(tmp_path_factory)
    essay = root / "essays" / "two.md"
    original = essay.read_bytes()
    try:
        essay.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        found = pre_build_gate(root)
    finally:
        essay.write_bytes(original)
    assert not [d for d in found if d.code == "CHK001"], found


bibtex = st.lists(st.one_of(st.sampled_from([
    "@string{", "@string(", "@book{", "@comment{", "@preamble{", "a", "b", "key", " = ", "#",
    " # ", '"', "{", "}", "(", ")", ",", "\n", "jan", "x" * 50, "url = {javascript:x}", "@",
]), st.text(max_size=4)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=bibtex)
def test_any_bibtex_is_guarded_and_read_without_raising(text: str) -> None:
    guarded = guard_macros(text, limit=2_000)
    assert len(guarded.text) == len(text) and guarded.text.count("\n") == text.count("\n")
    bib = read_bib_text(text, "refs.bib")
    for finding in bib.findings:
        assert 1 <= finding.line <= text.count("\n") + 1


def test_doubling_macros_never_expand_past_the_limit() -> None:
    lines = ['@string{a0 = "' + "y" * 64 + '"}'] + [
        f"@string{{a{i} = a{i - 1} # a{i - 1} # a{i - 1}}}" for i in range(1, 60)]
    text = "\n".join(lines) + "\n@misc{k, title = a59 # a58, note = a59}\n"
    bib = read_bib_text(text, "refs.bib")
    assert [d.code for d in bib.findings] == ["SEC012"]
    assert sum(len(v) for e in bib.entries for v in e.fields.values()) < MAX_MACRO_EXPANSION


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_pages_that_are_symlinks_out_of_the_book(tmp_path: Path) -> None:
    root = Path(shutil.copytree(BOOKS / "clean", tmp_path / "book"))
    (tmp_path / "outside.md").write_text("---\ntitle: X\n---\n")
    (root / "essays" / "two.md").unlink()
    (root / "essays" / "two.md").symlink_to(tmp_path / "outside.md")
    found = [d for d in pre_build_gate(root) if d.code == "SEC002"]
    # the page itself, and each link to it
    assert [(d.path, d.line) for d in found] == [
        ("essays/one.md", 14), ("essays/one.md", 14), ("essays/two.md", 1)]


# ---- the allowlist, and names as docutils reads them ---------------------------------

@pytest.mark.parametrize(("name", "language", "canonical"), [
    ("include", "en", "include"),
    ("Include", "en", "include"),
    ("LiteralInclude", "en", "literalinclude"),
    ("RAW", "en", "raw"),
    ("einfügen", "de", "include"),
    ("Einfügen", "de", "include"),
    ("roh", "de", "raw"),
    ("unverändert", "de", "raw"),
    ("csv-tabelle", "de", "csv-table"),
    ("abbildung", "de", "figure"),
    ("inclure", "fr", "include"),
    ("brut", "fr", "raw"),
    ("inclure", "fr_FR", "include"),
    ("einfügen", "en", "einfügen"),  # not a German book: not a directive at all
    ("figure", "de", "figure"),  # English names work in every book, as in docutils
    ("note", "xx", "note"),  # a language docutils does not know: English only
])
def test_directive_names_resolve_as_docutils_resolves_them(name: str, language: str,
                                                          canonical: str) -> None:
    assert canonical_directive(name, language) == canonical


def test_names_agree_with_docutils_itself() -> None:
    """The same answer as docutils' own lookup, for every name of every language table
    that leads to a directive that reads files or writes markup."""
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser, directives
    from docutils.parsers.rst.languages import get_language
    from docutils.utils import new_document

    document = new_document("x", get_default_settings(Parser))
    for code in ("de", "fr", "es", "it", "nl", "sv"):
        table = get_language(code).directives
        for name, target in table.items():
            if target not in ("include", "raw", "csv-table", "image", "figure", "meta"):
                continue
            found, _ = directives.directive(name, get_language(code), document)
            expected, _ = directives.directive(target, get_language("en"), document)
            assert found is expected, (code, name)
            assert canonical_directive(name.upper(), code) == target, (code, name)


def test_roles_resolve_too() -> None:
    assert canonical_role("Raw", "en") == "raw"
    assert canonical_role("roh", "de") == "raw"
    assert canonical_role("cite:p", "de") == "cite:p"
    assert role_allowed(canonical_role("Term", "en"))
    assert not role_allowed(canonical_role("py:func", "en"))


def test_aliases_are_every_name_of_a_directive() -> None:
    assert {"include", "einfügen"} <= aliases("include", "de")
    assert "inclure" not in aliases("include", "de")
    assert {"raw", "roh", "unverändert"} <= aliases("raw", "de", "roles")


def test_the_allowlist_is_a_list_of_what_is_allowed() -> None:
    assert directive_allowed("figure") and directive_allowed("note")
    for refused in ("include", "literalinclude", "raw", "meta", "graphviz", "only",
                    "eval-rst", "automodule", "jupyter-execute"):
        assert not directive_allowed(refused), refused
    assert options_not_allowed("figure", {"alt": "x", "onload": "y"}) == ["onload"]
    assert options_not_allowed("csv-table", {"file": "a.csv"}) == []
    assert "diff" in path_options("literalinclude")
    assert "file" in path_options("some-extension-directive")  # unknown: read generously


@pytest.mark.parametrize(("text", "options"), [
    ("```{csv-table} Data\n:file: a.csv\n```\n", {"file": "a.csv"}),
    ("```{csv-table} Data\n---\nfile: a.csv\n---\n```\n", {"file": "a.csv"}),
    # an option block never closed: myst-parser still reads it, so the checker does
    ("```{csv-table} Data\n---\nfile: ../../secret.txt\n```\n", {"file": "../../secret.txt"}),
    ("```{note}\nJust text: here.\n```\n", {}),
])
def test_directive_options_are_read_as_myst_parser_reads_them(text: str,
                                                              options: dict[str, str]) -> None:
    from essaykit.check.parse import parse_document
    from essaykit.core.mdconfig import checker_parser

    doc = parse_document(text, "essays/x.md", "essays/x", checker_parser(), heading_anchors=0)
    assert doc.directives[0].options == options


def test_repository_settings_cannot_switch_the_safety_rules_off() -> None:
    from essaykit.core.diagnostics import Severity
    from essaykit.core.settings import Config

    config = Config(select=("CIT",), ignore=("GLO", "SEC"), severity=(("SEC001", Severity.INFO),),
                    per_file_ignores=(("essays/*.md", ("SEC", "CHK")),))
    assert config.enabled_for("SEC004", "essays/one.md")
    assert config.enabled_for("CHK004", "essays/one.md")
    assert config.severity_of("SEC001", Severity.ERROR) is Severity.ERROR
    assert not config.enabled_for("GLO004", "essays/one.md")
    assert not config.enabled_for("REF001", "essays/one.md")  # select still works elsewhere
    # the command line's own choice (a person looking; the build passes none)
    assert not config.with_overrides(None, ["SEC004"]).enabled("SEC004")
    assert not config.with_overrides(["CIT"], None).enabled("SEC004")


@pytest.mark.parametrize("language", ["..", "../../etc", "", "de/..", "a" * 20])
def test_a_language_that_is_not_a_tag_is_refused(language: str, tmp_path: Path) -> None:
    """docutils imports a module named after the language: `..` is no language."""
    from essaykit.core.book import read_book

    root = tmp_path / "book"
    shutil.copytree(Path(__file__).parent / "hostile" / "sec004-file-inclusion", root)
    book_yml = root / "book" / "book.yml"
    book_yml.write_text(book_yml.read_text(encoding="utf-8") + f"language: '{language}'\n",
                        encoding="utf-8")
    book, problems = read_book(root)
    assert [p.code for p in problems] == ["BOOK001"]
    assert "'language' must be a language tag" in problems[0].message
    assert canonical_directive("Einfügen", language) == "einfügen"  # and no crash
