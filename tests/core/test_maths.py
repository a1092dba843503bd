"""Burn-rate maths (SRE Workbook, "Alerting on SLOs") in small tables."""

from __future__ import annotations

import pytest
from sloforge import durations
from sloforge.model import policy

DAY = 86400


@pytest.mark.parametrize(("period_days", "factors"), [
    (30, [14.4, 6, 3, 1]),
    (28, [13.44, 5.6, 2.8, 0.9333333333]),
    (7, [3.36, 1.4, 0.7, 0.2333333333]),
    (90, [43.2, 18, 9, 3]),
])
def test_default_factors_follow_the_period(period_days: int, factors: list[float]) -> None:
    pairs = policy.default_pairs(period_days * DAY)
    assert [p.factor for p in pairs] == pytest.approx(factors)
    assert [p.budget_fraction for p in pairs] == pytest.approx([0.02, 0.05, 0.1, 0.1])


def test_default_windows_pair_long_with_a_twelfth() -> None:
    pairs = policy.default_pairs(30 * DAY)
    assert [(p.tier, p.long_text, p.short_text) for p in pairs] == [
        ("page", "1h", "5m"), ("page", "6h", "30m"), ("ticket", "1d", "2h"), ("ticket", "3d", "6h")]


@pytest.mark.parametrize(("objective", "alive"), [
    (99.9, [True, True, True, True]),
    (95, [True, True, True, True]),
    (93, [False, True, True, True]),  # 14.4 x 7% > 100%: the 1h page can never fire
    (80, [False, False, True, True]),
])
def test_dead_tiers_are_detected(objective: float, alive: list[bool]) -> None:
    budget = 1 - objective / 100
    assert [p.can_fire(budget) for p in policy.default_pairs(30 * DAY)] == alive


@pytest.mark.parametrize(("text", "seconds", "canonical"), [
    ("5m", 300, "5m"), ("1h30m", 5400, "1h30m"), ("30d", 30 * DAY, "30d"), ("4w", 28 * DAY, "28d"),
    ("90s", 90, "1m30s"), ("1000ms", 1, "1s"),
])
def test_durations_round_trip(text: str, seconds: int, canonical: str) -> None:
    assert durations.parse(text) == seconds
    assert durations.format(seconds) == canonical


@pytest.mark.parametrize("text", ["", "5", "5x", "-1m", "0m", "1.5h", "1500ms", None, 5])
def test_bad_durations_are_rejected(text: object) -> None:
    with pytest.raises(durations.DurationError):
        durations.parse(text)


@pytest.mark.parametrize(("text", "seconds"), [("300ms", 0.3), ("1s", 1.0), ("1.5s", 1.5), (0.25, 0.25), ("2", 2.0)])
def test_latency_thresholds(text: object, seconds: float) -> None:
    assert durations.parse_threshold_seconds(text) == seconds
