"""The backtest engine's replay on rates built in Python: exact expectations from hand
arithmetic and from explain's timing model (one window maths, two implementations that
must agree). The replay against a real Prometheus and promtool is in the other modules here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sloforge.explain.timing import detection, effective_for, reset
from sloforge.history.rates import MAX_POINTS, STEP, GroupRates, chunks
from sloforge.history.replay import firings, replay
from sloforge.history.suggest import suggest
from sloforge.model.catalog import Slo
from sloforge.pipeline import load_catalog

DAY = 86400
T0 = 1_700_000_000 // DAY * DAY  # a whole day: evaluations of every interval align with it


def load(tmp_path: Path, sli: str, extra: str = "", window: str = "30d", objective: float = 99.9) -> Slo:
    spec = tmp_path / "spec.yml"
    spec.write_text(f"""apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: team-shop
slos:
  - name: availability
    objective: {objective}
    window: {window}
    sli:
{sli}
{extra}""")
    catalog, _ = load_catalog([str(spec)])
    return catalog.slos[0]


EVENTS = """      events:
        errors: sum(rate(http_requests_total{code="500"}[{{ window }}]))
        total: sum(rate(http_requests_total[{{ window }}]))"""


GROUPED = """      events:
        group_by: [route]
        errors: sum by (route) (rate(http_requests_total{code="500"}[{{ window }}]))
        total: sum by (route) (rate(http_requests_total[{{ window }}]))"""


def rates_from(errors_per_minute: np.ndarray, total_per_minute: np.ndarray, start: int,
               labels: dict[str, str] | None = None) -> GroupRates:
    """The 5m rates Prometheus would compute from per-minute counts (minute i ends at start + 60 i):
    the increase over the last five minutes / 300 s."""
    def rate(per_minute: np.ndarray) -> np.ndarray:
        summed = np.convolve(per_minute, np.ones(5))[: len(per_minute)]
        return summed / 300.0

    return GroupRates(labels or {}, start, rate(errors_per_minute), rate(total_per_minute))


def steady(days: float, rps: float = 100.0) -> np.ndarray:
    return np.full(int(days * 1440) + 1, rps * 60.0)


def test_chunks_cover_the_range_without_overlap_under_the_point_limit() -> None:
    start, end = T0, T0 + 35 * DAY
    spans = chunks(start, end)
    assert spans[0][0] == start and spans[-1][1] == end
    for (_, b), (c, _) in zip(spans, spans[1:], strict=False):
        assert c == b + STEP
    assert all((b - a) // STEP + 1 <= MAX_POINTS for a, b in spans)
    assert sum((b - a) // STEP + 1 for a, b in spans) == (end - start) // STEP + 1


def test_for_is_counted_in_whole_evaluations_and_a_false_evaluation_resolves() -> None:
    times = np.arange(0, 30 * 180, 180)
    condition = np.zeros(len(times), dtype=bool)
    condition[3:10] = True  # true from t=540 to t=1620, false at 1800
    condition[20:22] = True  # two evaluations: shorter than for
    # for: 5m in a 3m group waits two evaluations (6m), as effective_for says
    assert effective_for(300, 180) == 360
    assert firings(condition, times, 300, 180) == [(540 + 360, 1800)]
    assert firings(condition, times, 0, 180) == [(540, 1800), (3600, 3960)]
    condition[-3:] = True  # still firing at the end
    assert firings(condition, times, 0, 180)[-1] == (float(times[-3]), None)


@pytest.mark.parametrize("error_ratio", [1.0, 0.2, 0.05])
def test_a_step_outage_pages_when_explain_says(tmp_path: Path, error_ratio: float) -> None:
    """explain's continuous model plus whole evaluations and `for:` must bracket the replay."""
    slo = load(tmp_path, EVENTS)
    days = 5
    total = steady(days)
    errors = np.zeros_like(total)
    outage_start = T0 + 3 * DAY + 7 * 60  # minute boundary, not an hour
    first = (outage_start - T0) // 60 + 1  # the minute ending at outage_start + 60 is the first bad one
    last = first + 90  # a 90-minute outage
    errors[first:last] = total[first:last] * error_ratio
    history = replay(slo, rates_from(errors, total, T0), T0 + 2 * DAY, T0 + days * DAY)
    pages = [f for f in history.firings if f.tier == "page"]
    assert len(pages) == 1
    pairs = slo.alerting.active_pairs("page")
    detect = min(d for p in pairs if (d := detection(p, slo.error_budget, error_ratio)) is not None)
    hold = effective_for(slo.alerting.tier("page").for_seconds, 60)
    # The model is continuous; the replay sees one-minute samples and evaluations: within 2 minutes.
    assert outage_start + detect + hold - 60 <= pages[0].start <= outage_start + detect + hold + 120
    outage_end = outage_start + 90 * 60
    # The alert is any pair firing: it resolves when the last of the pairs that fired resets.
    fired = [p for p in pairs if (d := detection(p, slo.error_budget, error_ratio)) is not None and d < 90 * 60]
    recover = max(r for p in fired if (r := reset(p, slo.error_budget, error_ratio)) is not None)
    assert pages[0].end is not None
    assert outage_end + recover - 60 <= pages[0].end <= outage_end + recover + 180
    # Budget burned during the page: the bad minutes it covers over one period's budget.
    assert 0 < pages[0].budget_burned < history.budget_consumed


