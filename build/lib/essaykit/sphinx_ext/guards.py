"""Directives, a role and a MyST parser that refuse what an untrusted essay may not do.

Each replaces the standard one under the same name. In a page the editor trusts
(book.yml, `trusted:`) it behaves as the original, except that no path may lead
outside the book; elsewhere it logs an error at the page and line, and puts
nothing into the page. The same allow-list and the same path rules as
`essaykit check` (`essaykit.core.trust`) decide.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.directives.misc import Raw
from docutils.parsers.rst.roles import raw_role
from docutils.parsers.rst.states import Inliner
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers.mdit import create_md_parser
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include
from sphinx.directives.patches import CSVTable
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from essaykit import compat
from essaykit.core.trust import Where, is_trusted, locate
from essaykit.sphinx_ext.state import book_state

logger = logging.getLogger(__name__)
HTML_SYNTAX = ("html_block", "html_inline")


def page_of(env: BuildEnvironment, docname: str) -> str:
    """The page's path, posix and relative to the source folder."""
    return PurePosixPath(Path(env.doc2path(docname, False)).as_posix()).as_posix()


def trusted(env: BuildEnvironment, docname: str | None = None) -> bool:
    entries: tuple[str, ...] = book_state(env).data["trusted"] or ()
    return bool(entries) and is_trusted(page_of(env, docname or env.docname), entries)


def refuse(env: BuildEnvironment, line: int | None, code: str, message: str) -> None:
    logger.error(f"{code} {message}", location=(env.docname, line), type="essaykit",
                 subtype=code)


def path_problem(env: BuildEnvironment, target: str, *, rooted: bool = True) -> str | None:
    """Why a file named in the current page may not be read (None when it may)."""
    folder = PurePosixPath(page_of(env, env.docname)).parent.as_posix()
    found = locate(Path(env.srcdir), "" if folder == "." else folder, target, rooted=rooted)
    return {
        Where.INSIDE: None,
        Where.OUTSIDE: f"{target!r} is outside the book",
        Where.HIDDEN: f"{target!r} is a hidden file",
        Where.SYMLINK: f"{target!r} is a symbolic link leading outside the book",
        Where.REMOTE: f"{target!r} would be fetched from the web",
        Where.SCRIPT: f"{target!r} is a script URL",
        Where.OTHER: f"{target!r} is not a file in the book",
    }[found.where]


def _refused_inclusion(directive: SphinxDirective) -> bool:
    """Refuse (and report) an include-like directive on an untrusted page, or of a
    file outside the book; True when refused."""
    if not trusted(directive.env):
        refuse(directive.env, directive.lineno, "SEC004",
               f"{{{directive.name}}} is refused: this page is not trusted (book.yml, trusted:)")
        return True
    problem = path_problem(directive.env, directive.arguments[0])
    if problem:
        refuse(directive.env, directive.lineno, "SEC001",
               f"{{{directive.name}}} refused: {problem}")
        return True
    return False


class GuardedInclude(SphinxDirective):
    """`include`: trusted pages only, and only files inside the book.

    It does not subclass docutils' Include on purpose: myst-parser hands such
    classes straight to its own MockIncludeDirective, without calling `run`.
    For a trusted page this one hands over to the same machinery itself.
    """

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec = {**Include.option_spec, "relative-images": directives.flag,
                   "relative-docs": directives.path, "heading-offset": directives.nonnegative_int}

    def run(self) -> list[nodes.Node]:
        if _refused_inclusion(self):
            return []
        renderer = compat.myst_renderer(self.state)
        if renderer is not None:  # in Markdown: myst-parser's own include
            from myst_parser.mocking import MockIncludeDirective

            return list(MockIncludeDirective(
                renderer, name=self.name, klass=Include, arguments=self.arguments,
                options=self.options, body=list(self.content), lineno=self.lineno).run())
        return list(Include(self.name, self.arguments, self.options, self.content,
                            self.lineno, self.content_offset, self.block_text, self.state,
                            self.state_machine).run())


class GuardedLiteralInclude(LiteralInclude):
    def run(self) -> list[nodes.Node]:
        if _refused_inclusion(self):
            return []
        return list(super().run())


class GuardedRaw(Raw, SphinxDirective):  # type: ignore[misc]
    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        if not trusted(env):
            refuse(env, self.lineno, "SEC006", "{raw} is refused: this page is not trusted")
            return []
        if "url" in self.options:
            refuse(env, self.lineno, "SEC003", "{raw} :url: is refused: the build fetches nothing")
            return []
        problem = path_problem(env, self.options["file"], rooted=False) \
            if "file" in self.options else None
        if problem:
            refuse(env, self.lineno, "SEC001", f"{{raw}} :file: refused: {problem}")
            return []
        return super().run()  # type: ignore[no-any-return]


class GuardedCSVTable(CSVTable):
    """csv-table: `:file:` inside the book is an essay's own data; `:url:` is never fetched."""

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        if "url" in self.options:
            refuse(env, self.lineno, "SEC003",
                   "{csv-table} :url: is refused: the build fetches nothing")
            return []
        if "file" not in self.options:
            return super().run()
        problem = path_problem(env, self.options["file"], rooted=False)
        if problem:
            refuse(env, self.lineno, "SEC001", f"{{csv-table}} :file: refused: {problem}")
            return []
        # the file is vetted; docutils' switch is off for every other kind of insertion
        settings = self.state.document.settings
        before = settings.file_insertion_enabled
        settings.file_insertion_enabled = True
        try:
            return super().run()
        finally:
            settings.file_insertion_enabled = before


class GuardedMeta(SphinxDirective):
    has_content = True

    def run(self) -> list[nodes.Node]:
        if not trusted(self.env):
            refuse(self.env, self.lineno, "SEC008", "{meta} is refused: this page is not trusted")
            return []
        from docutils.parsers.rst.directives.html import Meta

        return Meta(self.name, self.arguments, self.options, self.content,  # type: ignore[no-any-return]
                    self.lineno, self.content_offset, self.block_text, self.state,
                    self.state_machine).run()


def guarded_raw_role(name: str, rawtext: str, text: str, lineno: int, inliner: Inliner,
                     options: dict[str, Any] | None = None, content: list[str] | None = None,
                     ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    env = inliner.document.settings.env
    if not trusted(env):
        refuse(env, lineno, "SEC006", f"{{{name}}} is refused: this page is not trusted")
        return [nodes.Text(text)], []
    return raw_role(name, rawtext, text, lineno, inliner, options or {}, content or [])


class HardenedRenderer(SphinxRenderer):
    def render_restructuredtext(self, token: Any) -> None:
        env = self.sphinx_env
        if env is not None and not trusted(env):
            line = (token.map[0] + 1) if token.map else None
            refuse(env, line, "SEC007", "{eval-rst} is refused: this page is not trusted")
            return
        super().render_restructuredtext(token)


class HardenedMystParser(MystParser):
    """myst-parser's parser, with per-file settings ignored (a page's `myst:` front
    matter can switch on extensions that run code) and HTML only in trusted pages."""

    def parse(self, inputstring: str, document: nodes.document) -> None:
        env = document.settings.env
        config = env.myst_config
        if trusted(env):
            config = dataclasses.replace(config, disable_syntax=[
                name for name in config.disable_syntax if name not in HTML_SYNTAX])
        parser = create_md_parser(config, HardenedRenderer)
        parser.options["document"] = document
        parser.render(inputstring)
