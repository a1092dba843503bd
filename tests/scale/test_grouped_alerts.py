"""Grouped SLOs in real promtool: every series keeps the group's labels and
alerts fire per group, only for the group that burns its budget."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from sloforge.pipeline import Options, build, load_catalog

ALERT = "ApiAvailabilityErrorBudgetBurn"
COMMON = 'slo_name="availability", slo_service="api", team="platform"'

# Per minute: route /a serves 30 errors and 30 successes (50% errors), /b 60
# successes and an error series that stays at 0, /c has no error series at all
# (the `or total * 0` fallback must still give it a zero error ratio).
SERIES = [
    ('http_requests_total{job="api", route="/a", code="500"}', "0+30x200"),
    ('http_requests_total{job="api", route="/a", code="200"}', "0+30x200"),
    ('http_requests_total{job="api", route="/b", code="500"}', "0+0x200"),
    ('http_requests_total{job="api", route="/b", code="200"}', "0+60x200"),
    ('http_requests_total{job="api", route="/c", code="200"}', "0+60x200"),
]


def _test_file(rule_file: str) -> dict[str, object]:
    firing = [
        {"labels": f'ALERTS{{alertname="{ALERT}", alertstate="firing", route="/a", severity="critical", '
                   f'slo_alert_kind="burn-rate", {COMMON}, slo_severity="page"}}', "value": 1},
        {"labels": f'ALERTS{{alertname="{ALERT}", alertstate="firing", route="/a", severity="warning", '
                   f'slo_alert_kind="burn-rate", {COMMON}, slo_severity="ticket"}}', "value": 1},
        {"labels": 'ALERTS{alertname="ApiAvailabilityErrorBudgetConsumed", alertstate="firing", route="/a", '
                   'severity="critical", slo_alert_kind="budget", slo_budget_consumed="100%", '
                   f'{COMMON}, slo_severity="page"}}',
         "value": 1},
    ]
    period = 'slo:sli_error:ratio_rate30d{slo_service="api", slo_name="availability"}'
    period_labels = '{{route="{}", slo_name="availability", ' \
                    'slo_service="api", slo_window="30d"}}'
    return {
        "rule_files": [rule_file],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in SERIES],
            "promql_expr_test": [
                {"expr": 'ALERTS{alertstate="firing"}', "eval_time": "3h", "exp_samples": firing},
                {"expr": f"round({period}, 0.001)", "eval_time": "3h", "exp_samples": [
                    {"labels": period_labels.format("/a"), "value": 0.5},
                    {"labels": period_labels.format("/b"), "value": 0},
                    {"labels": period_labels.format("/c"), "value": 0},
                ]},
                # Before the page tier's `for: 2m` has passed, nothing fires.
                {"expr": 'ALERTS{alertstate="firing"}', "eval_time": "2m", "exp_samples": []},
            ],
        }],
    }


def test_alerts_fire_per_group(grouped_spec: Path, tmp_path: Path, promtool: str) -> None:
    catalog, _ = load_catalog([str(grouped_spec)])
    files = build(catalog, Options(paths=[str(grouped_spec)]))
    rules = next(f for f in files if f.path == "prometheus/api.yml")
    (tmp_path / "api.yml").write_text(rules.content, encoding="utf-8")
    (tmp_path / "test.yml").write_text(yaml.safe_dump(_test_file("api.yml"), sort_keys=False),
                                       encoding="utf-8")
    result = subprocess.run([promtool, "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_grouped_latency_rules_aggregate_by_group(grouped_spec: Path) -> None:
    catalog, _ = load_catalog([str(grouped_spec)])
    text = next(f for f in build(catalog, Options(paths=[str(grouped_spec)])) if f.path == "prometheus/api.yml").content
    latency = yaml.safe_load(text)["groups"][2]["rules"]  # after availability and its -long group
    assert "sum by (route)(rate(http_request_duration_seconds_count" in latency[0]["expr"]
