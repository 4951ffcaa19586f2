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


def load(text: str, *, first_line: int = 1) -> Located:
    """Parse one YAML document. Raises StrictYamlError with a 1-based location."""
    try:
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
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
        line = event.start_mark.line + first_line
        column = event.start_mark.column + 1
        if isinstance(event, yaml.AliasEvent) or anchor:
            raise StrictYamlError(
                "YAML anchors and aliases are not allowed in metadata", line, column, code="FM007"
            )
        if tag and tag not in _PLAIN_TAGS and tag != "!":
            raise StrictYamlError(
                f"YAML tag {tag!r} is not allowed in metadata", line, column, code="FM007"
            )
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    located = Located(None)
    if node is None:
        return located
    located.value = _convert(node, (), located, first_line)
    return located


def _convert(node: yaml.Node, path: tuple[object, ...], out: Located, first_line: int) -> Any:
    out.lines[path] = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        result: dict[object, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int, float, bool)):
                raise StrictYamlError(
                    "mapping keys must be plain words",
                    key_node.start_mark.line + first_line,
                    key_node.start_mark.column + 1,
                )
            result[key] = _convert(value_node, path + (key,), out, first_line)
            # a key's line, not its value's, is where a person looks for it
            out.lines[path + (key,)] = key_node.start_mark.line + first_line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path + (index,), out, first_line)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        # e.g. `date: 2026-13-45` looks like a timestamp but is no date: keep the text,
        # and let the schema report it where it stands
        return node.value if isinstance(node, yaml.ScalarNode) else None
    finally:
        loader.dispose()
