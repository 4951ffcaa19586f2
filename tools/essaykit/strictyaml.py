"""Load YAML safely, keeping each value's line, and refusing tags and aliases.

PyYAML's safe loader already refuses Python objects; we go further and refuse
anchors, aliases and explicit tags (the vehicles of "billion laughs" bombs and
type confusion) because metadata never needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


class StrictYamlError(Exception):
    def __init__(self, message: str, line: int, column: int, *, code: str = "FM002"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.code = code


@dataclass
class Located:
    """A loaded YAML document plus the 1-based line of every key and value."""

    value: Any
    lines: dict[tuple[object, ...], int] = field(default_factory=dict)

    def line_of(self, *path: object, default: int = 1) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return default


_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


# libyaml's parser, when PyYAML was built with it: the same events and nodes, many
# times faster. Any error is re-raised by the pure-Python parser, so that messages
# and their positions are always PyYAML's own.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _parse_events(text: str) -> list[yaml.Event]:
    if _FAST_LOADER is not None:
        try:
            return list(yaml.parse(text, Loader=_FAST_LOADER))
        except yaml.YAMLError:
            pass
    return list(yaml.parse(text, Loader=yaml.SafeLoader))


def _compose(text: str) -> yaml.Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load(text: str, *, first_line: int = 1) -> Located:
    """Parse one YAML document. Raises StrictYamlError with a 1-based location."""
    try:
        events = _parse_events(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = (mark.line if mark else 0) + first_line
        column = (mark.column if mark else 0) + 1
        raise StrictYamlError(f"invalid YAML: {err.problem or err}", line, column) from None
    except yaml.YAMLError as err:  # pragma: no cover - defensive: non-marked errors
        raise StrictYamlError(f"invalid YAML: {err}", first_line, 1) from None
    for event in events:
        anchor = getattr(event, "anchor", None)
        tag = getattr(event, "tag", None)
        start = event.start_mark
        line = (start.line if start else 0) + first_line
        column = (start.column if start else 0) + 1
        if isinstance(event, yaml.AliasEvent) or anchor:
            raise StrictYamlError(
                "YAML anchors and aliases are not allowed in front matter: they can multiply "
                "text without limit (a 'billion laughs' bomb)", line, column, code="FM007"
            )
        if tag and tag not in _PLAIN_TAGS and tag != "!":
            raise StrictYamlError(
                f"YAML tag {tag!r} is not allowed in front matter: tags change what a value "
                "is read as", line, column, code="FM007"
            )
    node = _compose(text)
    located = Located(None)
    if node is None:
        return located
    located.value = _convert(node, (), located, first_line)
    return located


def _convert(node: yaml.Node, path: tuple[object, ...], out: Located, first_line: int,
             loader: yaml.SafeLoader | None = None) -> Any:
    if loader is None:  # one constructor for the whole document: making one is not cheap
        loader = yaml.SafeLoader("")
        try:
            return _convert(node, path, out, first_line, loader)
        finally:
            loader.dispose()
    out.lines[path] = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        result: dict[object, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, loader) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int, float, bool)):
                raise StrictYamlError(
                    "mapping keys must be plain words",
                    key_node.start_mark.line + first_line,
                    key_node.start_mark.column + 1,
                )
            result[key] = _convert(value_node, path + (key,), out, first_line, loader)
            # a key's line, not its value's, is where a person looks for it
            out.lines[path + (key,)] = key_node.start_mark.line + first_line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path + (index,), out, first_line, loader)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node, loader)


def _scalar(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        # e.g. `date: 2026-13-45` looks like a timestamp but is no date: keep the text,
        # and let the schema report it where it stands
        return node.value if isinstance(node, yaml.ScalarNode) else None
