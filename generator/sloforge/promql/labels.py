"""Which labels a PromQL expression can lose: the check behind `group_by`.

A grouped SLO (`group_by: [route]`) is one SLO per label combination, so
every query it reads must keep those labels. We walk the parsed AST
(promql-parser) and follow the labels outwards: an aggregation keeps only its
`by` labels (or drops its `without` labels), a vector/vector operation keeps
the labels of its "many" side, a function returning a fresh vector keeps
none. A selector is taken to carry every label: only the data knows.
"""

from __future__ import annotations

from typing import Any

from sloforge import promql

# Aggregations that return input series unchanged (a subset of them).
_SELECTING_AGGREGATIONS = {"topk", "bottomk", "limitk", "limit_ratio"}
# Functions whose result has no labels of their input.
_LABEL_FREE_FUNCTIONS = {"vector", "scalar", "time", "absent", "absent_over_time", "pi",
                         "minute", "hour", "day_of_month", "day_of_week", "day_of_year",
                         "days_in_month", "month", "year"}
_SET_OPERATORS = {"and", "unless"}


def dropped_labels(expr: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The labels of `wanted` that `expr`'s result may not carry, in `wanted`'s order.

    `expr` must be valid PromQL (callers check that first)."""
    if not wanted:
        return ()
    lost = _lost(promql.parse(expr), set(wanted))
    return tuple(label for label in wanted if label in lost)


def _lost(node: Any, wanted: set[str]) -> set[str]:
    kind = type(node).__name__
    if kind in ("VectorSelector", "MatrixSelector"):
        return set()
    if kind in ("NumberLiteral", "StringLiteral"):
        return set(wanted)
    if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return _lost(node.expr, wanted)
    if kind == "AggregateExpr":
        return _aggregation_lost(node, wanted)
    if kind == "Call":
        return _call_lost(node, wanted)
    if kind == "BinaryExpr":
        return _binary_lost(node, wanted)
    return set(wanted)  # an expression kind we do not know: assume the worst


def _aggregation_lost(node: Any, wanted: set[str]) -> set[str]:
    inner = _lost(node.expr, wanted)
    op = str(node.op)
    modifier = node.modifier
    if op in _SELECTING_AGGREGATIONS and modifier is None:
        return inner
    if modifier is None:
        return set(wanted)  # `sum(x)`: one series, no labels
    labels = set(modifier.labels)
    if str(modifier.type).endswith("By"):
        return inner | (wanted - labels)
    return inner | (wanted & labels)


def _call_lost(node: Any, wanted: set[str]) -> set[str]:
    if node.func.name in _LABEL_FREE_FUNCTIONS:
        return set(wanted)
    for arg in node.args:
        if type(arg).__name__ not in ("NumberLiteral", "StringLiteral"):
            return _lost(arg, wanted)
    return set(wanted)


def _is_scalar(node: Any) -> bool:
    kind = type(node).__name__
    if kind == "NumberLiteral":
        return True
    if kind in ("ParenExpr", "UnaryExpr"):
        return _is_scalar(node.expr)
    if kind == "Call":
        return node.func.name in ("scalar", "time", "pi")
    if kind == "BinaryExpr":
        return _is_scalar(node.lhs) and _is_scalar(node.rhs)
    return False


def _binary_lost(node: Any, wanted: set[str]) -> set[str]:
    if _is_scalar(node.lhs):
        return _lost(node.rhs, wanted)
    if _is_scalar(node.rhs):
        return _lost(node.lhs, wanted)
    op = str(node.op)
    if op == "or":
        # Either side's series can be the result: both must keep the labels.
        return _lost(node.lhs, wanted) | _lost(node.rhs, wanted)
    if op in _SET_OPERATORS:
        return _lost(node.lhs, wanted)
    card = str(node.modifier.card) if node.modifier is not None else "OneToOne"
    if card.endswith("OneToMany"):
        return _lost(node.rhs, wanted)  # group_right: the right side's labels
    if card.endswith("ManyToOne"):
        return _lost(node.lhs, wanted)  # group_left: the left side's labels
    # one-to-one: the result has the left side's labels, and a right side that
    # lost a grouped label would divide every group by one overall value.
    return _lost(node.lhs, wanted) | _lost(node.rhs, wanted)
