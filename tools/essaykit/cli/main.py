"""The `essaykit` command: thin front ends over the library.

Exit codes: 0 success, 1 the book has errors or the build failed, 2 usage or
configuration errors (as click and ruff do).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from essaykit.core.book import find_root
from essaykit.core.diagnostics import Diagnostic, EssaykitError, sort_diagnostics


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except EssaykitError as err:
        print_diagnostics(err.diagnostics)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    return parser_and_commands()[0]


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    """Each `essaykit COMMAND`'s parser, in the order `essaykit --help` lists them
    (the manual prints their help, and a test requires every one in it)."""
    return dict(parser_and_commands()[1].choices)


def parser_and_commands() -> tuple[argparse.ArgumentParser, Any]:
    """The parser, and what its add_subparsers() returned."""
    parser = argparse.ArgumentParser(
        prog="essaykit",
        description="Publish an edited collection of essays as a web book and a PDF.",
    )
    parser.add_argument("--version", action=VersionAction,
                        help="print essaykit's version (and Python's, Sphinx's, ...) and exit")
    parser.add_argument("--root", type=Path, default=None,
                        help="the book's folder (default: the nearest folder with book/book.yml)")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = commands.add_parser("build",
                                help="build the web book, the PDFs and the EPUB into _build/")
    only = build.add_mutually_exclusive_group()
    only.add_argument("--html-only", action="store_true", help="build only the web book")
    only.add_argument("--pdf-only", action="store_true", help="build only the PDFs")
    only.add_argument("--epub-only", action="store_true", help="build only the EPUB")
    only.add_argument("--formats", type=formats_list, default=None, metavar="LIST",
                      help="what to build, comma-separated from: " + ", ".join(FORMATS)
                      + " (default: all)")
    build.add_argument("--site-url", default=None, metavar="URL",
                       help="the address the web book is published at, for the sitemap and "
                       "link previews (default: $ESSAYKIT_SITE_URL, else book.yml's url:)")
    build.add_argument("--out", type=Path, default=None, help="output folder (default: _build)")
    build.add_argument("--strict", action="store_true",
                       help="treat Sphinx warnings as errors (the previous output is kept)")
    build.add_argument("--drafts", action="store_true",
                       help="include essays with status: draft, marked as drafts (a preview)")
    build.add_argument("--no-check", action="store_true",
                       help="skip the pre-build check (not for untrusted essays)")
    build.add_argument("-q", "--quiet", action="store_true", help="hide Sphinx's progress")
    build.set_defaults(handler=run_build)

    serve = commands.add_parser(
        "serve", help="live preview of the web book, rebuilt on every save",
        description="Build the web book (drafts included, marked) into _build/live, serve it "
                    "and rebuild on every save; the browser reloads when the page is ready. "
                    "A save with a contributor-safety error (SEC, CHK) is not built: the last "
                    "good preview stays up.")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")
    serve.set_defaults(handler=run_serve)

    new = commands.add_parser("new", help="start a new essay with valid front matter")
    new.add_argument("title", help="the essay's title")
    new.add_argument("--author", action="append", default=[], required=True,
                     help="an author's name (repeat for co-authors)")
    new.add_argument("--part", type=int, default=None,
                     help="the part to add it to, counting from 1 (default: the last)")
    new.add_argument("--slug", default=None,
                     help="the file name, without .md (default: made from the title)")
    new.set_defaults(handler=run_new)

    from essaykit.cli import check as cli_check
    from essaykit.cli import init as cli_init
    from essaykit.cli import status as cli_status

    cli_init.register(commands)
    cli_check.register(commands)
    cli_status.register(commands)
    return parser, commands


class VersionAction(argparse.Action):
    """`--version`, reporting the versions only when asked (reading them costs time)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from essaykit.core.version import version_report

        print(version_report())
        parser.exit()


FORMATS = ("html", "pdf", "epub")


