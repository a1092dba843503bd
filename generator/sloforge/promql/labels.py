"""Which labels a PromQL expression's result carries: the checks behind `group_by`
and the aggregation that makes an SLI's two queries meet on the same labels.

We walk the parsed AST (promql-parser) and follow the label names outwards, as
Prometheus computes them:
- a selector carries the series' own labels (only the data knows which: *open*);
- `sum by (a)` keeps exactly `a` (*closed*), `sum without (a)` removes `a`, `sum`
  keeps none; `topk`/`bottomk`/`limitk` return their input series unchanged;
- a function passes its vector argument's labels through, except those that make
  fresh vectors (`vector`, `absent`, `time` ...), `label_replace`/`label_join`,
  which add their target label, and `histogram_quantile`, which drops `le`;
- `a / b` matches equal label sets, so its series carry what both sides carry;
  `on (x)` keeps only `x`, `ignoring (x)` removes `x`; `group_left`/`group_right`
  keep the "many" side's labels (plus the included ones);
- `and`/`unless` return left-hand series; `or` returns series of either side, except
  that a constant fallback (`or vector(0)`, no selector in it) is not a data series.
A result can mix kinds of series (`a or b`), so a shape is a set of alternatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sloforge import promql

# Aggregations that return input series unchanged (a subset of them).
_SELECTING_AGGREGATIONS = {"topk", "bottomk", "limitk", "limit_ratio"}
# Functions whose result has none of its input's labels, whatever the arguments.
_FRESH_VECTOR_FUNCTIONS = {"vector", "absent", "absent_over_time"}
# Functions that return a scalar.
_SCALAR_FUNCTIONS = {"scalar", "time", "pi"}
# Called without an argument these read the evaluation time (`vector(time())`);
# with one they pass its labels through like any other function.
_TIME_FUNCTIONS = {"minute", "hour", "day_of_month", "day_of_week", "day_of_year", "days_in_month",
                   "month", "year"}
_LABEL_SETTING_FUNCTIONS = {"label_replace", "label_join"}  # their 2nd argument is the label set


@dataclass(frozen=True, slots=True)
class _Series:
    """The label names of one kind of result series.

    Closed: exactly `names`. Open: the selected series' own labels, minus `removed`.
    Unknown (an expression kind we do not model): nothing is assumed about it."""

    open: bool
    names: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    known: bool = True

    def carries(self, label: str) -> bool:
        if not self.known:
            return False
        return label not in self.removed if self.open else label in self.names

    def keep(self, labels: frozenset[str]) -> _Series:
        """`by (labels)` / `on (labels)`: only those of `labels` this series carries."""
        return _closed(frozenset(label for label in labels if self.carries(label)))

    def drop(self, labels: frozenset[str]) -> _Series:
        """`without (labels)` / `ignoring (labels)`."""
        if not self.known:
            return self
        if self.open:
            return _Series(True, removed=self.removed | labels)
        return _closed(self.names - labels)

    def add(self, labels: frozenset[str]) -> _Series:
        """`label_replace(v, "dst", ...)` / `group_left (labels)`: these are set."""
        if not self.known:
            return self
        if self.open:
            return _Series(True, removed=self.removed - labels)
        return _closed(self.names | labels)

    def meet(self, other: _Series) -> _Series:
        """A one-to-one match: both sides have equal label sets, so a label is on the
        result only when both sides carry it."""
        if not (self.known and other.known):
            return _UNKNOWN
        if self.open and other.open:
            return _Series(True, removed=self.removed | other.removed)
        if self.open or other.open:
            closed, open_ = (other, self) if self.open else (self, other)
            return _closed(closed.names - open_.removed)
        return _closed(self.names & other.names)


def _closed(names: frozenset[str]) -> _Series:
    return _Series(False, names)


_OPEN = _Series(True)
_UNKNOWN = _Series(False, known=False)
_NONE = _closed(frozenset())
Shape = frozenset[_Series]  # the kinds of series a result can hold
_SCALAR: Shape = frozenset()  # a scalar: no series (it takes the other side's labels)


def dropped_labels(expr: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The labels of `wanted` that some series of `expr`'s result may not carry, in
    `wanted`'s order. `expr` must be valid PromQL (callers check that first)."""
    if not wanted:
        return ()
    shape = _vector(promql.parse(expr))
    return tuple(label for label in wanted if not all(series.carries(label) for series in shape))


def exact_labels(expr: str) -> frozenset[str] | None:
    """The label names every series of `expr`'s result carries, when they are known
    exactly (`sum by (route) (...)` -> {route}, `sum(...)` -> {}); None when the
    result keeps series labels only the data knows (a selector, `rate(x[5m])`)."""
    shape = _vector(promql.parse(expr))
    kinds = {series.names if series.known and not series.open else None for series in shape}
    return kinds.pop() if len(kinds) == 1 else None


def aggregated(query: str, labels: tuple[str, ...], op: str = "sum") -> str:
    """`query` aggregated to exactly `labels`: unchanged when its result already has
    exactly those label names, else `sum by (labels)(query)` (`op` for another
    aggregation). `query` may hold the `{{ window }}` placeholder."""
    if has_exactly(query, labels):
        return query
    return f"{op}{by_clause(labels)}({query.strip()})"


def by_clause(labels: tuple[str, ...]) -> str:
    return f" by ({', '.join(labels)})" if labels else ""


