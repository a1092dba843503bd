"""Which labels a query keeps (parsed PromQL): the checks behind group_by, and the
aggregation that makes an SLI's two queries meet on the same labels (issue 14)."""

from __future__ import annotations

import pytest
from sloforge.promql.labels import _outer_aggregation, aggregated, dropped_labels, exact_labels, has_exactly


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
    # issue 14: shapes that keep the labels were refused as "drops route"
    pytest.param('label_replace(sum by (path) (rate(x[5m])), "route", "$1", "path", "(.*)")', (),
                 id="label_replace sets the grouped label"),
    pytest.param('label_replace(sum by (route) (rate(x[5m])), "team", "a", "", "")', (),
                 id="label_replace of another label keeps it"),
    pytest.param('label_replace(sum(rate(x[5m])), "team", "a", "", "")', ("route",),
                 id="label_replace cannot bring back a dropped label"),
    pytest.param('label_join(sum by (a, b) (x), "route", "/", "a", "b")', (), id="label_join sets it"),
    pytest.param('sum by (route) (rate(x[5m])) or vector(0)', (), id="or vector(0) is a no-data fallback"),
    pytest.param('sum by (route) (rate(x[5m])) or on () vector(0)', (), id="or on () vector(0)"),
    pytest.param('vector(0) or sum by (route) (rate(x[5m]))', (), id="fallback on the left"),
    pytest.param('sum by (route) (a) or sum by (route) (b)', (), id="or of two grouped sides"),
    pytest.param('sum by (route) (a) or sum by (method) (b)', ("route",), id="or with a side without it"),
    pytest.param('sum by (route) (a) / on (route) sum by (route) (b)', (), id="on the label keeps it"),
    pytest.param('sum by (route, code) (a) / on (code) sum by (route, code) (b)', ("route",),
                 id="on other labels drops it"),
    pytest.param('sum by (route, code) (a) / ignoring (code) sum by (route) (b)', (), id="ignoring another"),
    pytest.param('a / ignoring (route) b', ("route",), id="ignoring the label drops it"),
    pytest.param('sum by (route) (a) / on (route) group_left (team) b', (), id="group_left with include"),
    pytest.param('sum(a) / on () group_left (route) sum by (route) (b)', (),
                 id="group_left includes the label from the one side"),
    pytest.param('sum by (route) (a) unless sum(b)', (), id="unless keeps the left"),
    pytest.param('sum by (route) (a) > 0', (), id="comparison with a scalar"),
    pytest.param('sum by (route) (a) > bool sum by (route) (b)', (), id="bool comparison of vectors"),
    pytest.param('histogram_quantile(0.9, sum by (le, route) (rate(x_bucket[5m])))', (),
                 id="histogram_quantile keeps the others"),
    pytest.param('histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))', ("route",),
                 id="histogram_quantile of by (le)"),
    pytest.param('topk by (job) (3, sum by (route, job) (x))', (), id="topk by keeps whole series"),
    pytest.param('count_values("route", x)', (), id="count_values sets its label"),
    pytest.param('count_values by (job) ("value", x)', ("route",), id="count_values by other labels"),
    pytest.param('quantile by (route) (0.9, x)', (), id="quantile by"),
    pytest.param('absent(x{route="a"})', ("route",), id="absent makes a fresh vector"),
    pytest.param('hour(timestamp(sum by (route) (x)))', (), id="hour of a vector keeps its labels"),
    pytest.param('hour()', ("route",), id="hour() reads the clock"),
    pytest.param('clamp_min(sum by (route) (a), scalar(sum(b)))', (), id="scalar argument ignored"),
    pytest.param('sum_over_time((count by (route) (x < 1))[5m:]) or on () vector(0)', (),
                 id="Sloth home-wifi shape, grouped"),
    pytest.param('1', ("route",), id="a number has no labels"),
])
def test_dropped_labels(expr: str, lost: tuple[str, ...]) -> None:
    assert dropped_labels(expr, ("route",)) == lost


def test_only_requested_labels_are_reported_in_order() -> None:
    assert dropped_labels("sum(x)", ("route", "method")) == ("route", "method")
    assert dropped_labels("sum(x)", ()) == ()


