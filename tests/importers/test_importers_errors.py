"""Precise errors and warnings for bad or unsupported foreign specs: one good spec, one change each."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from sloforge.load.documents import load_text
from sloforge.load.formats import sloth
from sloforge.load.formats.openslo import slos as openslo
from sloforge.model.sli import EventsSli, ProbeSli, RatioSli


def openslo_slo() -> dict[str, Any]:
    return {
        "apiVersion": "openslo/v1", "kind": "SLO", "metadata": {"name": "availability"},
        "spec": {
            "service": "web", "budgetingMethod": "Occurrences",
            "timeWindow": [{"duration": "28d", "isRolling": True}],
            "indicator": {"metadata": {"name": "ok"}, "spec": {"ratioMetric": {
                "counter": True,
                "good": {"metricSource": {"type": "Prometheus",
                                          "spec": {"query": 'sum(http_requests_total{code!~"5.."})'}}},
                "total": {"metricSource": {"type": "Prometheus", "spec": {"query": "http_requests_total"}}}}}},
            "objectives": [{"target": 0.999}],
            "alertPolicies": [{"kind": "AlertPolicy", "metadata": {"name": "fast"}, "spec": {
                "conditions": [{"kind": "AlertCondition", "metadata": {"name": "fast-burn"}, "spec": {
                    "severity": "page", "condition": {"kind": "burnrate", "op": "gt", "threshold": 13.44,
                                                      "lookbackWindow": "1h", "alertAfter": "2m"}}}]}}],
        },
    }


def run_openslo(*objects: dict[str, Any]) -> tuple[list[Any], list[str]]:
    documents = load_text(yaml.safe_dump_all(objects, sort_keys=False), "x.yaml")
    services, problems = openslo.services_from(documents)
    return services, [str(p) for p in problems]


def test_good_openslo_slo_compiles() -> None:
    services, problems = run_openslo(openslo_slo())
    assert problems == []
    slo = services[0].slos[0]
    assert slo.period == 28 * 86400 and slo.objective == 99.9
    assert isinstance(slo.sli, EventsSli)
    assert slo.sli.total == "sum(rate(http_requests_total[{{ window }}]))"  # counter: rate() applied
    assert 'sum(rate(http_requests_total{code!~"5.."}[{{ window }}]))' in slo.sli.errors
    (pair,) = slo.alerting.pairs
    assert (pair.tier, pair.long, pair.short, pair.factor) == ("page", 3600, 300, 13.44)
    assert slo.alerting.tier("page").for_seconds == 120 and slo.alerting.tier("ticket").disabled


def changed(path: str, value: Any) -> dict[str, Any]:
    spec = copy.deepcopy(openslo_slo())
    *parents, last = path.split(".")
    node: Any = spec
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is None:
        del node[last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return spec


POLICY = "spec.alertPolicies.0.spec.conditions.0.spec"
METRIC = "spec.indicator.spec.ratioMetric"


@pytest.mark.parametrize(("spec", "expected"), [
    pytest.param(changed("spec.timeWindow.0.duration", "1m"), "1m is shorter than an hour, too short for an "
                 "SLO period (OpenSLO writes months as M", id="duration 1m meant as a month is an error"),
    pytest.param(changed("spec.timeWindow.0.duration", "1M"), "'1M' is a calendar length",
                 id="calendar month is rejected"),
    pytest.param(changed("spec.timeWindow.0.isRolling", False), "calendar-aligned windows",
                 id="calendar window is rejected"),
    pytest.param(changed(POLICY + ".condition.op", "lte"), "op 'lte' would fire while the burn rate is at or "
                 "below 13.44", id="inverted burn-rate op is an error"),
    pytest.param(changed(POLICY + ".severity", "sev9"), "severity 'sev9' maps to no alert tier",
                 id="unknown severity is an error"),
    pytest.param(changed(METRIC + ".good.metricSource.type", "Datadog"), "SLI 'ok': metric source type "
                 "'Datadog' cannot be compiled", id="non-Prometheus source names object and type"),
    pytest.param(changed("spec.budgetingMethod", "Timeslices"), "budgetingMethod Timeslices on a ratio "
                 "indicator", id="timeslices on a ratio are rejected with the reason"),
    pytest.param(changed(METRIC + ".total.metricSource.spec.query", "sum(rate(http_requests_total[5m]))"),
                 "counter: true means a raw counter selector", id="counter with rate is an error"),
    pytest.param(changed("spec.indicator", None), "give exactly one of indicator", id="no indicator"),
    pytest.param(changed("spec.objectives.0.target", 99.9), "must be a ratio above 0 and below 1",
                 id="percent given as target"),
    pytest.param(changed(POLICY + ".condition.lookbackWindow", "30d"), "is longer than the SLO period 28d",
                 id="lookback longer than the period"),
    pytest.param(changed("spec.indicatorRef", "missing"), "give exactly one of indicator",
                 id="indicator and indicatorRef together"),
])
def test_openslo_mistakes_are_precise_errors(spec: dict[str, Any], expected: str) -> None:
    _, problems = run_openslo(spec)
    errors = [p for p in problems if "warning:" not in p]
    assert any(expected in p for p in errors), problems
    assert all(p.startswith("x.yaml:") for p in problems)


def test_op_on_ratio_objective_is_a_warning() -> None:
    services, problems = run_openslo(changed("spec.objectives.0.op", "gt"))
    assert services and len(problems) == 1
    assert "warning: SLO 'availability': op and value apply only to a thresholdMetric" in problems[0]


def test_factor_200_burn_condition_warns_that_it_is_not_a_latency() -> None:
    spec = changed(POLICY + ".condition.threshold", 200)  # as in OpenSLO's latency-too-high example
    spec["spec"]["alertPolicies"][0]["spec"]["conditions"][0]["spec"]["condition"]["lookbackWindow"] = "1d"
    _, problems = run_openslo(spec)
    assert any("fires only after 714% of the period's budget" in p and "not a latency" in p for p in problems)


def test_threshold_metric_becomes_a_probe_and_ratio_timeslices_a_ratio() -> None:
    threshold = changed("spec.indicator.spec", {"thresholdMetric": {"metricSource": {
        "type": "Prometheus", "spec": {"promql": "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))"}}}})
    threshold["spec"]["objectives"] = [{"op": "lte", "value": 0.3, "target": 0.99}]
    threshold["spec"]["budgetingMethod"] = "Timeslices"
    services, problems = run_openslo(threshold)
    assert problems == []
    sli = services[0].slos[0].sli
    assert isinstance(sli, ProbeSli) and sli.query.endswith(") <= bool 0.3")
    services, _ = run_openslo(changed("spec.budgetingMethod", "RatioTimeslices"))
    assert isinstance(services[0].slos[0].sli, RatioSli)


def test_refs_resolve_across_documents() -> None:
    slo = changed("spec.alertPolicies", [{"alertPolicyRef": "p"}])
    policy = {"apiVersion": "openslo/v1", "kind": "AlertPolicy", "metadata": {"name": "p"}, "spec": {
        "conditions": [{"conditionRef": "c"}], "notificationTargets": [{"targetRef": "pd"}]}}
    condition = openslo_slo()["spec"]["alertPolicies"][0]["spec"]["conditions"][0]
    condition = {"apiVersion": "openslo/v1", **condition, "metadata": {"name": "c"}}
    target = {"apiVersion": "openslo/v1", "kind": "AlertNotificationTarget", "metadata": {"name": "pd"},
              "spec": {"target": "pagerduty"}}
    services, problems = run_openslo(slo, policy, condition, target)
    assert problems == []
    page = services[0].slos[0].alerting.tier("page")
    assert page.annotations == (("notification_targets", "pd (pagerduty)"),)


SLOTH_SPEC = """
version: prometheus/v1
service: svc
slos:
  - name: ok
    objective: 99
    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))'}}
    alerting: {name: SvcOk}
