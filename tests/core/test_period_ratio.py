"""The period ratio is traffic-weighted, survives traffic gaps and missing error series.

Checked with real promtool: the recorded `slo:sli_error:ratio_rate30d` must equal
total errors / total requests of the synthetic data, within 1%.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.harness import Phase, counter, rule_file, run

SPECS = Path(__file__).parent / "specs"
H = 60
PERIOD = 'slo:sli_error:ratio_rate30d{slo_service="shop",slo_name="availability"}'


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return rule_file(SPECS, tmp_path_factory.mktemp("rules"))


def within(expr: str, exact: float, minute: int, tolerance: float = 0.01) -> dict[str, object]:
    """promtool compares floats exactly, so assert |x - exact| < tolerance x exact as a filter."""
    return {"expr": f"count(abs({expr} - {exact!r}) <= {tolerance * exact!r})", "eval_time": f"{minute}m",
            "exp_samples": [{"labels": "{}", "value": 1}]}


def exact_ratio(phases: list[Phase]) -> float:
    errors = sum(p.minutes * p.rate * p.error_ratio for p in phases)
    total = sum(p.minutes * p.rate for p in phases)
    return errors / total


def test_uneven_traffic_is_weighted_by_requests(promtool: str, rules: list[Path], tmp_path: Path) -> None:
    # Busy hours at 0.1% errors, quiet hours at 50%: the exact ratio is ~0.59%;
    # an average of 5m ratios (Sloth) would say ~25%, 42x too high.
    phases = [Phase(H, 100, 0.001) if h % 2 == 0 else Phase(H, 1, 0.5) for h in range(24)]
    series = {
        'http_requests_total{job="shop",code="200"}': counter(phases, bad=False),
        'http_requests_total{job="shop",code="500"}': counter(phases, bad=True),
    }
    exact = exact_ratio(phases)
    assert 0.0058 < exact < 0.006
    run(promtool, rules, series, [within(PERIOD, exact, 24 * H + 1)], tmp_path)


def test_traffic_gap_does_not_poison_the_period(promtool: str, rules: list[Path], tmp_path: Path) -> None:
    # 3 hours of traffic, 3 hours of none (flat counters: every 5m ratio is 0/0),
    # then traffic again. The period ratio stays defined throughout.
    phases = [Phase(3 * H, 50, 0.002), Phase(3 * H, 0, 0.0), Phase(3 * H, 50, 0.004)]
    series = {
        'http_requests_total{job="shop",code="200"}': counter(phases, bad=False),
        'http_requests_total{job="shop",code="500"}': counter(phases, bad=True),
    }
    first = exact_ratio(phases[:1])
    checks = [within(PERIOD, first, 6 * H - 1), within(PERIOD, first, 5 * H + 1),
              within(PERIOD, exact_ratio(phases), 9 * H + 1)]
    run(promtool, rules, series, checks, tmp_path)


def test_missing_samples_do_not_poison_the_period(promtool: str, rules: list[Path], tmp_path: Path) -> None:
    # The series vanish for two hours (a scrape outage), then come back: the
    # period ratio stays defined during the gap and exact afterwards.
    before = [Phase(3 * H, 10, 0.01)]
    ok, bad = counter(before, bad=False), counter(before, bad=True)
    gap = " ".join(["_"] * (2 * H))
    ok_last, bad_last = 10 * 60 * 0.99 * 3 * H, 10 * 60 * 0.01 * 3 * H
    after_ok = f"{ok_last + 2 * H * 594.0!r}+594.0x{2 * H}"
    after_bad = f"{bad_last + 2 * H * 6.0!r}+6.0x{2 * H}"
    series = {
        'http_requests_total{job="shop",code="200"}': f"{ok} {gap} {after_ok}",
        'http_requests_total{job="shop",code="500"}': f"{bad} {gap} {after_bad}",
    }
    checks = [within(PERIOD, 0.01, 4 * H), within(PERIOD, 0.01, 5 * H - 1), within(PERIOD, 0.01, 7 * H + 1)]
    run(promtool, rules, series, checks, tmp_path)


def test_error_counter_never_incremented_reads_as_zero(promtool: str, rules: list[Path],
                                                       tmp_path: Path) -> None:
    # No 5xx series exists at all (sloth#440): the ratio is 0, not absent, so
    # alerts and dashboards keep working.
    series = {'http_requests_total{job="shop",code="200"}': counter([Phase(2 * H, 10, 0.0)], bad=False)}
    checks = [
        {"expr": 'slo:sli_error:ratio_rate5m{slo_service="shop",slo_name="availability"}',
         "eval_time": f"{H}m",
         "exp_samples": [{"labels": '{__name__="slo:sli_error:ratio_rate5m", slo_name="availability", '
                                    'slo_service="shop", slo_window="5m"}', "value": 0}]},
        {"expr": 'slo:period_error_budget_remaining:ratio{slo_service="shop",slo_name="availability"}',
         "eval_time": f"{2 * H}m",
         "exp_samples": [{"labels": '{__name__="slo:period_error_budget_remaining:ratio", '
                                    'slo_name="availability", slo_service="shop", slo_window="30d"}',
                          "value": 1}]},
    ]
    run(promtool, rules, series, checks, tmp_path)
