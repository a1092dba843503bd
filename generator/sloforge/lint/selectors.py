"""The series selectors inside a PromQL expression, and whether a label value matches one.

Used to explain a query that matches nothing: which of its matchers names a label the
metric never had, or a value no series ever carried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sloforge import promql

_CHILDREN = ("expr", "lhs", "rhs", "vector_selector", "param")


@dataclass(frozen=True, slots=True)
class Matcher:
    name: str
    op: str  # "=", "!=", "=~", "!~"
    value: str

    def matches(self, actual: str) -> bool:
        """Prometheus' semantics: regexes are anchored; a missing label is the empty string."""
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        try:
            found = re.fullmatch(self.value, actual) is not None
        except re.error:  # RE2 syntax Python lacks: do not claim a mismatch
            return True
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f"{self.name}{self.op}{promql.string(self.value)}"


@dataclass(frozen=True, slots=True)
class Selector:
    metric: str | None
    matchers: tuple[Matcher, ...]

    def text(self, without: str | None = None) -> str:
        """The selector as PromQL, optionally leaving out the matchers of one label."""
        kept = [str(m) for m in self.matchers if m.name != without]
        inner = ", ".join(kept)
        if self.metric:
            return f"{self.metric}{{{inner}}}"
        return f"{{{inner}}}"


_OPS = {"Equal": "=", "NotEqual": "!=", "Re": "=~", "NotRe": "!~"}


def selectors(expr: str) -> list[Selector]:
    """Every vector selector in `expr` (a valid query with its window filled in)."""
    found: list[Selector] = []
    _walk(promql.parse(expr), found)
    return found


def _walk(node: Any, found: list[Selector]) -> None:
    kind = type(node).__name__
    if kind == "VectorSelector":
        matchers = tuple(Matcher(m.name, _OPS[str(m.op).rpartition(".")[2]], m.value)
                         for m in node.matchers.matchers if m.name != "__name__")
        found.append(Selector(node.name or None, matchers))
        return
    for attribute in _CHILDREN:
        child = getattr(node, attribute, None)
        if child is not None and not isinstance(child, (str, int, float)):
            _walk(child, found)
    for arg in getattr(node, "args", None) or ():
        _walk(arg, found)