"""


@pytest.mark.parametrize(("edit", "expected"), [
    pytest.param(("sli", {"plugin": {"id": "sloth-common/kubernetes/apiserver/availability"}}),
                 "Sloth SLI plugin 'sloth-common/kubernetes/apiserver/availability' cannot be run", id="SLI plugin"),
    pytest.param(("objective", 100), "100 leaves no error budget", id="objective 100"),
    # Sloth ignores unknown fields: the typo itself is a warning with a did-you-mean (see
    # test_sloth_as_sloth.py), the field it misspells is missing
    pytest.param(("sli", {"events": {"error_querry": "x", "total_query": "y"}}),
                 "missing required field 'error_query'", id="typo: the field it misspells is missing"),
    pytest.param(("sli", {"raw": {"error_ratio_query": "rate(x[5m])"}}), "no {{.window}} placeholder",
                 id="query without a window"),
    pytest.param(("alerting", {"name": "svc-ok"}), "is not a valid Prometheus alert name", id="alert name"),
])
def test_sloth_mistakes_are_precise_errors(edit: tuple[str, Any], expected: str) -> None:
    data = yaml.safe_load(SLOTH_SPEC)
    data["slos"][0][edit[0]] = edit[1]
    services, problems = sloth.services_from(load_text(yaml.safe_dump(data), "s.yml"))
    assert not services
    errors = [str(p) for p in problems if not p.warning]
    assert 1 <= len(errors) <= 2 and any(expected in p for p in errors), errors  # a typo: unknown + missing
    assert all(p.startswith("s.yml:") for p in errors)


def test_condition_without_alert_after_gets_the_default_for() -> None:
    from sloforge.convert import native as convert

    services, problems = run_openslo(changed(POLICY + ".condition.alertAfter", None))
    assert problems == [] and services[0].slos[0].alerting.tier("page").for_seconds == 120
    assert "for:" not in convert.service_text(services[0])
