"""Run every selected check over a book: discover, parse once, index once, filter.

Nothing here prints; the result is data for the CLI and the Sphinx extension.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from markdown_it import MarkdownIt

from essaykit.check import (  # noqa: F401 - importing registers the rule families
    accessibility,
    citations,
    dropped,
    frontmatter_rules,
    glossary_rules,
    index_entries,
    mystmd_syntax,
    order,
    references,
    safety_bib,
    safety_loss,
    safety_markup,
)
from essaykit.check.glossary_rules import CoverageRow, coverage
from essaykit.check.includes import read_includes
from essaykit.check.index import BookIndex
from essaykit.check.mystnb import add_code_cell_labels
from essaykit.check.notebooks import MAX_NOTEBOOK_BYTES, notebook_findings, parse_notebook
from essaykit.check.parse import front_matter, parse_document
from essaykit.check.parsecache import ParseCache
from essaykit.check.project import Project, discover
from essaykit.check.registry import CHECKS
from essaykit.check.suppress import bib_suppressions, is_suppressed
from essaykit.core import rules
from essaykit.core.bib import BibFile, read_bib, read_bib_text
from essaykit.core.diagnostics import Diagnostic, Severity, relative_path, sort_diagnostics
from essaykit.core.frontmatter import parse_meta
from essaykit.core.limits import MAX_BIB_BYTES, MAX_PAGE_BYTES
from essaykit.core.mdconfig import checker_parser
from essaykit.core.model import Document, Suppression
from essaykit.core.settings import CONFIGURATION_CODES, Config, load_config, validate_prefixes
from essaykit.core.textsafety import may_hold_script_url, read_source, scan_text

# pages read as MyST text: Markdown, jupytext's R Markdown (knitr chunks are code), and
# notebooks (their markdown cells, see notebooks.py)
TEXT_PAGES = (".md", ".Rmd", ".ipynb")
# Codes an inline `% essaykit: ignore[...]` in the checked file cannot silence.
UNWAIVABLE = ("SEC", "CHK")


@dataclass(frozen=True)
class CheckResult:
    diagnostics: list[Diagnostic]
    exit_code: int
    project_kind: str = ""
    root: Path = Path(".")
    pages: int = 0  # the pages reported on (all, or those chosen on the command line)
    counts: dict[str, int] = field(default_factory=dict)
    # each essay's coverage row; given paths, only those essays' rows
    coverage_rows: Callable[..., list[CoverageRow]] = field(default=lambda *_: [], repr=False,
                                                           compare=False)
    # every page as the checks saw it, by path: for reports built on the same parse
    documents: Mapping[str, Document] = field(default_factory=dict, repr=False, compare=False)
    total_pages: int = 0  # every page of the book, which the chosen ones were checked against

    @cached_property
    def coverage(self) -> list[CoverageRow]:
        """Each essay's jargon coverage (computed on first use: it reads every word)."""
        return self.coverage_rows()


def run_check(
    root: Path,
    paths: Sequence[Path] | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    texts: Mapping[str, str] | None = None,
    parse_cache: ParseCache | None = None,
) -> CheckResult:
    """Check the book at or above `root`; with `paths`, report only on those files
    (still resolved against the whole book). `texts` replaces files' contents by
    path relative to the book root (an editor's unsaved buffer, a test's input).
    `parse_cache` keeps parsed pages between runs (the build's gate uses one)."""
    # Every parsed page lives until the end of the run, so the cyclic collector would
    # only rescan them again and again as they pile up (a cost that grows faster than
    # the book: about a tenth of the run at 300 essays). Pause it. Refcounting frees
    # nearly everything; the few cycles (a page's cached results that point back at the
    # page) wait for the collector's next pass after the run.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(root, paths, select, ignore, texts, parse_cache)
    finally:
        if collecting:
            gc.enable()


