"""The PromQL each SLI kind produces: parseable, and the traps other tools fall into avoided."""

from __future__ import annotations

import promql_parser
import pytest
from sloforge.model.sli import EventsSli, LatencySli, ProbeSli, RatioSli

KINDS = [
    EventsSli('sum(rate(x_total{code=~"5.."}[{{ window }}]))', "sum(rate(x_total[{{ window }}]))"),
    RatioSli("1 - avg(avg_over_time(fresh[{{ window }}]))"),
    LatencySli("http_request_duration_seconds", '{job="a"}', 0.3),
    ProbeSli('probe_success{job="blackbox"}'),
    ProbeSli('min by (instance) (probe_success{job="blackbox"})'),
]


@pytest.mark.parametrize("sli", KINDS, ids=lambda s: s.kind)
@pytest.mark.parametrize("window", ["5m", "1h", "3d"])
def test_every_shape_parses(sli, window: str) -> None:
    promql_parser.parse(sli.error_rate(window))
    total = sli.total_rate(window)
    if total is not None:
        promql_parser.parse(total)


def test_events_fall_back_to_zero_errors_when_the_error_series_is_missing() -> None:
    # sloth#440: an error counter never incremented has no series at all
    sli = KINDS[0]
    assert sli.error_rate("5m").endswith("or ((sum(rate(x_total[5m]))) * 0)")


@pytest.mark.parametrize(("threshold", "matcher"), [
    (0.3, 'le=~"0\\\\.3"'),
    (1.0, 'le=~"1|1\\\\.0"'),  # Prometheus 2 writes "1", Prometheus 3 "1.0" (pyrra#1611)
    (2.5, 'le=~"2\\\\.5"'),
])
def test_latency_bucket_matches_both_prometheus_formats(threshold: float, matcher: str) -> None:
    assert LatencySli("m", "{}", threshold).le_matcher == matcher


def test_probe_on_an_expression_uses_a_subquery() -> None:
    assert "[5m:]" in KINDS[4].error_rate("5m")
    assert "[5m]" in KINDS[3].error_rate("5m")