@pytest.mark.parametrize(("expr", "exact"), [
    pytest.param('sum(rate(x[5m]))', set(), id="sum: no labels"),
    pytest.param('sum by (route) (rate(x[5m]))', {"route"}, id="by: its labels"),
    pytest.param('sum by (route, status) (rate(x[5m]))', {"route", "status"}, id="by: all of them"),
    pytest.param('rate(x[5m])', None, id="a bare rate: only the data knows"),
    pytest.param('x', None, id="a selector"),
    pytest.param('sum without (pod) (x)', None, id="without: the data's labels minus pod"),
    pytest.param('sum without (pod) (sum by (pod, route) (x))', {"route"}, id="without of a closed set"),
    pytest.param('sum(a) / sum(b)', set(), id="ratio of sums"),
    pytest.param('sum by (route) (a) / sum by (route) (b)', {"route"}, id="ratio of grouped sums"),
    pytest.param('sum by (route) (a) / on (route) sum by (route, code) (b)', {"route"},
                 id="on keeps only its labels"),
    pytest.param('sum by (route, code) (a) / ignoring (code) sum by (route) (b)', {"route"},
                 id="ignoring removes its labels"),
    pytest.param('sum by (route, code) (a) / on (route) group_left sum by (route) (b)', {"route", "code"},
                 id="group_left keeps the many side"),
    pytest.param('sum by (route) (a) or vector(0)', {"route"}, id="fallback ignored"),
    pytest.param('sum by (route) (a) or sum by (code) (b)', None, id="or of two label sets"),
    pytest.param('sum(a) or sum(b)', set(), id="or of two sums"),
    pytest.param('label_replace(sum by (path) (x), "route", "$1", "path", "(.*)")', {"path", "route"},
                 id="label_replace adds"),
    pytest.param('label_replace(x, "route", "$1", "path", "(.*)")', None, id="label_replace of a selector"),
    pytest.param('clamp_min((sum(a)) - (sum(b)), 0)', set(), id="OpenSLO good/total shape"),
    pytest.param('1 - histogram_quantile(0.9, sum by (le) (rate(x[5m])))', set(), id="quantile of by (le)"),
    pytest.param('vector(1)', set(), id="vector"),
    pytest.param('1', set(), id="a scalar is one label-free series"),
    pytest.param('sum_over_time((count(u < 0.75))[5m:]) OR on() vector(0)', set(), id="Sloth home-wifi"),
    pytest.param('topk(1, x)', None, id="topk: whole series"),
])
def test_exact_labels(expr: str, exact: set[str] | None) -> None:
    assert exact_labels(expr) == (None if exact is None else frozenset(exact))


@pytest.mark.parametrize(("query", "labels", "op", "expected"), [
    pytest.param('sum by (route) (rate(x[{{ window }}]))', ("route",), "sum",
                 'sum by (route) (rate(x[{{ window }}]))', id="already exactly the group: as written"),
    pytest.param('sum(rate(x[{{ window }}]))', (), "sum", 'sum(rate(x[{{ window }}]))', id="already one series"),
    pytest.param('sum by (route, status) (rate(x[{{ window }}]))', ("route",), "sum",
                 'sum by (route)(sum by (route, status) (rate(x[{{ window }}])))', id="an extra label is summed"),
    pytest.param('sum by (code) (rate(x[{{ window }}]))', (), "sum",
                 'sum(sum by (code) (rate(x[{{ window }}])))', id="ungrouped: summed to one series"),
    pytest.param('rate(x[{{ window }}])\n', (), "sum", 'sum(rate(x[{{ window }}]))', id="a bare rate"),
    pytest.param('rate(x[{{ window }}])', ("route", "method"), "sum",
                 'sum by (route, method)(rate(x[{{ window }}]))', id="grouped bare rate"),
    pytest.param('(rate(a[5m]) / rate(b[5m])) >= 0', (), "avg",
                 'avg((rate(a[5m]) / rate(b[5m])) >= 0)', id="a ratio is averaged"),
])
def test_aggregated(query: str, labels: tuple[str, ...], op: str, expected: str) -> None:
    assert aggregated(query, labels, op) == expected


@pytest.mark.parametrize(("query", "fast"), [
    pytest.param('sum(rate(x{code=~"(5..|429)"}[5m]))', True, id="parens inside a string"),
    pytest.param('sum by (route, method) (rate(x[5m]))', True, id="by"),
    pytest.param('1 - avg(avg_over_time(up[5m]))', True, id="scalar minus an aggregation"),
    pytest.param('sum(rate(x{a=")"}[5m]))', True, id="a closing paren in a string"),
    pytest.param("sum(rate(x{a='('}[5m]))", True, id="single-quoted string"),
    pytest.param('sum(a) / sum(b)', False, id="two aggregations"),
    pytest.param('sum(a) by (route)', False, id="trailing by"),
    pytest.param('sum without (pod) (a)', False, id="without"),
    pytest.param('sum_over_time(x[5m])', False, id="a function, not sum"),
    pytest.param('sum(a) # a comment )', False, id="a comment"),
    pytest.param('sum(a) or vector(0)', False, id="or"),
    pytest.param('SUM(a)', False, id="upper case"),
])
def test_the_fast_path_agrees_with_the_parser(query: str, fast: bool) -> None:
    assert (_outer_aggregation(query) is not None) == fast
    for labels in ((), ("route",), ("route", "method")):
        assert has_exactly(query, labels) == (exact_labels(query) == frozenset(labels))
