"""The second layer: the Sphinx build itself refuses what `essaykit check` refuses.

`essaykit build` runs the checker first and stops on any error. This module
makes a plain `sphinx-build` of the book safe too, or a build with the gate
switched off:

- docutils' `file_insertion_enabled` and `raw_enabled` are off when book.yml
  trusts nothing (the guarded directives decide page by page otherwise);
- MyST's HTML syntax is off (HTML shows as text), except in trusted pages;
- per-file MyST settings are ignored, and front-matter keys outside the essay
  schema (`myst:`, `substitutions:`, `html_meta:`) are blanked before MyST
  reads the page, line count kept;
- include, literalinclude, raw, csv-table, meta, eval-rst and the raw role
  refuse in untrusted pages (`guards`);
- images and downloads that lead outside the book, raw nodes in untrusted pages
  and javascript:/vbscript:/data: links are taken out of every page;
- a .bib that would explode, crash or leak stops the build with a clean
  message naming the file and line, before sphinxcontrib-bibtex reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ConfigError
from sphinx.util import logging

from essaykit.core.cachekey import stack_key
from essaykit.core.frontmatter import ESSAY_FIELDS, PAGE_FIELDS
from essaykit.core.limits import MAX_BIB_BYTES
from essaykit.core.trust import SCRIPT_SCHEME, escapes
from essaykit.sphinx_ext import guards
from essaykit.sphinx_ext.state import book_state

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)
SCHEMA_KEYS = frozenset(ESSAY_FIELDS) | frozenset(PAGE_FIELDS)


def setup(app: Sphinx) -> dict[str, object]:
    """Loaded by the essaykit extension's setup, after myst-parser is set up."""
    app.add_source_parser(guards.HardenedMystParser, override=True)
    app.add_directive("include", guards.GuardedInclude, override=True)
    app.add_directive("literalinclude", guards.GuardedLiteralInclude, override=True)
    app.add_directive("raw", guards.GuardedRaw, override=True)
    app.add_directive("csv-table", guards.GuardedCSVTable, override=True)
    app.add_directive("meta", guards.GuardedMeta, override=True)
    app.add_role("raw", guards.guarded_raw_role, override=True)
    app.connect("config-inited", disable_html_syntax, priority=200)  # after the book defaults
    app.connect("builder-inited", guard_bibliographies, priority=300)  # before sphinxcontrib-bibtex
    app.connect("env-get-outdated", reread_when_trust_changes)
    app.connect("env-before-read-docs", restrict_docutils)
    app.connect("source-read", guard_source, priority=100)
    app.connect("doctree-read", sweep_read, priority=300)  # before images are collected (500)
    app.connect("doctree-resolved", sweep_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _trusted_list(app: Sphinx) -> tuple[str, ...]:
    book = book_state(app.env).data["book"]
    return tuple(book.trusted) if book is not None else ()


def disable_html_syntax(app: Sphinx, config: Config) -> None:
    chosen = list(config.myst_disable_syntax or [])
    config.myst_disable_syntax = chosen + [n for n in guards.HTML_SYNTAX if n not in chosen]


def reread_when_trust_changes(app: Sphinx, env: BuildEnvironment, added: set[str],
                              changed: set[str], removed: set[str]) -> list[str]:
    """A page read under one allow-list must be read again under another."""
    if book_state(env).data["trusted"] != _trusted_list(app):
        return sorted(env.found_docs)
    return []


def restrict_docutils(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    trusted = _trusted_list(app)
    book_state(env).data["trusted"] = trusted
    # set every time: the environment (and these settings) persist between builds
    env.settings["file_insertion_enabled"] = bool(trusted)
    env.settings["raw_enabled"] = bool(trusted)


def guard_source(app: Sphinx, docname: str, source: list[str]) -> None:
    page = guards.page_of(app.env, docname)
    if escapes(Path(app.srcdir), page):
        logger.error(f"SEC002 {page} is a symbolic link leading outside the book; not read",
                     location=(docname, 1), type="essaykit", subtype="SEC002")
        source[0] = ""
        return
    source[0] = blank_parser_keys(source[0])


def blank_parser_keys(text: str) -> str:
    """The front matter with every top-level key outside the essay schema blanked,
    its lines kept (empty) so that line numbers do not move."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return text
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if end is None:
        return text
    keep = False
    for index in range(1, end):
        line = lines[index]
        first = line[:1]
        if first not in ("", " ", "\t", "\r", "\n", "-", "#"):  # a new top-level entry
            key, colon, _ = line.partition(":")
            keep = bool(colon) and key.strip().strip("'\"") in SCHEMA_KEYS
        if not keep:
            lines[index] = line[len(line.rstrip("\r\n")):]
    return "".join(lines)


def guard_bibliographies(app: Sphinx) -> None:
    """Refuse a .bib that would exhaust memory, crash pybtex or lead out of the book."""
    from essaykit.core.bib import read_bib_text
    from essaykit.core.textsafety import read_source

    files = app.config.bibtex_bibfiles or []
    root = Path(app.confdir)
    problems: list[str] = []
    # Files that passed before, byte for byte, are not parsed again: parsing a
    # large .bib took a tenth of a second of every rebuild.
    stamp = Path(app.doctreedir) / "essaykit-bib-guard"
    passed = _bib_digest(root, files, stack_key())
    try:
        if stamp.read_text(encoding="utf-8") == passed:
            return
    except OSError:
        pass
    for name in files:
        path = root / name
        if not path.is_file():
            continue  # sphinxcontrib-bibtex warns about it
        shown = str(path)
        if escapes(root, str(name)):
            problems.append(f"{shown}:1: SEC002 a symbolic link leading outside the book")
            continue
        read = read_source(path, shown, limit=MAX_BIB_BYTES)
        found = [d for d in read.findings if d.code in ("SEC010", "CHK002", "CHK003")]
        if read.text is not None:
            bib = read_bib_text(read.text, shown)
            found += bib.findings
            problems += [f"{shown}:{p.line}: CIT006 {p.message}" for p in bib.problems
                         if p.kind == "syntax"]
        problems += [f"{d.path}:{d.line}: {d.code} {d.message} ({d.hint})" for d in found]
    if problems:
        raise ConfigError("essaykit: the bibliography cannot be read safely:\n"
                          + "\n".join(problems))
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(passed, encoding="utf-8")
    except OSError:
        pass  # checked again next time


def _bib_digest(root: Path, files: list[str], version: str) -> str:
    """A digest of the .bib files' names, link targets and bytes, and essaykit's version."""
    import hashlib

    digest = hashlib.sha256(version.encode())
    for name in files:
        path = root / name
        digest.update(f"{name}\0{path.resolve()}\0".encode())
        try:
            if path.stat().st_size <= MAX_BIB_BYTES:
                digest.update(path.read_bytes())
            else:
                digest.update(b"too large")
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def sweep_read(app: Sphinx, doctree: nodes.document) -> None:
    """Take out of a freshly read page what must never reach the output."""
    env = app.env
    trusted = guards.trusted(env)
    for node in list(doctree.findall(nodes.image)):
        uri = str(node.get("uri", ""))
        problem = _local_problem(env, uri)
        if problem:
            _drop(env, node, "SEC001" if "script" not in problem else "SEC009",
                  f"image {problem}; left out")
    for node in list(doctree.findall(addnodes.download_reference)):
        problem = _local_problem(env, str(node.get("reftarget", "")))
        if problem:
            _drop(env, node, "SEC001", f"download {problem}; left out",
                  keep=nodes.inline("", node.astext()))
    if not trusted:
        for node in list(doctree.findall(nodes.raw)):
            _drop(env, node, "SEC006", "raw output in an untrusted page; left out")
    _sweep_urls(env, doctree)


def sweep_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Links made after reading (a bibliography's url fields) get the same rule."""
    _sweep_urls(app.env, doctree)


def _local_problem(env: BuildEnvironment, uri: str) -> str | None:
    if not uri or uri.startswith(("http://", "https://")) or "://" in uri:
        return None
    if SCRIPT_SCHEME.match(uri):
        return f"{uri[:40]!r} is a script URL"
    problem = guards.path_problem(env, uri)
    return None if problem and "not a file in the book" in problem else problem


def _sweep_urls(env: BuildEnvironment, doctree: nodes.document) -> None:
    for node in list(doctree.findall(nodes.reference)):
        uri = str(node.get("refuri", ""))
        if uri and SCRIPT_SCHEME.match(uri):
            _drop(env, node, "SEC009", f"link to a script URL {uri[:40]!r}; only its text is kept",
                  keep=nodes.inline("", "", *node.children))


def _drop(env: BuildEnvironment, node: nodes.Element, code: str, message: str,
          keep: nodes.Node | None = None) -> None:
    logger.error(f"{code} {message}", location=node, type="essaykit", subtype=code)
    if keep is not None:
        node.replace_self(keep)
    elif node.parent is not None:
        node.parent.remove(node)
