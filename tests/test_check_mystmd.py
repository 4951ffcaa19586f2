"""Jupyter Book 2 / mystmd projects: myst.yml, its toc and settings, mystmd's syntax."""

from __future__ import annotations

from pathlib import Path

from essaykit.check import run_check
from essaykit.check.mystmd import MystProject, implicit_order, mystmd_project
from essaykit.check.project import discover
from tests.check_support import BOOKS, run_cli

FIXTURE = BOOKS / "mystmd"


def _book(tmp_path: Path, config: str, pages: dict[str, str]) -> Path:
    (tmp_path / "myst.yml").write_text(config, encoding="utf-8")
    for name, text in pages.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _found(root: Path) -> list[str]:
    return [f"{d.path}:{d.line}: {d.code} {d.message}" for d in run_check(root).diagnostics]


def test_myst_yml_is_a_project_kind() -> None:
    project = discover(FIXTURE / "chapters")
    assert isinstance(project, MystProject) and project.kind == "mystmd"
    # toc order: files, children, a pattern (not repeating listed files), never drafts/
    assert project.pages == ("index.md", "chapters/counting.md", "chapters/tally.ipynb",
                             "chapters/river-severn.md", "glossary.md")
    assert project.bibfiles == ("rivers.bib",)
    assert {"NRA", "GIS"} <= project.abbreviations  # its own and extends:' local file
    assert project.references == frozenset({"handbook"})


def test_without_a_toc_every_page_in_natural_order(tmp_path: Path) -> None:
    root = _book(tmp_path, "version: 1\nproject:\n  title: T\n", {
        "child10.md": "# Ten\n", "child9.md": "# Nine\n", "index.md": "# Home\n",
        "part/README.md": "# Part\n", "part/a.ipynb": "{}", "_build/x.md": "# built\n",
        "refs.bib": "@book{k, title={T}, author={A}, year={2000}, publisher={P}}\n"})
    project = mystmd_project(root)
    assert project.pages == ("index.md", "child9.md", "child10.md", "part/README.md",
                             "part/a.ipynb")
    assert project.bibfiles == ("refs.bib",)  # no bibliography: every .bib
    assert implicit_order(["b/x.md", "a.md", "b/index.md"]) == ["a.md", "b/index.md", "b/x.md"]


def test_a_wrong_version_and_broken_yaml_are_configuration_errors(tmp_path: Path) -> None:
    root = _book(tmp_path, "version: 2\nproject:\n  toc:\n    - file: a.md\n", {"a.md": "# A\n"})
    assert _found(root) == ["myst.yml:1: CFG001 myst.yml's version is 2; mystmd reads "
                            "version 1"]
    (root / "myst.yml").write_text("version: 1\nproject: [\n", encoding="utf-8")
    code, out, _ = run_cli(["--root", str(root), "check"])
    assert code == 2 and "myst.yml:" in out and "CFG001" in out and "Traceback" not in out


def test_citations_bracketed_bare_and_not_citations(tmp_path: Path) -> None:
    bib = ("@book{known1, author={A, B}, title={T}, publisher={P}, year={2000}}\n"
           "@book{other2, author={C, D}, title={U}, publisher={P}, year={2001}}\n")
    root = _book(tmp_path, "version: 1\nproject:\n  toc:\n    - file: a.md\n", {
        "refs.bib": bib,
        "a.md": "# A\n\n(fig-one)=\n## One\n\n"
                "Bare @known1 and [see @other2, p. 3]. Also [@missing1; @known1].\n"
                "Mail a@b.org, ask @someone, cross-refer [@fig-one], cite [-@other2].\n"
                "`[@incode]` is code.\n"})
    assert _found(root) == ["a.md:6: CIT001 unknown citation key 'missing1'"]


def test_bare_key_of_an_uncited_entry_counts_as_citing_it(tmp_path: Path) -> None:
    bib = "@book{solo, author={A, B}, title={T}, publisher={P}, year={2000}}\n"
    root = _book(tmp_path, "version: 1\nproject:\n  toc:\n    - file: a.md\n",
                 {"refs.bib": bib, "a.md": "# A\n\nAs @solo showed.\n"})
    assert _found(root) == []
    (root / "a.md").write_text("# A\n\nAs solo showed.\n", encoding="utf-8")
    assert _found(root) == ["refs.bib:1: CIT002 entry 'solo' is never cited"]


def test_link_schemes_and_xref_keys(tmp_path: Path) -> None:
    root = _book(tmp_path, "version: 1\nproject:\n  references:\n    spec: https://x.org/\n"
                 "  toc:\n    - file: a.md\n", {
                     "a.md": "# A\n\n<wiki:Rivers>, [a DOI](doi:10.1/x), [](xref:spec#tables), "
                             "[](xref:nope), [](github:org/repo), [x](blorp:y)\n"})
    assert _found(root) == [
        "a.md:3: REF004 xref:nope names no project in myst.yml's references (known: spec)",
        "a.md:3: REF004 unknown link scheme 'blorp:' in 'blorp:y'",
    ]


def test_fixture_reports_only_the_planted_problems() -> None:
    code, out, _ = run_cli(["--root", str(FIXTURE), "check"])
    lines = [line.split(" (")[0] for line in out.splitlines() if ": " in line]
    assert not [line for line in lines if "tally.ipynb" in line]  # labels, open note: fine
    assert "index.md:14:56: CIT001 unknown citation key 'hartly2019'" in lines
    assert "rivers.bib:24:1: CIT002 entry 'unread2001' is never cited" in lines
    for cited in ("hartley2019", "okafor2021", "lindqvist2020"):  # by key, DOI link, DOI
        assert f"'{cited}' is never cited" not in out
    assert "counter@example.org" not in out and "riverwatcher" not in out
    assert "drafts/" not in out and "/archive/" not in out
    assert code == 1


def test_xref_keys_are_not_checked_when_the_configuration_extends_a_url(tmp_path: Path) -> None:
    root = _book(tmp_path, "version: 1\nextends:\n  - https://example.org/shared.yml\n"
                 "project:\n  toc:\n    - file: a.md\n", {"a.md": "# A\n\n[](xref:nope)\n"})
    assert _found(root) == []


def test_abbreviations_count_as_defined_acronyms(tmp_path: Path) -> None:
    pages = {"index.md": "# Home\n", "a.md": "# A\n\nThe NRA and the GIS team.\n"}
    toc = "  toc:\n    - file: index.md\n    - file: a.md\n"
    root = _book(tmp_path, "version: 1\nproject:\n" + toc, pages)
    assert [d.message.split(" is ")[0] for d in run_check(root).diagnostics
            if d.code == "GLO004"] == ["acronym 'NRA'", "acronym 'GIS'"]
    _book(tmp_path, "version: 1\nproject:\n  abbreviations:\n    NRA: National Rivers "
          "Authority\n    GIS: Geographic Information System\n" + toc, pages)
    assert not [d for d in run_check(root).diagnostics if d.code == "GLO004"]


def test_a_missing_bibliography_is_reported_where_myst_yml_names_it(tmp_path: Path) -> None:
    root = _book(tmp_path, "version: 1\nproject:\n  title: T\n  bibliography:\n"
                 "    - gone.bib\n  toc:\n    - file: a.md\n", {"a.md": "# A\n"})
    assert _found(root) == ["myst.yml:4: CFG002 the bibliography 'gone.bib' does not exist"]