def test_budget_numbers_are_traffic_weighted(tmp_path: Path) -> None:
    """Quiet hours at 5% errors and busy hours at 0.01%: the ratio of sums, not a mean of ratios."""
    slo = load(tmp_path, EVENTS, window="7d")
    minutes = 9 * 1440 + 1
    hour = (np.arange(minutes) // 60) % 24
    total = np.where(hour < 6, 10.0, 1000.0) * 60  # 6 quiet hours a day
    errors = total * np.where(hour < 6, 0.05, 0.0001)
    history = replay(slo, rates_from(errors, total, T0), T0 + 2 * DAY, T0 + 9 * DAY)
    quiet, busy = 6 * 10.0, 18 * 1000.0
    ratio = (quiet * 0.05 + busy * 0.0001) / (quiet + busy)
    assert history.sli == pytest.approx(1 - ratio, rel=1e-6)
    # 7 days of range over a 7d period: consumption = ratio / budget
    assert history.budget_consumed == pytest.approx(ratio / 0.001, rel=1e-4)
    mean_of_ratios = (6 * 0.05 + 18 * 0.0001) / 24 / 0.001
    assert abs(history.budget_consumed - mean_of_ratios) > 1  # a mean of ratios would be 12.6x


def test_grouped_slo_alerts_per_group(tmp_path: Path) -> None:
    slo = load(tmp_path, GROUPED)
    total = steady(4)
    bad = total * 0.0
    bad[3 * 1440:3 * 1440 + 120] = total[3 * 1440:3 * 1440 + 120] * 0.5
    quiet = replay(slo, rates_from(total * 0.0001, total, T0, {"route": "/cart"}), T0 + 2 * DAY, T0 + 4 * DAY)
    noisy = replay(slo, rates_from(bad, total, T0, {"route": "/pay"}), T0 + 2 * DAY, T0 + 4 * DAY)
    assert quiet.firings == () and quiet.labels == {"route": "/cart"}
    assert {f.tier for f in noisy.firings} == {"page", "ticket"}


def test_low_traffic_guard_and_no_data(tmp_path: Path) -> None:
    guarded = load(tmp_path, EVENTS, extra="    alerting:\n      min_events: 100000\n      absent: 15m\n")
    total = steady(4, rps=0.5)  # 1,800 requests an hour: below the guard for 1h and 6h
    errors = total * 0.5
    gap = slice(3 * 1440, 3 * 1440 + 40)
    total[gap] = np.nan
    errors[gap] = np.nan
    rates = GroupRates({}, T0, errors / 60.0, total / 60.0)  # per-second rates given directly
    history = replay(guarded, rates, T0 + 2 * DAY, T0 + 4 * DAY)
    assert not [f for f in history.firings if f.kind == "burn-rate" and f.tier == "page"]
    no_data = [f for f in history.firings if f.kind == "no-data"]
    assert len(no_data) == 1
    gap_start = T0 + 3 * DAY  # the first missing sample
    # absent_over_time(...[15m]) is true once 15m + 1 samples are missing: fires 15m after the last sample
    assert no_data[0].start == gap_start + 15 * 60 - 60 + 60
    assert no_data[0].end == gap_start + 40 * 60  # the first sample back


def test_budget_policy_fires_when_the_remaining_budget_crosses(tmp_path: Path) -> None:
    slo = load(tmp_path, EVENTS, window="7d",
               extra="    alerting:\n      budget:\n        - {consumed: 50%, severity: ticket}\n")
    total = steady(16)
    errors = total * 0.0
    # 0.08% errors from day 8 on: the 7d window's consumption climbs by 0.8/7 a day past 50% on day 12.4
    errors[8 * 1440:] = total[8 * 1440:] * 0.0008
    history = replay(slo, rates_from(errors, total, T0), T0 + 7 * DAY, T0 + 16 * DAY)
    budget = [f for f in history.firings if f.kind == "budget"]
    assert len(budget) == 1
    crossing = T0 + 8 * DAY + 0.5 / 0.8 * 7 * DAY  # consumption = 0.8 x days / 7
    # The period ratio moves by whole hours, evaluated every 3 minutes, and then `for:` holds it:
    # within one hour, one interval and the `for` in whole intervals.
    hold = effective_for(slo.alerting.budget[0].for_seconds, 180)
    assert crossing + hold <= budget[0].start <= crossing + 3600 + 180 + hold


def test_suggest_the_objective_the_worst_period_met(tmp_path: Path) -> None:
    slo = load(tmp_path, EVENTS, window="7d")
    total = steady(22)
    errors = total * 0.0015  # 99.85% everywhere ...
    errors[15 * 1440:16 * 1440] = total[15 * 1440:16 * 1440] * 0.0085  # ... and one day at 99.15%
    start, end = T0 + 7 * DAY, T0 + 22 * DAY
    found = suggest(slo, rates_from(errors, total, T0), start, end, max_pages=100)
    worst = 1 - (6 * 0.0015 + 0.0085) / 7  # a 7-day period holding the bad day
    assert found.worst_sli == pytest.approx(worst, abs=1e-6)
    assert found.median_sli == pytest.approx(worst, abs=1e-6)  # most periods (in range) hold it
    assert found.budget_bound == pytest.approx(np.floor(worst * 100_000 - 1e-6) / 1000, abs=1e-9)
    assert found.highest == found.budget_bound and found.binding == "budget"
    assert found.exhausted_periods > 0  # 99.9% runs out whenever the bad day is in the window
    # With no page allowed the day at 0.85% must not page: a lower objective.
    strict = suggest(slo, rates_from(errors, total, T0), start, end, max_pages=0)
    assert strict.highest is not None and strict.highest < found.highest and strict.binding == "pages"
