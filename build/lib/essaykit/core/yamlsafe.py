"""Load YAML safely, keeping each value's line, and refusing tags and aliases.

PyYAML's safe loader already refuses Python objects; we go further and refuse
anchors, aliases and explicit tags (the vehicles of "billion laughs" bombs and
type confusion) because metadata never needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

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


# Deeper than any metadata needs; a hostile file must not exhaust memory or the stack.
MAX_DEPTH = 64
_STR = "tag:yaml.org,2002:str"


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
        if isinstance(event, yaml.AliasEvent) or anchor:
            raise StrictYamlError(
                "YAML anchors and aliases are not allowed in front matter: they can multiply "
                "text without limit (a 'billion laughs' bomb)", *_where(event, first_line),
                code="FM007"
            )
        if tag and tag not in _PLAIN_TAGS and tag != "!":
            raise StrictYamlError(
                f"YAML tag {tag!r} is not allowed in front matter: tags change what a value "
                "is read as", *_where(event, first_line), code="FM007"
            )
    located = Located(None)
    located.value = _build(events, located, first_line)
    return located


def _where(event: yaml.Event, first_line: int) -> tuple[int, int]:
    start = event.start_mark
    return (start.line if start else 0) + first_line, (start.column if start else 0) + 1


class _Frame:
    """A mapping or sequence being filled, while its events are read."""

    __slots__ = ("container", "path", "key", "key_line", "wants_key")

    def __init__(self, container: dict[object, Any] | list[Any], path: tuple[object, ...]):
        self.container = container
        self.path = path
        self.key: object = None
        self.key_line = 0
        self.wants_key = isinstance(container, dict)


class _Values(yaml.SafeLoader):
    """A SafeLoader's resolver and constructor (its tables, as the loader has them), made
    without the reader, scanner and parser it would also set up: the events are parsed."""

    def __init__(self) -> None:  # (not the loader's own: no reader, no parser)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


# what each event does to the value being built (anything else: the stream's and the
# documents' other events, which hold no value)
_SCALAR, _SEQUENCE, _MAPPING, _END, _DOCUMENT = range(5)
_EVENT_KINDS: dict[type, int] = {
    yaml.ScalarEvent: _SCALAR, yaml.SequenceStartEvent: _SEQUENCE,
    yaml.MappingStartEvent: _MAPPING, yaml.SequenceEndEvent: _END, yaml.MappingEndEvent: _END,
    yaml.DocumentStartEvent: _DOCUMENT,
}


def _build(events: list[yaml.Event], out: Located, first_line: int) -> Any:
    """The document's value, straight from the parser's events (PyYAML's composer would
    first build a node tree, then we would walk it): plain data, each key's and value's
    line recorded in `out.lines` (a key's line, not its value's, is where a person looks)."""
    values = _Values()
    root: Any = None
    stack: list[_Frame] = []
    documents = 0
    for event in events:
        kind = _EVENT_KINDS.get(type(event))
        if kind is None:
            continue
        if kind == _END:
            stack.pop()
            continue
        if kind == _DOCUMENT:
            documents += 1
            if documents > 1:
                raise StrictYamlError("invalid YAML: a second document starts here "
                                      "('---' or '...' inside the block)",
                                      *_where(event, first_line))
            continue
        frame = stack[-1] if stack else None
        line = event.start_mark.line + first_line if event.start_mark else first_line
        if frame is None:
            path: tuple[object, ...] = ()
        elif frame.wants_key:
            key = _scalar(cast(yaml.ScalarEvent, event), values) if kind == _SCALAR else None
            if not isinstance(key, (str, int, float, bool)):
                raise StrictYamlError("mapping keys must be plain words",
                                      *_where(event, first_line))
            frame.key, frame.key_line, frame.wants_key = key, line, False
            continue
        elif isinstance(frame.container, list):
            path = frame.path + (len(frame.container),)
        else:
            path = frame.path + (frame.key,)
            line = frame.key_line
            frame.wants_key = True
        out.lines[path] = line
        value: Any
        if kind == _SCALAR:
            value = _scalar(cast(yaml.ScalarEvent, event), values)
        else:
            if len(stack) >= MAX_DEPTH:
                raise StrictYamlError(f"invalid YAML: nested more than {MAX_DEPTH} levels "
                                      "deep", *_where(event, first_line))
            value = [] if kind == _SEQUENCE else {}
            stack.append(_Frame(value, path))
        if frame is None:
            root = value
        elif isinstance(frame.container, list):
            frame.container.append(value)
        else:
            frame.container[frame.key] = value
    return root


def _scalar(event: yaml.ScalarEvent, loader: _Values) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value  # what the constructor would return, without making a node
    node = yaml.ScalarNode(tag, event.value, style=event.style)
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError):
        # e.g. `date: 2026-13-45` looks like a timestamp but is no date: keep the text,
        # and let the schema report it where it stands
        return event.value