@lru_cache(maxsize=16384)
def has_exactly(query: str, labels: tuple[str, ...]) -> bool:
    """True when every series of `query`'s result has exactly the label names `labels`
    (`query` may hold the `{{ window }}` placeholder)."""
    found = _outer_aggregation(query)
    if found is None:
        found = exact_labels(promql.with_window(query, "5m"))
    return found == frozenset(labels)


# `sum(...)`, `sum by (a, b) (...)`, optionally after `1 -`: the shapes most queries have.
_OUTER = re.compile(r"\s*(?:\d+(?:\.\d*)?\s*[-+*/]\s*)?(?:sum|min|max|avg|count|group)\s*"
                    r"(?:by\s*\(([\w\s,]*)\)\s*)?\(")
_STRING_OR_PAREN = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`|[()#]")


def _outer_aggregation(query: str) -> frozenset[str] | None:
    """The labels of an aggregation spanning the whole query, read without parsing it
    (~100x faster than the parser, which loading already ran but could not keep for
    thousands of queries); None for any other shape, which the parser then reads."""
    match = _OUTER.match(query)
    if match is None:
        return None
    depth = 1
    for token in _STRING_OR_PAREN.finditer(query, match.end()):
        text = token.group(0)
        if text == "#":
            return None  # a comment: leave it to the parser
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
            if depth == 0:
                if query[token.end():].strip():
                    return None  # `sum(a) / sum(b)`, `sum(a) by (x)`: not one aggregation
                return frozenset(label.strip() for label in (match.group(1) or "").split(",") if label.strip())
    return None


def _vector(node: Any) -> Shape:
    """The shape of a whole query: a scalar becomes one label-free series."""
    return _shape(node) or frozenset({_NONE})


def _shape(node: Any) -> Shape:
    kind = type(node).__name__
    if kind in ("VectorSelector", "MatrixSelector"):
        return frozenset({_OPEN})
    if kind in ("NumberLiteral", "StringLiteral"):
        return _SCALAR
    if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return _shape(node.expr)
    if kind == "AggregateExpr":
        return _aggregation(node)
    if kind == "Call":
        return _call(node)
    if kind == "BinaryExpr":
        return _binary(node)
    return frozenset({_UNKNOWN})


def _aggregation(node: Any) -> Shape:
    inner = _vector(node.expr)
    op = str(node.op)
    if op in _SELECTING_AGGREGATIONS:
        return inner  # whole input series, whatever `by` picks the top of
    modifier = node.modifier
    extra = frozenset({node.param.val}) if op == "count_values" else frozenset()
    if modifier is None:
        return frozenset({_closed(extra)})
    labels = frozenset(modifier.labels)
    if str(modifier.type).endswith("By"):
        return frozenset(series.keep(labels).add(extra) for series in inner)
    return frozenset(series.drop(labels).add(extra) for series in inner)


def _call(node: Any) -> Shape:
    name = node.func.name
    if name in _SCALAR_FUNCTIONS:
        return _SCALAR
    if name in _FRESH_VECTOR_FUNCTIONS or (name in _TIME_FUNCTIONS and not node.args):
        return frozenset({_NONE})
    vectors = [arg for arg in node.args if _shape(arg) != _SCALAR]
    if not vectors:
        return frozenset({_NONE})
    inner = _vector(vectors[0])
    if name in _LABEL_SETTING_FUNCTIONS and len(node.args) > 1:
        target = frozenset({node.args[1].val})
        return frozenset(series.add(target) for series in inner)
    if name == "histogram_quantile":
        return frozenset(series.drop(frozenset({"le"})) for series in inner)
    return inner


def _binary(node: Any) -> Shape:
    lhs, rhs = _shape(node.lhs), _shape(node.rhs)
    if lhs == _SCALAR or rhs == _SCALAR:
        return lhs or rhs  # scalar op vector: the vector's series
    op = str(node.op)
    if op in ("and", "unless"):
        return lhs
    if op == "or":
        # `x or vector(0)`: the constant is what the query reads with no data at all,
        # not a series that competes with x's.
        if _constant(node.rhs) and not _constant(node.lhs):
            return lhs
        if _constant(node.lhs) and not _constant(node.rhs):
            return rhs
        return lhs | rhs
    modifier = node.modifier
    card = str(modifier.card) if modifier is not None else "OneToOne"
    matching = modifier.matching if modifier is not None else None
    if card.endswith("ManyToOne") or card.endswith("OneToMany"):
        many, one = (lhs, rhs) if card.endswith("ManyToOne") else (rhs, lhs)
        included = frozenset(label for label in modifier.group_labels
                             if all(series.carries(label) for series in one))
        return frozenset(series.add(included) for series in many)
    labels = frozenset(matching.labels) if matching is not None else frozenset()
    on = matching is not None and str(matching.type).endswith("Include")
    return frozenset(
        left.meet(right).keep(labels) if on else left.meet(right).drop(labels)
        for left in lhs for right in rhs)


def _constant(node: Any) -> bool:
    """True when no selector is inside `node` (`vector(0)`, `vector(1) * 0`)."""
    kind = type(node).__name__
    if kind in ("VectorSelector", "MatrixSelector"):
        return False
    if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr", "AggregateExpr"):
        return _constant(node.expr)
    if kind == "Call":
        return all(_constant(arg) for arg in node.args)
    if kind == "BinaryExpr":
        return _constant(node.lhs) and _constant(node.rhs)
    return True
