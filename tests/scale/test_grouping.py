"""Grouped SLOs: which labels a query keeps (parsed PromQL), and validation messages."""

from __future__ import annotations

import pytest
from sloforge.promql.labels import dropped_labels


@pytest.mark.parametrize(("expr", "lost"), [
    pytest.param('sum by (route) (rate(x[5m]))', (), id="by keeps its labels"),
    pytest.param('sum by (method) (rate(x[5m]))', ("route",), id="by without the label drops it"),
    pytest.param('sum(rate(x[5m]))', ("route",), id="plain sum drops everything"),
    pytest.param('sum without (pod) (rate(x[5m]))', (), id="without another label keeps it"),
    pytest.param('sum without (route, pod) (rate(x[5m]))', ("route",), id="without the label drops it"),
    pytest.param('rate(x[5m])', (), id="no aggregation keeps the series labels"),
    pytest.param('sum by (route) (sum(rate(x[5m])))', ("route",), id="an inner sum already dropped it"),
    pytest.param('1 - avg by (route) (avg_over_time(x[5m]))', (), id="scalar side ignored"),
    pytest.param('sum by (route) (a) / sum(b)', ("route",), id="one-to-one needs both sides"),
    pytest.param('sum by (route) (a) / on () group_left sum(b)', (), id="group_left keeps the left"),
    pytest.param('sum(a) / on () group_right sum by (route) (b)', (), id="group_right keeps the right"),
    pytest.param('sum by (route) (a) or sum(b)', ("route",), id="or needs both sides"),
    pytest.param('sum by (route) (a) and sum(b)', (), id="and keeps the left"),
    pytest.param('clamp_min(sum by (route) (a), 0)', (), id="functions pass labels through"),
    pytest.param('vector(1)', ("route",), id="vector() has no labels"),
    pytest.param('topk(3, rate(x[5m]))', (), id="topk keeps series"),
    pytest.param('max_over_time((sum by (route) (x))[1h:])', (), id="subquery"),
    pytest.param('-(sum by (route) (x))', (), id="unary minus"),
])
def test_dropped_labels(expr: str, lost: tuple[str, ...]) -> None:
    assert dropped_labels(expr, ("route",)) == lost


def test_only_requested_labels_are_reported_in_order() -> None:
    assert dropped_labels("sum(x)", ("route", "method")) == ("route", "method")
    assert dropped_labels("sum(x)", ()) == ()
