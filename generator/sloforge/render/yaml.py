"""YAML text: the reference writer (PyYAML's emitter) and the fast path in front of it.

to_yaml first tries render/yaml_text.py, which writes the common shapes without the
emitter; whatever it leaves goes to the emitter, event by event.
"""

from __future__ import annotations

import io
from typing import Any

import yaml

from sloforge.render import yaml_text
from sloforge.render.yaml_quote import needs_quotes

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    pass


def _str_style(value: str) -> str | None:
    """`|` for text with line breaks; single quotes for text another YAML reader would
    misread as a number, bool, null, date, ... (yaml_quote.py; yaml_text.py applies the
    same rule); otherwise the emitter's choice."""
    if "\n" in value:
        if not any(ch in value for ch in "\t\r") and not value.endswith(" "):
            return "|"
        return None
    return "'" if needs_quotes(value) else None


def _str_representer(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=_str_style(value))


_Dumper.add_representer(str, _str_representer)

_OPTIONS: dict[str, Any] = {"default_flow_style": False, "allow_unicode": True, "width": 1_000_000, "indent": 2}


def _dump_slow(data: object) -> str:
    """PyYAML's own path; the reference output, and the fallback of to_yaml."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, **_OPTIONS)


# to_yaml first tries render/yaml_text.py, which writes the common shapes without the
# emitter; whatever it leaves takes the event path below.
# Why not just yaml.dump: PyYAML's representer and serializer are pure Python and
# cost ~4x the C emitter on big catalogs (tens of calls per scalar, plus two
# regex-based tag resolutions per scalar). to_yaml produces the same *events*
# the representer+serializer would (same tags, styles, implicit flags, flow
# style False) in one walk and hands them to the same C emitter, which still
# makes every quoting/layout decision, so the text is byte-identical. A str's
# event depends only on the str, so it is built once per call and reused.
# Anything outside plain JSON-like values (tuples, subclasses, ...) or a dict/
# list reached twice (yaml.dump writes anchors/aliases for those) falls back
# to yaml.dump. tests/core/test_render_yaml.py checks equality property-wise.
_MAP_START = yaml.MappingStartEvent(None, "tag:yaml.org,2002:map", True, flow_style=False)
_SEQ_START = yaml.SequenceStartEvent(None, "tag:yaml.org,2002:seq", True, flow_style=False)
_MAP_END = yaml.MappingEndEvent()
_SEQ_END = yaml.SequenceEndEvent()


class _Fallback(Exception):
    pass


class _Events:
    def __init__(self, dumper: _Dumper) -> None:
        self.dumper = dumper
        self.events: list[yaml.Event] = []
        self.seen: set[int] = set()
        self.strs: dict[str, yaml.ScalarEvent] = {}

    def scalar(self, tag: str, value: str, style: str | None) -> yaml.ScalarEvent:
        # The implicit flags exactly as the serializer computes them.
        resolve = self.dumper.resolve
        implicit = (resolve(yaml.ScalarNode, value, (True, False)) == tag,
                    resolve(yaml.ScalarNode, value, (False, True)) == tag)
        return yaml.ScalarEvent(None, tag, implicit, value, style=style)

    def once(self, value: object) -> None:
        if id(value) in self.seen:
            raise _Fallback
        self.seen.add(id(value))

    def walk(self, value: object) -> None:
        if type(value) is str:
            event = self.strs.get(value)
            if event is None:
                event = self.strs[value] = self.scalar("tag:yaml.org,2002:str", value, _str_style(value))
            self.events.append(event)
        elif type(value) is dict:
            self.once(value)
            self.events.append(_MAP_START)
            for key, item in value.items():
                self.walk(key)
                self.walk(item)
            self.events.append(_MAP_END)
        elif type(value) is list:
            self.once(value)
            self.events.append(_SEQ_START)
            for item in value:
                self.walk(item)
            self.events.append(_SEQ_END)
        elif type(value) in (int, float, bool) or value is None:
            node = self.dumper.represent_data(value)  # 'null', 'true', '1', '.inf', ...
            assert isinstance(node, yaml.ScalarNode)
            self.events.append(self.scalar(node.tag, node.value, node.style))
        else:
            raise _Fallback


def to_yaml(data: object) -> str:
    # Common shapes are written directly (render/yaml_text.py); the rest goes through the emitter.
    try:
        return yaml_text.document(data, _represent)
    except yaml_text.Unsupported:
        return _via_events(data)


def _represent(value: object) -> tuple[str, str]:
    node = _REPRESENTER.represent_data(value)
    return node.tag, node.value


_REPRESENTER = yaml.representer.SafeRepresenter()  # scalars only: it keeps no state for them


def _via_events(data: object) -> str:
    stream = io.StringIO()
    dumper = _Dumper(stream, sort_keys=False, **_OPTIONS)
    events = _Events(dumper)
    try:
        events.walk(data)
    except _Fallback:
        return _dump_slow(data)
    dumper.open()
    dumper.emit(yaml.DocumentStartEvent())
    for event in events.events:
        dumper.emit(event)
    dumper.emit(yaml.DocumentEndEvent())
    dumper.close()
    return stream.getvalue()
