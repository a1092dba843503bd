"""JSON with named holes: build a structure once, fill copies of it many times.

A service dashboard has ~100 panels that differ only in their data (title,
position, queries, colours); the JSON structure around that data is the same
for every panel of a kind. fill.py therefore has the Foundation SDK
write each panel *shape* once, with `slot` markers where the data goes, and
fills the result per panel, instead of building and converting ~40 SDK
objects per panel. `plain` turns SDK objects into the JSON templates hold.

Filling copies only the containers on the way to a slot. Everything else is
shared between all filled results, so treat them as read-only (they are
serialised, never edited).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

Values = dict[str, Any]
Filler = Callable[[Values], Any]


@dataclass(frozen=True, slots=True)
class Slot:
    """A hole named `name`; `many` stands for any number of items of its list."""

    name: str
    many: bool = False

    def build(self) -> Slot:
        """Stand in for an SDK builder too: the builder method stores the slot as is."""
        return self


def slot(name: str, many: bool = False) -> Any:
    """A Slot, typed to fit wherever a value goes."""
    return Slot(name, many)


class Template:
    """JSON with Slots, from SDK objects (see `plain`); `fill` puts values in the slots."""

    def __init__(self, obj: object) -> None:
        skeleton = plain(obj)
        filler = _filler(skeleton)
        self.fill: Filler = filler if filler is not None else (lambda values: skeleton)


# JSON leaves, by exact type: checked before anything else because they are
# most of the values (subclasses such as StrEnum take the slow path).
_LEAVES = frozenset({str, int, float, bool, type(None)})


def plain(obj: object) -> Any:
    """SDK objects -> plain JSON values, as the SDK's JSONEncoder would serialise them
    (`to_json()` all the way down, enums by value) but without a text round trip.
    Slots stay as they are."""
    kind = type(obj)
    if kind is dict:
        return {key: value if type(value) in _LEAVES else plain(value)
                for key, value in obj.items()}  # type: ignore[attr-defined]
    if kind is list or kind is tuple:
        return [value if type(value) in _LEAVES else plain(value) for value in obj]  # type: ignore[attr-defined]
    if kind in _LEAVES or kind is Slot:
        return obj
    if isinstance(obj, Enum):
        return plain(obj.value)
    to_json = getattr(obj, "to_json", None)
    if callable(to_json):
        return plain(to_json())
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _filler(node: Any) -> Filler | None:
    """How to fill `node`; None when it holds no slot (the node is shared as is)."""
    if type(node) is Slot:
        if node.many:
            raise ValueError(f"slot {node.name!r} stands for list items but is not in a list")
        name = node.name
        return lambda values: values[name]
    if type(node) is dict:
        return _dict_filler(node)
    if type(node) is list:
        return _list_filler(node)
    return None


def _dict_filler(node: dict[str, Any]) -> Filler | None:
    direct: list[tuple[str, str]] = []  # (key, slot name): set without a call each, the common case
    nested: list[tuple[str, Filler]] = []
    for key, value in node.items():
        if type(value) is Slot and not value.many:
            direct.append((key, value.name))
        elif (filler := _filler(value)) is not None:
            nested.append((key, filler))
    if not direct and not nested:
        return None

    def fill(values: Values) -> dict[str, Any]:
        out = node.copy()  # same keys in the same order: setting a key keeps its place
        for key, name in direct:
            out[key] = values[name]
        for key, filler in nested:
            out[key] = filler(values)
        return out

    return fill


def _list_filler(node: list[Any]) -> Filler | None:
    parts: list[tuple[str, Any]] = []  # ("item", value) | ("many", slot name) | ("fill", filler)
    for item in node:
        if type(item) is Slot and item.many:
            parts.append(("many", item.name))
        elif (filler := _filler(item)) is not None:
            parts.append(("fill", filler))
        else:
            parts.append(("item", item))
    if all(how == "item" for how, _ in parts):
        return None

    def fill(values: Values) -> list[Any]:
        out: list[Any] = []
        for how, what in parts:
            if how == "many":
                out.extend(values[what])
            elif how == "fill":
                out.append(what(values))
            else:
                out.append(what)
        return out

    return fill
