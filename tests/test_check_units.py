"""The checker's parts on their own: parser positions, slugs, BibTeX, URLs, config."""

from __future__ import annotations

from pathlib import Path

import pytest
from docutils.core import publish_doctree
from myst_parser.parsers.docutils_ import Parser as MystDocutilsParser

from essaykit.check import load_rules
from essaykit.check.glossary import parse_glossary
from essaykit.check.jargon import _explained
from essaykit.check.parse import parse_document
from essaykit.check.suppress import bib_suppressions, parse_suppression
from essaykit.check.urls import url_problem, urls_in_prose
from essaykit.core.bib import read_bib_text
from essaykit.core.diagnostics import Severity
from essaykit.core.mdconfig import (
    HEADING_ANCHORS,
    MYST_EXTENSIONS,
    TITLE_TO_HEADER,
    create_parser,
)
from essaykit.core.settings import load_config
from essaykit.core.terms import TermMatcher

load_rules()
REPO_ROOT = Path(__file__).parent.parent


def parse(text: str, anchors: int = HEADING_ANCHORS):
    return parse_document(text, "essays/x.md", "essays/x", create_parser(), heading_anchors=anchors,
                          title="The Title" if TITLE_TO_HEADER else None)


def test_checker_parses_as_the_sphinx_extension_configures_myst(tmp_path: Path) -> None:
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    book = Path(__file__).parent / "build_books" / "small"
    with docutils_namespace():
        app = Sphinx(str(book), str(book), str(tmp_path / "out"), str(tmp_path / "dt"), "html",
                     status=None, warning=None)
    assert set(app.config.myst_enable_extensions) == set(MYST_EXTENSIONS)
    assert app.config.myst_heading_anchors == HEADING_ANCHORS


HEADINGS = """---
title: The Title
---
# The Title
## Don't stop: `code` & more
## Don't stop: `code` & more
### Café — "quotes" {cite:p}`key`
### [A link](https://example.org) and <https://example.org>
#### Too deep
## ~~Struck~~ **bold** _em_
"""


def test_heading_anchors_are_myst_parsers_own() -> None:
    doctree = publish_doctree(HEADINGS, parser=MystDocutilsParser(), settings_overrides={
        "myst_heading_anchors": HEADING_ANCHORS, "myst_title_to_header": TITLE_TO_HEADER,
        "myst_enable_extensions": sorted(MYST_EXTENSIONS), "report_level": 5})
    ours = [h.slug for h in parse(HEADINGS).headings if h.slug]
    assert ours == list(doctree.myst_slugs)


POSITIONS = """\
- item {cite:p}`a`
  more `code` then {term}`x` and {doc}`y`
> quote {ref}`lab` [link](other.md)
> ![alt
> text](img.png) {term}`long
  role <target>` after {cite:t}`b`

| a | b |
| --- | --- |
| {cite:t}`c` | [cell](#anchor) |

Term
: Def {cite:p}`d`

::::{note}
Inner {cite:p}`e`

:::{warning}
deep {ref}`f`
:::
::::

[^1]: Foot {cite:p}`g`.
"""


def test_every_role_points_at_its_own_markup() -> None:
    doc = parse(POSITIONS)
    assert [r.content for r in doc.roles] == [
        "a", "x", "y", "lab", "long   role <target>", "b", "c", "d", "e", "f", "g"]
    for role in doc.roles:
        source = doc.lines[role.line - 1]
        assert source[role.column - 1:].startswith("{" + role.name + "}`"), role


def test_links_point_at_their_targets() -> None:
    doc = parse(POSITIONS)
    for link in doc.links:
        assert doc.lines[link.line - 1][link.column - 1:].startswith(link.href), link


def test_code_and_literal_directives_hold_no_roles() -> None:
    doc = parse("`{cite:p}`a``\n\n```python\n{cite:p}`b`\n```\n\n```{code-block}\n"
                "{cite:p}`c`\n```\n\n    {cite:p}`indented`\n")
    assert doc.roles == []


