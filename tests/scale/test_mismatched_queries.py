"""Issue 14, point 2: an errors query whose labels differ from the total's must not read
0% errors. sloforge sums both queries to the SLO's group labels (one series per
group, one per ungrouped SLO), so they always divide series by series. Proven in real
promtool for native, Sloth and OpenSLO specs: each SLO below records the true error
ratio and pages; before the fix each read 0 (the error series carried labels the
total did not, so only the `or total * 0` fallback matched) and never paged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.harness import rule_file, run

NATIVE = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: api
slos:
  - name: by-route          # the issue's shape: errors keep `status`, the total does not
    objective: 99.9
    sli:
      events:
        errors: sum by (route, status) (rate(http_requests_total{status=~"5.."}[{{ window }}]))
        total: sum by (route) (rate(http_requests_total[{{ window }}]))
        group_by: [route]
  - name: bare-grouped      # bare rate() on both sides of a grouped SLO
    objective: 99.9
    sli:
      events:
        errors: rate(http_requests_total{status=~"5.."}[{{ window }}])
        total: rate(http_requests_total[{{ window }}])
        group_by: [route]
  - name: relabelled        # label_replace sets the group label: accepted, summed to it
    objective: 99.9
    sli:
      events:
        errors: >-
          label_replace(sum by (route) (rate(http_requests_total{status=~"5.."}[{{ window }}])),
          "endpoint", "$1", "route", "(.*)")
        total: >-
          sum by (endpoint) (label_replace(rate(http_requests_total[{{ window }}]),
          "endpoint", "$1", "route", "(.*)"))
        group_by: [endpoint]
  - name: or-zero           # `or vector(0)` keeps the group label: accepted
    objective: 99.9
    sli:
      events:
        errors: sum by (route) (rate(http_requests_total{status=~"5.."}[{{ window }}])) or vector(0)
        total: sum by (route) (rate(http_requests_total[{{ window }}]))
        group_by: [route]
  - name: by-code           # ungrouped: errors by code against a plain sum
    objective: 99.9
    sli:
      events:
        errors: sum by (code) (rate(http_requests_total{status=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total[{{ window }}]))
  - name: bare              # ungrouped: a bare rate() of several error series
    objective: 99.9
    sli:
      events:
        errors: rate(http_requests_total{status=~"5.."}[{{ window }}])
        total: sum(rate(http_requests_total[{{ window }}]))
  - name: ratio-per-route   # a ratio per route in an ungrouped SLO: averaged to one series
    objective: 99.9
    sli:
      ratio: >-
        sum by (route) (rate(http_requests_total{status=~"5.."}[{{ window }}]))
        / sum by (route) (rate(http_requests_total[{{ window }}]))
"""

SLOTH = """\
version: prometheus/v1
service: sloth-api
slos:
  - name: by-code
    objective: 99.9
    sli:
      events:
        error_query: sum by (code) (rate(http_requests_total{status=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: SlothApiByCode
"""

OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: by-code
spec:
  service: openslo-api
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  indicator:
    metadata: {name: good-requests}
    spec:
      ratioMetric:
        good:
          metricSource:
            type: Prometheus
            spec: {query: 'sum by (code) (rate(http_requests_total{status!~"5.."}[{{ window }}]))'}
        total:
          metricSource:
            type: Prometheus
            spec: {query: 'sum(rate(http_requests_total[{{ window }}]))'}
  objectives:
    - target: 0.999
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast-burn}
      spec:
        alertWhenBreaching: true
        conditions:
          - kind: AlertCondition
            metadata: {name: burn-2pct-1h}
            spec:
              severity: page
              condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m}
