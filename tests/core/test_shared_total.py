"""Latency and probe SLIs read their recorded all-events rate instead of querying it twice.

Their bad events are "all minus good", so the bad-events rule subtracts the raw good
events from `slo:sli_total_events:rate5m`, recorded just before it in the same group.
That subtraction must match per group and ignore the labels the recording rule added
(slo_*, the spec's `labels`): checked with real promtool on raw series, per group.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.harness import rule_file, run

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: api
owner: web
labels: {tier: "1"}
slos:
  - name: latency
    objective: 99
    window: 28d
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{job="api"}'
        threshold: 300ms
        group_by: [route]
  - name: uptime
    objective: 99.5
    window: 7d
    sli:
      probe:
        query: sum by (instance) (probe_success{job="blackbox"})
        group_by: [instance]
"""

MINUTES = 60
# Per minute: /a serves 600 requests, 540 of them within 300ms (10% slow); /b 300, all fast.
SERIES = {
    'http_request_duration_seconds_count{job="api", route="/a"}': f"0+600x{MINUTES}",
    'http_request_duration_seconds_bucket{job="api", route="/a", le="0.3"}': f"0+540x{MINUTES}",
    'http_request_duration_seconds_count{job="api", route="/b"}': f"0+300x{MINUTES}",
    'http_request_duration_seconds_bucket{job="api", route="/b", le="0.3"}': f"0+300x{MINUTES}",
    'probe_success{job="blackbox", instance="up"}': f"1x{MINUTES}",
    'probe_success{job="blackbox", instance="down"}': f"0x{MINUTES}",
}


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    specs = tmp_path_factory.mktemp("specs")
    (specs / "api.yml").write_text(SPEC, encoding="utf-8")
    return rule_file(specs, tmp_path_factory.mktemp("rules"))


def _near(expr: str, value: float) -> dict[str, object]:
    """Exactly one series of `expr`, within 1e-9 of `value` (promtool compares floats exactly)."""
    return {"expr": f"count(abs({expr} - {value!r}) <= 1e-9)", "eval_time": f"{MINUTES - 5}m",
            "exp_samples": [{"labels": "{}", "value": 1}]}


def test_rules_read_the_recorded_total(rules: list[Path]) -> None:
    text = "".join(r.read_text(encoding="utf-8") for r in rules)
    assert text.count("_count{") == 1  # latency: all events queried once, by the total rule
    assert text.count("count_over_time(") == 1  # probes: likewise
    assert text.count("ignoring (slo_name, slo_service, slo_window, tier)") == 2


def test_bad_events_per_group_equal_the_raw_maths(promtool: str, rules: list[Path], tmp_path: Path) -> None:
    latency = 'slo:sli_error_events:rate5m{slo_name="latency", tier="1", route="%s"}'
    uptime = 'slo:sli_error:ratio_rate5m{slo_name="uptime", tier="1", instance="%s"}'
    checks = [
        _near(latency % "/a", 1.0),  # 60 slow requests a minute
        _near(latency % "/b", 0.0),
        _near('slo:sli_error:ratio_rate5m{slo_name="latency", route="/a"}', 0.1),
        _near(uptime % "up", 0.0),
        _near(uptime % "down", 1.0),
        # no series beyond one per group (a mismatch would drop or duplicate them)
        {"expr": 'count(slo:sli_error_events:rate5m{slo_service="api"})', "eval_time": f"{MINUTES - 5}m",
         "exp_samples": [{"labels": "{}", "value": 4}]},
    ]
    run(promtool, rules, SERIES, checks, tmp_path)