def _run(root: Path, paths: Sequence[Path] | None, select: Sequence[str] | None,
         ignore: Sequence[str] | None, texts: Mapping[str, str] | None,
         parse_cache: ParseCache | None = None) -> CheckResult:
    project = discover(root)
    found: list[Diagnostic] = list(project.diagnostics)
    config, problems = load_config(project.root)
    found.extend(problems)
    for option, codes in (("--select", select), ("--ignore", ignore)):
        for code in validate_prefixes(codes or ()):
            found.append(rules.make("CFG001", option, 1, 1,
                                    f"{code!r} is not a rule code or prefix",
                                    "see `essaykit rules` for the codes"))
    config = config.with_overrides(select, ignore)
    found.extend(_profile_problems(project, config))
    # a folder holding the whole book (a repository's root, where the book was found
    # below) chooses the whole book
    paths = [p for p in paths or () if not (p.is_dir() and project.kind != "none"
                                             and project.root.is_relative_to(p.resolve()))]
    selected = _selected_paths(project, paths, found) if paths else None
    if project.kind == "none":
        return _result(project, found, config, lambda *_: [], selected, 0)

    documents, front_matter_findings = _parse_pages(project, texts or {}, found, parse_cache)
    included = read_includes(project, documents, checker_parser(project.extensions,
                                                                project.heading_anchors), found)
    for doc in documents.values():
        add_code_cell_labels(doc)  # MyST-NB text notebooks name their cells' figures
    bibs = _read_bibs(project, found, parse_cache)
    if project.kind == "mystmd":  # its citations, labels and abbreviations
        config = mystmd_syntax.read_mystmd_syntax(project, config, documents, bibs)
    if parse_cache is not None:
        parse_cache.prune()  # what this run did not use: pages since edited or removed
    jargon_path = config.jargon or project.jargon
    index = BookIndex(project, config, documents, front_matter_findings, bibs,
                      _read_jargon(project, jargon_path, config, found), jargon_path)
    if selected is not None and _shared_file_chosen(selected, project, jargon_path, documents):
        selected = None
    for codes, function in CHECKS:
        if not any(config.enabled(code) and profile_allows(code, project, config)
                   for code in codes):
            continue
        try:
            found.extend(function(index))
        except Exception as err:  # a bug must not hide every other finding
            found.append(rules.make("CHK001", project.config_file or ".", 1, 1,
                                    f"check {function.__name__} failed: {err!r}",
                                    "please report this with the file that triggered it"))
    suppressions: dict[str, list[Suppression]] = {
        doc.path: doc.suppressions for doc in documents.values() if doc.suppressions}
    for bib in bibs:
        suppressions[bib.path] = bib_suppressions(bib.lines)
    kept = [
        dataclasses.replace(d, severity=config.severity_of(d.code, d.severity))
        for d in found
        if d.code.startswith(CONFIGURATION_CODES) or (
            config.enabled_for(d.code, d.path) and profile_allows(d.code, project, config)
            # an essay cannot waive the submission checks on itself; the editor can
            # (per-file-ignores in pyproject.toml)
            and (d.code.startswith(UNWAIVABLE)
                 or not is_suppressed(d, suppressions.get(d.path, ()))))
    ]
    def rows(only: Collection[str] | None = None) -> list[CoverageRow]:
        return [row for row in coverage(index, only)
                if selected is None or row.path in selected]

    return _result(project, kept, config, rows, selected, len(documents) - included, documents)


def profile_allows(code: str, project: Project, config: Config) -> bool:
    """Whether the book's profile runs rule `code`. An essaykit book runs every rule. A
    book essaykit did not write (Sphinx, Jupyter Book) is its authors' own: the
    contributor-safety rules (SEC) run only when `[tool.essaykit] contributor-safety`
    asks for them, and first-use glossary links (GLO002) only when `autolink-terms =
    false` says the project wants them."""
    if project.kind in ("essaykit", "none"):
        return True
    if code.startswith("SEC"):
        return config.contributor_safety is True
    if code == "GLO002":
        return config.autolink_terms is False
    return True


