"""`backtest --by`: the errors query's outer aggregation rewritten in the parsed PromQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sloforge import promql
from sloforge.history.attribution import SplitError, split_query

from tests.history.test_replay_units import load


def events(errors: str, group: str = "") -> str:
    return f"""      events:{group}
        errors: {errors}
        total: sum{' by (route)' if group else ''} (rate(http_requests_total[{{{{ window }}}}]))"""


@pytest.mark.parametrize(("errors", "by", "expected"), [
    ('sum(rate(http_requests_total{code=~"5.."}[{{ window }}]))', ("route",),
     'sum by (route) (rate(http_requests_total{code=~"5.."}[5m]))'),
    ('sum by (code) (rate(http_requests_total{code=~"5.."}[{{ window }}]))', ("route", "code"),
     'sum by (code, route) (rate(http_requests_total{code=~"5.."}[5m]))'),
    ('sum without (pod, route) (rate(http_requests_total{code=~"5.."}[{{ window }}]))', ("route",),
     'sum without (pod) (rate(http_requests_total{code=~"5.."}[5m]))'),
    ('rate(http_requests_total{code=~"5.."}[{{ window }}])', ("route",),
     'sum by (route) (rate(http_requests_total{code=~"5.."}[5m]))'),
    ('(sum(rate(http_requests_total{code=~"5.."}[{{ window }}])))', ("region", "route"),
     'sum by (region, route) (rate(http_requests_total{code=~"5.."}[5m]))'),
])
def test_the_outer_sum_keeps_the_labels(tmp_path: Path, errors: str, by: tuple[str, ...], expected: str) -> None:
    query = split_query(load(tmp_path, events(errors)), by)
    assert promql.parse(query).prettify() == promql.parse(expected).prettify()


def test_a_grouped_slo_keeps_its_group_labels(tmp_path: Path) -> None:
    slo = load(tmp_path, events('sum by (route) (rate(http_requests_total{code=~"5.."}[{{ window }}]))',
                                "\n        group_by: [route]"))
    assert split_query(slo, ("code",)) == 'sum by (route, code) (rate(http_requests_total{code=~"5.."}[5m]))'


@pytest.mark.parametrize(("errors", "why"), [
    ('sum(rate(a{code=~"5.."}[{{ window }}])) - sum(rate(b[{{ window }}]))', "rewrite it as one sum"),
    ('max(rate(http_requests_total{code=~"5.."}[{{ window }}]))', "outer aggregation is max()"),
])
def test_shapes_without_a_share_per_label_are_refused_with_the_reason(tmp_path: Path, errors: str, why: str) -> None:
    with pytest.raises(SplitError, match="shop/availability: .*" + why.replace("(", r"\(").replace(")", r"\)")):
        split_query(load(tmp_path, events(errors)), ("route",))


def test_a_ratio_sli_is_refused(tmp_path: Path) -> None:
    slo = load(tmp_path, "      ratio:\n        query: 1 - avg(avg_over_time(up{job=\"api\"}[{{ window }}]))")
    with pytest.raises(SplitError, match="counts time"):
        split_query(slo, ("route",))


def test_latency_splits_by_joining_the_group(tmp_path: Path) -> None:
    slo = load(tmp_path, """      latency:
        metric: http_request_duration_seconds
        selector: '{job="api"}'
        threshold: 250ms""")
    query = split_query(slo, ("route",))
    assert "sum by (route)(rate(http_request_duration_seconds_count" in query
    assert 'sum by (route)(rate(http_request_duration_seconds_bucket{job="api", le=~' in query
