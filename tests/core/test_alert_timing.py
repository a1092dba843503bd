"""Alerts proven to fire on time, with real promtool on synthetic traffic.

Expected detection time from a clean history (SRE Workbook):
    long window x factor x budget / error ratio
plus ~2.5 min because long windows are summed from 5m rates (a step change
reaches a 5m rate gradually), plus the tier's `for:`. Each test asserts the
alert is quiet shortly before and firing shortly after that time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.harness import (
    Phase,
    counter,
    expect_firing,
    expect_quiet,
    firing,
    gauges,
    rule_file,
    run,
)

SPECS = Path(__file__).parent / "specs"
H, D = 60, 24 * 60
LAG = 2.5  # minutes: the 5m base window's ramp
FOR = {"page": 2, "ticket": 15}


def events(phases: list[Phase]) -> dict[str, str]:
    return {
        'http_requests_total{job="shop",code="200"}': counter(phases, bad=False),
        'http_requests_total{job="shop",code="500"}': counter(phases, bad=True),
    }


def histogram(phases: list[Phase]) -> dict[str, str]:
    """Requests slower than 300ms are the latency SLI's errors."""
    return {
        'http_request_duration_seconds_bucket{job="shop",le="0.3"}': counter(phases, bad=False),
        'http_request_duration_seconds_count{job="shop"}': counter(
            [Phase(p.minutes, p.rate, 0.0) for p in phases], bad=False),
    }


def probes(phases: list[Phase]) -> dict[str, str]:
    return {f'probe_success{{job="blackbox",target="shop",instance="prober-{i}"}}': values
            for i, values in enumerate(gauges(phases))}


def detection(long_minutes: float, factor: float, budget: float, error_ratio: float, tier: str) -> float:
    return long_minutes * factor * budget / error_ratio + LAG + FOR[tier]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return rule_file(SPECS, tmp_path_factory.mktemp("rules"))


CASES = [
    # id, series, slo, healthy history (min), error ratio, tier, expected minutes after burn start,
    # tolerance, evaluation interval
    pytest.param(events, "availability", 2 * H, 1.0, "page", 5, 3, "1m",
                 id="99.9/30d full outage pages within minutes"),
    pytest.param(events, "availability", 2 * H, 0.02, "page", detection(60, 14.4, 0.001, 0.02, "page"), 3, "1m",
                 id="99.9/30d 20x burn pages after ~43 min via 1h/5m"),
    pytest.param(events, "availability", 7 * H, 0.008, "page", detection(360, 6, 0.001, 0.008, "page"), 4, "1m",
                 id="99.9/30d 8x burn pages after ~4.5h via 6h/30m"),
    pytest.param(events, "availability", 3 * D + H, 0.002, "ticket",
                 detection(3 * D, 1, 0.001, 0.002, "ticket"), 8, "5m",
                 id="99.9/30d 2x burn tickets after ~36h via 3d/6h"),
    pytest.param(histogram, "latency", 2 * H, 0.2, "page", detection(60, 13.44, 0.01, 0.2, "page"), 3, "1m",
                 id="99/28d latency 20x burn pages after ~40 min (factor 13.44)"),
    pytest.param(histogram, "latency", 7 * H, 0.08, "page", detection(360, 5.6, 0.01, 0.08, "page"), 4, "1m",
                 id="99/28d latency 8x burn pages after ~4.2h (factor 5.6)"),
    pytest.param(histogram, "latency", 3 * D + H, 0.02, "ticket",
                 detection(3 * D, 0.1 * 28 / 3, 0.01, 0.02, "ticket"), 8, "5m",
                 id="99/28d latency 2x burn tickets after ~33.6h (factor 0.93)"),
    pytest.param(probes, "uptime", 2 * H, 1.0, "page", 5, 3, "1m",
                 id="99.5/7d probe full outage pages within minutes"),
    pytest.param(probes, "uptime", 2 * H, 0.1, "page", detection(60, 3.36, 0.005, 0.1, "page"), 3, "1m",
                 id="99.5/7d probe 20x burn pages after ~10 min (factor 3.36)"),
    pytest.param(probes, "uptime", 7 * H, 0.01, "page", detection(360, 1.4, 0.005, 0.01, "page"), 4, "1m",
                 id="99.5/7d probe 2x burn pages after ~4.2h via 6h (factor 1.4)"),
]


@pytest.mark.parametrize(("series", "slo", "history", "ratio", "tier", "expected", "tolerance", "step"), CASES)
def test_alert_fires_on_time(promtool: str, rules: list[Path], tmp_path: Path, series, slo: str,
                             history: int, ratio: float, tier: str, expected: float, tolerance: int,
                             step: str) -> None:
    fires_at = history + expected
    phases = [Phase(history, 100, 0.0), Phase(int(expected + 2 * tolerance + 10), 100, ratio)]
    alert = firing(f"Shop{slo.capitalize()}ErrorBudgetBurn", tier, slo)
    checks = [expect_quiet(alert, int(fires_at - tolerance)), expect_firing(alert, int(fires_at + tolerance))]
    if tier == "ticket":  # a slow burn never pages
        checks.append(expect_quiet(firing(f"Shop{slo.capitalize()}ErrorBudgetBurn", "page", slo),
                                   int(fires_at + tolerance)))
    run(promtool, rules, series(phases), checks, tmp_path, evaluation_interval=step)


def test_sustainable_burn_never_alerts(promtool: str, rules: list[Path], tmp_path: Path) -> None:
    """0.8x the budget for four days: neither tier fires, nor even goes pending."""
    phases = [Phase(4 * D, 100, 0.0008)]
    any_alert = 'count(ALERTS{slo_service="shop",slo_name="availability"})'
    checks = [expect_quiet(f"count_over_time(({any_alert})[{m}m:5m])", m) for m in (4 * D - 5,)]
    checks.append(expect_quiet(any_alert, 4 * D - 5))
    run(promtool, rules, events(phases), checks, tmp_path, evaluation_interval="5m")


def test_alert_resets_after_recovery(promtool: str, rules: list[Path], tmp_path: Path) -> None:
    """Short windows make a page stop soon after the errors stop: a 30-minute outage
    trips both page pairs, so the page holds until the 6h pair's 30m short window
    has cleared (~30 min), not for the hours the long windows stay high."""
    phases = [Phase(2 * H, 100, 0.0), Phase(30, 100, 1.0), Phase(3 * H, 100, 0.0)]
    alert = firing("ShopAvailabilityErrorBudgetBurn", "page", "availability")
    recovered = 2 * H + 30
    checks = [expect_firing(alert, recovered + 20), expect_quiet(alert, recovered + 35)]
    run(promtool, rules, events(phases), checks, tmp_path)
