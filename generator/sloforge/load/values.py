"""YAML events or nodes -> plain values (dict, list, str, int, float, bool, None) and
the line of every field; the builders behind load/documents.py."""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from sloforge.errors import Problem, SpecError

MAX_NODES = 200_000
MAX_DEPTH = 64
MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"

FieldPath = tuple[str | int, ...]
Built = tuple[object, dict[FieldPath, int]]  # a document's value and the line of each field


def field_text(path: FieldPath) -> str:
    """("slos", 1, "objective") -> "slos[1].objective"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def from_nodes(nodes: list[yaml.Node], name: str) -> Iterator[Built]:
    for node in nodes:
        builder = _Builder(name)
        yield builder.build(node, ()), builder.lines


def from_events(events: list[yaml.Event], name: str) -> Iterator[Built]:
    """Per document, from a stream without anchors, aliases or merge keys (nothing to expand)."""
    stream = iter(events)
    for event in stream:
        if isinstance(event, yaml.DocumentStartEvent):
            builder = _EventBuilder(name, stream)
            yield builder.build_event(next(stream), ()), builder.lines
            next(stream)  # its DocumentEndEvent


class _Builder:
    """Plain values from composed nodes, recording each field's line."""

    def __init__(self, name: str):
        self.name = name
        self.lines: dict[FieldPath, int] = {}
        self.count = 0
        self.scalars = SafeConstructor()

    def build(self, node: yaml.Node, path: FieldPath) -> object:
        self.enter(node.start_mark.line + 1, path)
        if isinstance(node, yaml.MappingNode):
            out: dict[object, object] = {}
            for key_node, value_node in node.value:
                if key_node.tag == MERGE:
                    merged = self.build(value_node, path)
                    if isinstance(merged, dict):
                        for k, v in merged.items():
                            out.setdefault(k, v)
                    continue
                key = self.key(out, self.build(key_node, path), key_node.start_mark.line + 1, path)
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node, node.start_mark.line + 1, path)

    def enter(self, line: int, path: FieldPath) -> None:
        """Bounds on depth and (alias-expanded) size; the line of the value at `path`."""
        if len(path) > MAX_DEPTH:
            raise SpecError([Problem(self.name, line, field_text(path[:3]) + "...",
                                     f"nested more than {MAX_DEPTH} levels deep; refusing to read it")])
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError([Problem(self.name, line, field_text(path),
                                     f"document expands to more than {MAX_NODES} values "
                                     "(an alias bomb?); refusing to read it")])
        self.lines.setdefault(path, line)

    def key(self, out: dict[object, object], key: object, line: int, path: FieldPath) -> str:
        """A mapping key as text; records its line."""
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise SpecError([Problem(self.name, line, field_text(path), "mapping keys must be plain text")])
        key = key if isinstance(key, str) else str(key)
        if key in out:
            raise SpecError([Problem(self.name, line, field_text(path + (key,)),
                                     "duplicate key (YAML would silently keep only the last)")])
        self.lines[path + (key,)] = line
        return key

    def scalar(self, node: yaml.Node, line: int, path: FieldPath) -> object:
        try:
            value = self.scalars.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. an int of 5,000 digits
            raise SpecError([Problem(self.name, line, field_text(path),
                                     f"invalid value: {getattr(exc, 'problem', exc)}")]) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise SpecError([Problem(self.name, line, field_text(path),
                                     f"{node.value} is not a finite number")])
        if value is not None and not isinstance(value, (str, int, float, bool)):
            # Specs are JSON-shaped: a YAML date or !!binary is read as the text it was written as,
            # so the schema can say what is expected instead of choking on a datetime.
            return str(node.value)
        return value


class _EventBuilder(_Builder):
    """The same values, lines and problems as _Builder, straight from the events of a
    document without anchors, aliases or merge keys: composing nodes first would cost
    a second parse (the C composer cannot reuse our events) and a node per value."""

    def __init__(self, name: str, events: Iterator[yaml.Event]):
        super().__init__(name)
        self.events = events  # shared: each collection reads on to its end event

    def build_event(self, event: yaml.Event, path: FieldPath) -> object:
        line = _line(event)
        self.enter(line, path)
        if isinstance(event, yaml.MappingStartEvent):
            out: dict[object, object] = {}
            for key_event in self.events:
                if isinstance(key_event, yaml.MappingEndEvent):
                    return out
                key = self.key(out, self.build_event(key_event, path), _line(key_event), path)
                out[key] = self.build_event(next(self.events), path + (key,))
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[object] = []
            for item in self.events:
                if isinstance(item, yaml.SequenceEndEvent):
                    return items
                items.append(self.build_event(item, path + (len(items),)))
        assert isinstance(event, yaml.ScalarEvent)
        tag = event.tag
        if tag is None or tag == "!":
            tag = _resolve(event.value, event.implicit)
        if tag == _STR:
            return event.value  # what SafeConstructor makes of a str node: its text
        return self.scalar(yaml.ScalarNode(tag, event.value, style=event.style), line, path)


def _line(event: yaml.Event) -> int:
    assert event.start_mark is not None  # the parser marks every event
    return event.start_mark.line + 1


@lru_cache(maxsize=4096)
def _resolve(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag the composer gives an untagged scalar (keys and many values repeat across files)."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, implicit)  # type: ignore[no-any-return]


_RESOLVER = Resolver()
