"""The manual's generated parts, made from essaykit itself when the manual is built:
every command's --help (from the parser), every rule (from the rule registry),
and the configuration reference (from the schemas of book.yml, [tool.essaykit]
and the essays' front matter). So the manual cannot fall behind the code."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from essaykit.check import load_rules
from essaykit.check.output import selected_rules
from essaykit.cli.main import build_parser, command_parsers
from essaykit.core.book import BOOK_KEYS
from essaykit.core.frontmatter import ESSAY_FIELDS
from essaykit.core.settings import SETTINGS, Setting

HELP_WIDTH = "88"


def help_text(parser: argparse.ArgumentParser) -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH  # argparse wraps to the terminal; the manual is fixed
    try:
        return parser.format_help().rstrip()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def fence(text: str, language: str = "text") -> list[str]:
    ticks = "`" * max(3, max((len(run) for run in text.split() if set(run) == {"`"}),
                             default=0) + 1)
    return [f"{ticks}{language}", *text.splitlines(), ticks]


def commands_markdown() -> Iterator[str]:
    parser = build_parser()
    yield "## `essaykit`"
    yield ""
    yield from fence(help_text(parser))
    for name, command in command_parsers().items():
        yield ""
        yield f"## `essaykit {name}`"
        yield ""
        yield from fence(help_text(command))


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> Iterator[str]:
    load_rules()
    chosen = selected_rules()
    yield "| Code | Name | Severity | What it finds |"
    yield "| --- | --- | --- | --- |"
    for rule in chosen:
        yield (f"| [`{rule.code}`](#{rule.code.lower()}) | `{rule.name}` | {rule.severity} | "
               f"{cell(rule.summary)} |")
    for rule in chosen:
        yield ""
        yield f"({rule.code.lower()})="
        yield f"## {rule.code} `{rule.name}`"
        yield ""
        yield f"{rule.summary} Severity: {rule.severity}."
        if rule.why:
            yield ""
            yield f"**Why.** {rule.why}"
        for label, example in (("Bad", rule.bad), ("Good", rule.good)):
            if example:
                yield ""
                yield f"**{label}:**"
                yield ""
                yield from fence(example, "markdown")


def settings_markdown(settings: tuple[Setting, ...], language: str) -> Iterator[str]:
    yield "| Key | Value | Default | What it does |"
    yield "| --- | --- | --- | --- |"
    for setting in settings:
        yield (f"| `{setting.key}` | {cell(setting.kind)} | {cell(setting.default)} | "
               f"{cell(setting.help)} |")
    yield ""
    yield "Every key, with an example:"
    yield ""
    yield from fence("\n".join(setting.example for setting in settings), language)


def front_matter_markdown() -> Iterator[str]:
    yield "| Key | Type | Required |"
    yield "| --- | --- | --- |"
    for key, (_, kind, required) in ESSAY_FIELDS.items():
        yield f"| `{key}` | {cell(kind)} | {'yes' if required else 'no'} |"


GENERATORS = {
    "commands": commands_markdown,
    "rules": rules_markdown,
    "book-yml": lambda: settings_markdown(BOOK_KEYS, "yaml"),
    "tool-essaykit": lambda: settings_markdown(SETTINGS, "toml"),
    "front-matter": front_matter_markdown,
}


class Generated(SphinxDirective):
    """```{essaykit-generated} rules``` : Markdown made from essaykit, parsed in place."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        which = self.arguments[0]
        if which not in GENERATORS:
            raise self.error(f"unknown part {which!r}; choose from {', '.join(GENERATORS)}")
        container = nodes.Element()
        lines = StringList(list(GENERATORS[which]()), source=self.get_source_info()[0])
        self.state.nested_parse(lines, self.content_offset, container, match_titles=True)
        return list(container.children)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("essaykit-generated", Generated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