def formats_list(text: str) -> frozenset[str]:
    chosen = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(chosen - set(FORMATS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return frozenset(chosen)


def chosen_formats(args: argparse.Namespace) -> frozenset[str]:
    if args.formats:
        return frozenset(args.formats)
    for name in FORMATS:
        if getattr(args, f"{name}_only"):
            return frozenset({name})
    return frozenset(FORMATS)


def root_of(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve() if args.root else find_root(Path.cwd())


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in sort_diagnostics(diagnostics):
        print(diagnostic.format_text(), file=sys.stderr)


def run_build(args: argparse.Namespace) -> int:
    from essaykit.build import BuildFailed, BuildOptions, build
    from essaykit.core.book import normal_site_url, site_url_problem

    site_url = args.site_url if args.site_url is not None else os.environ.get(
        "ESSAYKIT_SITE_URL", "")
    if site_url:
        problem = site_url_problem(site_url)
        if problem:
            source = "--site-url" if args.site_url is not None else "ESSAYKIT_SITE_URL"
            print(f"essaykit: {source}: {problem}", file=sys.stderr)
            return 2
        site_url = normal_site_url(site_url)
    formats = chosen_formats(args)
    options = BuildOptions(
        root=root_of(args),
        outdir=args.out,
        html="html" in formats,
        pdf="pdf" in formats,
        epub="epub" in formats,
        site_url=site_url,
        strict=args.strict,
        check=not args.no_check,
        quiet=args.quiet,
        drafts=args.drafts,
    )

    def report(message: str) -> None:
        print(f"essaykit: {message}", file=sys.stderr, flush=True)

    try:
        result = build(options, report)
    except BuildFailed as failure:
        print_diagnostics(failure.diagnostics)
        print(f"essaykit: build failed: {failure}", file=sys.stderr)
        return 1
    if result.unchanged:
        print(f"essaykit: nothing changed since the last build; {result.outdir} is up to date")
        return 0
    for name, path in result.outputs.items():
        if name.startswith(("pdf-", "epub-")) or name == "html":
            print(f"essaykit: {name:<11} {path}")
    timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.timings.items())
    warned = f", {len(result.warnings)} warning(s)" if result.warnings else ", no warnings"
    print(f"essaykit: built in {timings}{warned}")
    # the closing summary names them: they scrolled past among Sphinx's output
    for warning in result.warnings:
        print(f"essaykit:   warning: {warning.strip()}")
    if "status" in result.outputs:
        print(f"essaykit: {'dashboard':<11} {result.outputs['status'] / 'index.html'}")
    if result.changes is not None:
        from essaykit.cli.status import format_changes

        for line in format_changes(result.changes):
            print(f"essaykit: {line}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    try:
        from essaykit.live.server import serve
    except ImportError as err:  # the [serve] extra is not installed
        print(f"essaykit: the live preview needs essaykit[serve] ({err.name} is missing)",
              file=sys.stderr)
        return 2
    return serve(root_of(args), args.host, args.port, verbose=args.verbose)


def run_new(args: argparse.Namespace) -> int:
    from essaykit.scaffold import new_essay

    root = root_of(args)
    path = new_essay(root, args.title, args.author, part=args.part, slug=args.slug)
    print(f"essaykit: created {path.relative_to(root)} and added it to book/book.yml")
    return 0


def run() -> None:
    """The console script. The process ends when the command does, so a build
    leaves Python's cycle collector off at the end (see essaykit.collector)
    rather than walk the whole heap one last time; the exit itself is normal,
    so every atexit handler and child process is cleaned up."""
    from essaykit import collector

    # The application's logging, set before Sphinx loads the theme: one of the
    # theme's dependencies (accessible-pygments) calls logging.basicConfig(level=INFO)
    # when imported, which would print every INFO record of pikepdf and of
    # fontTools' subsetter into the build's output. basicConfig does nothing
    # once the root logger has a handler, so ours, first, stands.
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    collector.process_ends_after_command = True
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (`essaykit rules | head`): no traceback, and none at exit
        # when Python flushes stdout again (the recipe of Python's signal documentation)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