def _profile_problems(project: Project, config: Config) -> list[Diagnostic]:
    if project.kind == "essaykit" and config.contributor_safety is False:
        where, line = _config_line(project, "contributor-safety", config.source)
        return [rules.make("CFG001", where, line, 1,
                           "an essaykit book always runs the contributor-safety rules: "
                           "'contributor-safety = false' applies only to books essaykit did "
                           "not write", "take the setting out; to relax the rules for a page "
                           "the editor wrote, list it in book.yml's trusted:")]
    return []


def check_document_text(root: Path, path: str, text: str) -> CheckResult:
    """Check one page's text (not yet saved) against the rest of the book."""
    return run_check(root, [root / path], texts={path: text})


def _result(project: Project, found: list[Diagnostic], config: Config,
            rows: Callable[..., list[CoverageRow]], selected: set[str] | None, pages: int,
            documents: Mapping[str, Document] | None = None) -> CheckResult:
    if selected is not None:
        found = [d for d in found if d.path in selected or d.code.startswith(CONFIGURATION_CODES)]
    diagnostics = sort_diagnostics(found)
    counts = {str(s): sum(1 for d in diagnostics if d.severity == s) for s in Severity}
    if any(d.code.startswith(CONFIGURATION_CODES) for d in diagnostics):
        exit_code = 2
    elif counts["error"]:
        exit_code = 1
    else:
        exit_code = 0
    total = pages
    if selected is not None and documents:
        pages = sum(1 for path in documents if path in selected)
    return CheckResult(diagnostics, exit_code, project.kind, project.root, pages, counts, rows,
                       documents or {}, total)


def _selected_paths(project: Project, paths: Sequence[Path], found: list[Diagnostic]
                    ) -> set[str]:
    known = set(project.pages) | set(project.candidates) | set(project.bibfiles)
    chosen: set[str] = set()
    for path in paths:
        shown = relative_path(path, project.root)
        if not path.exists() and shown not in known:
            found.append(rules.make("CFG003", str(path), 1, 1, "no such file", ""))
        elif path.resolve() != project.root and not path.resolve().is_relative_to(project.root):
            found.append(rules.make("CFG003", str(path), 1, 1,
                                    f"not inside the book at {project.root}", ""))
        elif path.is_dir():
            prefix = "" if path.resolve() == project.root else shown.rstrip("/") + "/"
            chosen |= {page for page in known if page.startswith(prefix)}
            chosen |= {p for p in (project.config_file,) if p.startswith(prefix)}
        else:
            chosen.add(shown)
    return chosen


def _shared_file_chosen(selected: set[str], project: Project, jargon_path: str | None,
                        documents: Mapping[str, Document]) -> bool:
    """Whether a file other pages depend on was named: the book's configuration, a
    bibliography, the jargon watch-list or a glossary. A change to one shows up on
    other pages (a removed key, term or essay), so naming it checks the whole book;
    this is what a pre-commit hook, which passes only the changed files, needs."""
    shared = {project.config_file, "pyproject.toml", *project.bibfiles}
    if jargon_path:
        shared.add(jargon_path)
    return any(path in shared or (path in documents and documents[path].glossary)
               for path in selected)


def _parse_pages(project: Project, texts: Mapping[str, str], found: list[Diagnostic],
                 cache: ParseCache | None = None
                 ) -> tuple[dict[str, Document], dict[str, list[Diagnostic]]]:
    """Read and parse every page once; front matter is read once too (its findings are
    kept for the front-matter check)."""
    parser = checker_parser(project.extensions, project.heading_anchors)
    documents: dict[str, Document] = {}
    findings: dict[str, list[Diagnostic]] = {}
    essays, in_order = set(project.essays), set(project.pages)
    for page in dict.fromkeys(project.pages + project.candidates):
        if not page.endswith(TEXT_PAGES):
            continue
        text = texts.get(page)
        if text is None:
            read = read_source(project.root / page, page, limit=MAX_NOTEBOOK_BYTES
                               if page.endswith(".ipynb") else MAX_PAGE_BYTES)
            found.extend(read.findings)
            if read.text is None:
                continue
            text = read.text
        else:
            found.extend(scan_text(text, page))
        key = cache.key(project, page, text) if cache is not None else ""
        parsed = cache.get(key) if cache is not None else None
        if parsed is None:
            try:
                parsed = _parse_page(project, page, text, parser, page in essays,
                                     page in in_order)
            except Exception as err:  # markdown-it or a plugin tripped: report, go on
                found.append(rules.make("CHK001", page, 1, 1, f"could not parse: {err!r}",
                                        "please report this with the file"))
                continue
            if cache is not None:
                cache.put(key, parsed)  # before any check has touched it
        doc, problems = parsed
        found.extend(notebook_findings(doc))
        if problems is not None:
            findings[page] = problems
        documents[page] = doc
    return documents, findings