def test_labels_suppressions_and_toctree() -> None:
    doc = parse("(lab-one)=\n# H\n\n% essaykit: ignore[CIT001, ref]\ntext\n\n"
                "```{figure} x.png\n:name: fig-x\n\nCaption\n```\n\n"
                "```{toctree}\n:glob:\n\nTitle <one>\nsub/*\n```\n")
    assert [(label.name, label.line) for label in doc.labels] == [("lab-one", 1), ("fig-x", 8)]
    assert [(s.codes, s.line, s.target_line) for s in doc.suppressions] == [
        (("CIT001", "REF"), 4, 5)]
    assert [(t.target, t.line, t.glob) for t in doc.toctree] == [
        ("one", 16, True), ("sub/*", 17, True)]


def test_glossary_body() -> None:
    entries, definitions = parse_glossary(
        ["Term one", "Synonym : classifier", "  Defined here.", "", "  Second paragraph.",
         "", "Term two", "  Another."], 10)
    assert [(e.terms, e.line, e.term_lines) for e in entries] == [
        (("Term one", "Synonym"), 11, (11, 12)), (("Term two",), 17, (17,))]
    assert definitions[0] == ("Defined here.\n\nSecond paragraph.\n", 12)


def test_bib_entries_problems_and_lines() -> None:
    bib = read_bib_text(
        "% a comment\n@book{a,\n  title = {T},\n  year = 2000\n}\n\n"
        "@book{A,\n  title = {Again}\n}\n@article{b,\n  title = {X}\n  year = 2001\n}\n",
        "refs.bib")
    assert [(e.key, e.line) for e in bib.entries] == [("a", 2), ("b", 10)]
    kinds = [(p.kind, p.line) for p in bib.problems]
    assert ("duplicate-key", 7) in kinds
    assert ("syntax", 12) in kinds
    assert bib.broken == {"b"}


@pytest.mark.parametrize("text", ["", "@", "@book{", "@book{x, title={", "}}}}", "@string{a=}",
                                  "@book{x, author={A, B, C, D}, title={T}, year=1}",
                                  "@book(x, title=\"q\")", "@comment{x}\n@book{y,}"])
def test_bib_never_raises(text: str) -> None:
    read_bib_text(text, "refs.bib")


@pytest.mark.parametrize(("url", "problem"), [
    ("https://example.org/a_(b)", None),
    ("https://example.org:8080/x?q=1#f", None),
    ("mailto:editor@example.org", None),
    ("http://localhost:8000/", None),
    ("https://[::1]/x", None),
    ("https://https://example.org", "the scheme is written twice"),
    ("http://https//example.org", "the scheme is written twice"),
    ("https:/example.org", "the scheme should be followed by '://'"),
    ("https//example.org", "the scheme should be followed by '://'"),
    ("http://", "it has no host"),
    ("https://example.org/a_(b", "its parentheses are unbalanced"),
    ("https://example.org/[x", "its square brackets are unbalanced"),
    ("https://exa mple.org", "its host 'exa mple.org' is not a domain name"),
    ("https://intranet/x", "its host 'intranet' has no domain (such as .org)"),
    ("https://example.org:99999/", "it cannot be read as a URL (Port out of range 0-65535)"),
    ("mailto:nobody", "a mailto: link needs an address with '@'"),
])
def test_url_problems(url: str, problem: str | None) -> None:
    assert url_problem(url) == problem


def test_urls_in_prose_drop_sentence_punctuation() -> None:
    text = "See https://example.org/a. Or (https://example.org/b), and https://x.org/c_(d)!"
    assert [u for _, u in urls_in_prose(text)] == [
        "https://example.org/a", "https://example.org/b", "https://x.org/c_(d)"]


def test_suppression_comments() -> None:
    assert parse_suppression(" essaykit: ignore[CIT001, ref004 ]") == ("CIT001", "REF004")
    assert parse_suppression(" just a comment") == ()
    found = bib_suppressions(["% essaykit: ignore[CIT002]", "% other", "", "@book{x,"])
    assert [(s.codes, s.line, s.target_line) for s in found] == [(("CIT002",), 1, 4)]


