"""The PromQL each SLI kind produces: parseable, and the traps other tools fall into avoided."""

from __future__ import annotations

import promql_parser
import pytest
from sloforge.model.sli import EventsSli, LatencySli, ProbeSli, RatioSli
from sloforge.promql.labels import exact_labels

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


# Issue 14: whatever labels the user's queries keep, each kind's bad and all events
# come out with exactly the SLO's group labels, so they divide series by series.
MISMATCHED = [
    pytest.param(EventsSli('sum by (route, status) (rate(x{status=~"5.."}[{{ window }}]))',
                           'sum by (route) (rate(x[{{ window }}]))', ("route",)), id="errors by an extra label"),
    pytest.param(EventsSli('sum by (route) (rate(x{status=~"5.."}[{{ window }}]))',
                           'rate(x[{{ window }}])', ("route",)), id="bare total, grouped"),
    pytest.param(EventsSli('sum by (code) (rate(x{code=~"5.."}[{{ window }}]))', 'sum(rate(x[{{ window }}]))'),
                 id="ungrouped errors by code"),
    pytest.param(EventsSli('rate(x{code=~"5.."}[{{ window }}])', 'sum(rate(x[{{ window }}]))'), id="bare errors"),
    pytest.param(EventsSli('label_replace(sum by (path) (rate(x{code=~"5.."}[{{ window }}])), "route", "$1", '
                           '"path", "(.*)")', 'sum by (route) (rate(x[{{ window }}])) or vector(0)', ("route",)),
                 id="label_replace and or vector(0)"),
    pytest.param(EventsSli('sum without (instance) (rate(x{code=~"5.."}[{{ window }}]))',
                           'sum without (instance) (rate(x[{{ window }}]))', ("route", "method")),
                 id="without: only the data knows"),
    pytest.param(RatioSli('rate(bad[{{ window }}]) / rate(all[{{ window }}])'), id="ratio per series"),
    pytest.param(RatioSli('sum by (route, instance) (rate(bad[{{ window }}])) / sum by (route, instance) '
                          '(rate(all[{{ window }}]))', ("route",)), id="ratio per instance of a group"),
    pytest.param(LatencySli("m", '{job="a"}', 0.3, ("route",)), id="latency grouped"),
    pytest.param(ProbeSli('probe_success{job="blackbox"}', ("instance",)), id="probe grouped"),
    pytest.param(ProbeSli('min by (instance, module) (probe_success)'), id="probe ungrouped"),
]


@pytest.mark.parametrize("sli", MISMATCHED)
@pytest.mark.parametrize("window", ["1m", "5m"])
def test_bad_and_all_events_carry_exactly_the_group_labels(sli, window: str) -> None:
    group = frozenset(sli.group_by)
    assert exact_labels(sli.error_rate(window)) == group
    total = sli.total_rate(window)
    assert total is None or exact_labels(total) == group


def test_queries_that_already_meet_are_used_as_written() -> None:
    # no `sum(sum(...))` noise in the rules of the common shapes
    events, ratio = KINDS[0], KINDS[1]
    assert events.error_rate("5m") == '(sum(rate(x_total{code=~"5.."}[5m]))) or ((sum(rate(x_total[5m]))) * 0)'
    assert events.total_rate("5m") == "sum(rate(x_total[5m]))"
    assert ratio.error_rate("5m") == "(1 - avg(avg_over_time(fresh[5m]))) >= 0"