"""

# Requests per minute: /a fails half of its requests, /b none (and has no error series
# at all), /c 0.5% (under both page thresholds: 14.4 x 0.1% = 1.44% over 1h, 6 x 0.1% =
# 0.6% over 6h). The whole service: (30 + 0.3) / 180 = 16.8% errors.
SERIES = {
    'http_requests_total{route="/a", status="500", code="500", instance="1"}': "0+30x90",
    'http_requests_total{route="/a", status="200", code="200", instance="1"}': "0+30x90",
    'http_requests_total{route="/b", status="200", code="200", instance="2"}': "0+60x90",
    'http_requests_total{route="/c", status="503", code="503", instance="3"}': "0+0.3x90",
    'http_requests_total{route="/c", status="200", code="200", instance="3"}': "0+59.7x90",
}
OVERALL = 30.3 / 180
EVAL = "30m"


def _ratio(slo: str, service: str = "api", group: str = "") -> dict[str, object]:
    labels = f'slo_name="{slo}", slo_service="{service}", slo_window="5m"'
    return {"labels": "{" + (f"{group}, " if group else "") + labels + "}"}


def _check_ratio(service: str, slo: str, samples: list[tuple[str, float]]) -> dict[str, object]:
    expr = f'round(slo:sli_error:ratio_rate5m{{slo_service="{service}", slo_name="{slo}"}}, 0.0001)'
    return {"expr": expr, "eval_time": EVAL,
            "exp_samples": [{**_ratio(slo, service, group), "value": round(value, 4)} for group, value in samples]}


def _check_pages(service: str, slo: str, groups: list[str], by: str = "") -> dict[str, object]:
    """Which groups page (count by the group label; one sample without a label when ungrouped)."""
    grouping = f" by ({by})" if by else ""
    expr = (f'count{grouping} (ALERTS{{alertstate="firing", slo_severity="page", slo_service="{service}", '
            f'slo_name="{slo}"}})')
    return {"expr": expr, "eval_time": EVAL,
            "exp_samples": [{"labels": "{" + group + "}", "value": 1} for group in groups]}


GROUPED = [("route=\"/a\"", 0.5), ("route=\"/b\"", 0.0), ("route=\"/c\"", 0.005)]


@pytest.fixture
def rules(tmp_path: Path) -> list[Path]:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "api.yml").write_text(NATIVE, encoding="utf-8")
    (specs / "sloth.yml").write_text(SLOTH, encoding="utf-8")
    (specs / "openslo.yml").write_text(OPENSLO, encoding="utf-8")
    return rule_file(specs, tmp_path)


def test_mismatched_queries_record_the_true_ratio_and_page(rules: list[Path], tmp_path: Path,
                                                           promtool: str) -> None:
    endpoint = [(group.replace("route", "endpoint"), value) for group, value in GROUPED]
    checks = [
        _check_ratio("api", "by-route", GROUPED),
        _check_pages("api", "by-route", ['route="/a"'], by="route"),
        _check_ratio("api", "bare-grouped", GROUPED),
        _check_pages("api", "bare-grouped", ['route="/a"'], by="route"),
        _check_ratio("api", "relabelled", endpoint),
        _check_pages("api", "relabelled", ['endpoint="/a"'], by="endpoint"),
        # /b has no error series: `or vector(0)` gives it none either, the fallback zero
        _check_ratio("api", "or-zero", GROUPED),
        _check_pages("api", "or-zero", ['route="/a"'], by="route"),
        _check_ratio("api", "by-code", [("", OVERALL)]),
        _check_pages("api", "by-code", [""]),
        _check_ratio("api", "bare", [("", OVERALL)]),
        _check_pages("api", "bare", [""]),
        # time-weighted: the mean of the routes' ratios (/b has no error series, so no ratio)
        _check_ratio("api", "ratio-per-route", [("", (0.5 + 0.005) / 2)]),
        _check_pages("api", "ratio-per-route", [""]),
        _check_ratio("sloth-api", "by-code", [("", OVERALL)]),
        _check_pages("sloth-api", "by-code", [""]),
        _check_ratio("openslo-api", "by-code", [("", OVERALL)]),
        _check_pages("openslo-api", "by-code", [""]),
    ]
    run(promtool, rules, SERIES, checks, tmp_path)