def test_term_matcher() -> None:
    matcher = TermMatcher(["Personal budget", "NHS", "co-production", "nef"])
    text = "Personal\nbudgets, the NHS and nhs, co-production-led, a co-production, benefit, nef."
    assert [(o, key) for o, key, _ in matcher.find(text, text.lower())] == [
        (0, "personal budget"), (text.index("NHS"), "nhs"),
        (text.index("a co-production") + 2, "co-production"), (text.index("nef."), "nef")]


@pytest.mark.parametrize(("text", "acronym", "explained"), [
    ("the Department for Work and Pensions (DWP) said", "DWP", True),
    ("the DWP (Department for Work and Pensions) said", "DWP", True),
    ("the DWP said (in 2010) that", "DWP", False),
    ("the Care Quality Commission (DWP)", "DWP", False),
    ("the National Endowment for Science, Technology and the Arts (NESTA)", "NESTA", True),
    ('"DRY" stands for "Don\'t Repeat Yourself", and can be used as a verb', "DRY", True),
    ("a PR, short for pull request, is opened", "PR", True),
    ("DWP stands for something else entirely", "DWP", False),
    ("the DRY stands for a while", "DRY", False),
])
def test_acronym_expansion(text: str, acronym: str, explained: bool) -> None:
    start = text.index(acronym)
    assert _explained(text, start, len(acronym), acronym) is explained


def write_pyproject(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    return tmp_path


def test_config_select_ignore_severity_and_per_file(tmp_path: Path) -> None:
    config, problems = load_config(write_pyproject(tmp_path, """
[tool.essaykit]
select = ["CIT", "REF00"]
ignore = ["CIT002"]

[tool.essaykit.severity]
CIT = "info"
CIT001 = "warning"

[tool.essaykit.per-file-ignores]
"book/*.md" = ["REF004"]
"""))
    assert problems == []
    assert config.enabled("CIT001") and not config.enabled("CIT002")
    assert config.enabled("REF004") and not config.enabled("GLO001")
    assert config.enabled("CFG001")  # configuration errors cannot be switched off
    assert not config.enabled_for("REF004", "book/glossary.md")
    assert config.enabled_for("REF004", "essays/one.md")
    assert config.severity_of("CIT001", Severity.ERROR) == Severity.WARNING
    assert config.severity_of("CIT003", Severity.ERROR) == Severity.INFO
    assert config.severity_of("REF001", Severity.ERROR) == Severity.ERROR
    overridden = config.with_overrides(["glo"], ["GLO002"])
    assert overridden.enabled("GLO001") and not overridden.enabled("GLO002")
    assert not overridden.enabled("CIT001")


def test_config_errors_have_lines(tmp_path: Path) -> None:
    _, problems = load_config(write_pyproject(tmp_path, '[project]\nname = "x"\n\n'
                                              '[tool.essaykit]\nselect = ["NOPE"]\n'))
    assert [(d.code, d.line) for d in problems] == [("CFG001", 5)]
    _, problems = load_config(write_pyproject(tmp_path, "[tool.essaykit\nselect = 1\n"))
    assert [(d.code, d.line) for d in problems] == [("CFG001", 1)]
    assert "not valid TOML" in problems[0].message


def test_the_checkers_parser_reads_as_myst_parsers_own() -> None:
    """The checker parses with myst-parser's parser less its word-count rule: every
    token must be the same, for every page of the real book and of the fixtures."""
    from essaykit.core.mdconfig import checker_parser

    pages = [*REPO_ROOT.glob("essays/*.md"), *REPO_ROOT.glob("book/*.md"),
             *REPO_ROOT.glob("tests/books/*/essays/*.md")]
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        ours, mysts = checker_parser().parse(text, {}), create_parser().parse(text, {})
        assert [token.as_dict() for token in ours] == [token.as_dict() for token in mysts]
    env: dict[str, object] = {}
    checker_parser().parse("Some words.", env)
    assert "wordcount" not in env  # the one difference
