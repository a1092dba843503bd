"""The low-traffic guard counts the events its window saw (issue 14, point 3).

A new service (or route) fails every request, one request every 100 s, from the start of
the test: a series minutes old inside the 1d window. With `min_events: 100`, the 1d
ticket must stay quiet until the window has really seen 100 requests (~2h47m in).
Before, the guard read `avg_over_time(rate5m[1d]) * 86400` = 864 from the first minutes
and the ticket was firing 30 minutes in, after 18 requests. Checked with real promtool.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.harness import expect_firing, expect_quiet, firing, rule_file, run

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: fresh
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: sum(rate(http_requests_total{job="fresh",code=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total{job="fresh"}[{{ window }}]))
    alerting:
      min_events: 100
"""
ALERT = "FreshAvailabilityErrorBudgetBurn"
GUARD = 'slo:sli_total_events:rate5m{slo_service="fresh"}'


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    specs = tmp_path_factory.mktemp("specs")
    (specs / "fresh.yml").write_text(SPEC, encoding="utf-8")
    return rule_file(specs, tmp_path_factory.mktemp("rules"))


@pytest.mark.parametrize("born", [0, 90], ids=["born at the start", "born 90 minutes in"])
def test_a_new_series_is_not_extrapolated_to_the_whole_window(promtool: str, rules: list[Path],
                                                                tmp_path: Path, born: int) -> None:
    minutes = born + 5 * 60
    # 0.6 failed requests a minute (one per 100 s); nothing before `born`.
    before = f"_x{born} " if born else ""
    series = {'http_requests_total{job="fresh",code="500"}': f"{before}0+0.6x{minutes - born}"}
    ticket, page = firing(ALERT, "ticket", "availability"), firing(ALERT, "page", "availability")
    seen_at_100 = born + 100 / 0.6  # the window has seen 100 requests (~167 minutes after birth)
    checks = [
        expect_quiet(ticket, born + 30),   # ~18 requests: before, the guard read 864 and this fired
        expect_quiet(ticket, born + 150),  # 90 requests
        expect_quiet(page, born + 150),    # 1h window: never 100; 6h window: 90 so far
        # 100 requests + the 5m rate's lag (~3m) + for: 15m + up to two 3m evaluations
        expect_firing(ticket, round(seen_at_100) + 3 + 15 + 6),
        # What the guard reads: the requests the window saw, +-1 minute's worth.
        {"expr": f"count(abs(sum(sum_over_time({GUARD}[1d])) * 60 - 90) <= 1.2)",
         "eval_time": f"{born + 152}m", "exp_samples": [{"labels": "{}", "value": 1}]},
    ]
    run(promtool, rules, series, checks, tmp_path)