def _parse_page(project: Project, page: str, text: str, parser: MarkdownIt, essay: bool,
                in_order: bool) -> tuple[Document, list[Diagnostic] | None]:
    """One page's model and, for pages with a front-matter schema (pages in the book's
    order), its front-matter findings."""
    if page.endswith(".ipynb"):
        return parse_notebook(project, page, text, parser), None
    meta: dict[str, object] = {}
    problems = None
    if project.front_matter_schema and in_order:
        essay_meta, problems = parse_meta(text, page, schema="essay" if essay else "page")
        meta = {"title": essay_meta.title} if essay_meta else front_matter(text)
    elif project.title_to_header or project.kind == "sphinx":
        meta = front_matter(text)
    title = meta.get("title") if project.title_to_header else None
    doc = parse_document(text, page, project.docname(page), parser,
                         heading_anchors=project.heading_anchors, language=project.language,
                         title=title if isinstance(title, str) else None)
    doc.front_matter = meta
    if may_hold_script_url(text):
        doc.cache["script-hint"] = True
    return doc, problems


def _config_line(project: Project, key: str, file: str = "") -> tuple[str, int]:
    """Where a setting is written: the config file and the line naming `key`."""
    shown = file or project.config_file or "."
    try:
        lines = (project.root / shown).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return shown, 1
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*[:=]")
    return shown, next((n for n, line in enumerate(lines, 1) if pattern.match(line)), 1)


def _read_bibs(project: Project, found: list[Diagnostic],
               cache: ParseCache | None = None) -> list[BibFile]:
    """Every .bib of the book; with `cache`, one unchanged since the last run is
    loaded rather than parsed again."""
    bibs = []
    for bibfile in project.bibfiles:
        path = project.root / bibfile
        if not path.is_file():
            key = "bibliography" if project.kind in ("essaykit", "mystmd") else "bibtex_bibfiles"
            where, line = _config_line(project, key)
            found.append(rules.make("CFG002", where, line, 1,
                                    f"the bibliography {bibfile!r} does not exist",
                                    "create it or correct the path"))
            continue
        bibs.append(read_bib(path, bibfile) if cache is None
                    else _read_bib_cached(project, path, bibfile, cache))
    return bibs


def _read_bib_cached(project: Project, path: Path, shown: str, cache: ParseCache) -> BibFile:
    read = read_source(path, shown, limit=MAX_BIB_BYTES)
    if read.text is None:
        return BibFile(shown, [], findings=read.findings)
    key = cache.key(project, shown, read.text)
    bib = cache.get(key)
    if not isinstance(bib, BibFile):
        bib = read_bib_text(read.text, shown)
        cache.put(key, bib)  # before the reader's own findings are added below
    bib.findings[:0] = read.findings
    return bib


def _read_jargon(project: Project, jargon: str | None, config: Config,
                 found: list[Diagnostic]) -> list[tuple[str, int]]:
    if not jargon:
        return []
    try:
        lines = (project.root / jargon).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        where, line = (("pyproject.toml", 1) if config.jargon else
                       _config_line(project, "jargon"))
        reason = ("does not exist" if isinstance(err, FileNotFoundError)
                  else f"cannot be read: {err}")
        found.append(rules.make("CFG002", where, line, 1,
                                f"the jargon watch-list {jargon!r} {reason}",
                                "create it (one term per line, # for comments) "
                                "or remove the setting"))
        return []
    return [(line.strip(), number) for number, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")]
