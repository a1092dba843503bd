"""Backtest a user journey: its steps' rates replayed, combined as the journey's rules combine them.

A journey's error ratio over a window is 1 - the product of its steps' success over that
window (compile/rules/journeys.py), each step's ratio traffic-weighted over all its groups,
and a quiet step (no ratio) counts as succeeding. So: fetch each step's rates, sum its
groups, replay each step's window ratios with the SLO replay (`Replay`), and multiply.
A journey counts no events of its own: its SLI over the range is the product of the steps'
range SLIs, and its budget numbers are shares of one period's budget by time (the journey's
5m error ratio, minute by minute, against its error budget).
"""

from __future__ import annotations

import numpy as np

from sloforge import durations
from sloforge.compile.rules.groups import interval_seconds
from sloforge.compile.rules.journeys import alerting_rules
from sloforge.compile.rules.rule import AlertingRule, AlertKind
from sloforge.conventions import BASE_WINDOW_SECONDS
from sloforge.history.rates import STEP, GroupRates
from sloforge.history.replay import INCIDENT_GAP, Replay, firings
from sloforge.history.result import Firing, GroupHistory, Incident
from sloforge.model.catalog import Slo
from sloforge.model.journey import Journey


def merged(groups: list[GroupRates]) -> GroupRates:
    """One step's groups as one: rates summed, NaN only where no group had a sample."""
    def total(arrays: list[np.ndarray]) -> np.ndarray:
        stacked = np.vstack(arrays)
        return np.where(np.all(np.isnan(stacked), axis=0), np.nan, np.nansum(stacked, axis=0))

    first = groups[0]
    short = {w: (total([g.short[w][0] for g in groups]), total([g.short[w][1] for g in groups]))
             for w in first.short}
    hourly = (total([g.hourly_errors for g in groups]), total([g.hourly_total for g in groups])) \
        if len(first.hourly_total) else (first.hourly_errors, first.hourly_total)
    return GroupRates({}, first.start, total([g.errors for g in groups]), total([g.total for g in groups]),
                      short, first.hourly_start, *hourly)


class JourneyReplay:
    def __init__(self, journey: Journey, steps: list[Slo], rates: list[GroupRates]) -> None:
        self.journey = journey
        self.replays = [Replay(slo, r) for slo, r in zip(steps, rates, strict=True)]
        self.start = max(r.start for r in rates)
        self.budget = journey.error_budget

    def _combine(self, ratios: list[np.ndarray]) -> np.ndarray:
        success = np.ones_like(ratios[0])
        for ratio in ratios:
            success *= 1 - np.clip(np.nan_to_num(ratio, nan=0.0), 0, 1)
        return 1 - success

    def window_ratio(self, window: int, times: np.ndarray) -> np.ndarray:
        return self._combine([r.window_ratio(window, r.index(times)) for r in self.replays])

    def period_ratio(self, times: np.ndarray) -> np.ndarray:
        return self._combine([r.period_ratio(r.index(times)) for r in self.replays])

    def condition(self, rule: AlertingRule, times: np.ndarray) -> np.ndarray:
        alerting = self.journey.alerting
        assert alerting is not None
        if rule.kind is AlertKind.BUDGET:
            assert rule.threshold is not None
            return 1 - self.period_ratio(times) / self.budget <= rule.threshold
        fired = np.zeros(len(times), dtype=bool)
        for pair in alerting.active_pairs(rule.tier):
            threshold = float(f"{pair.factor:.10g}") * float(f"{self.budget:.10g}")
            both = self.window_ratio(pair.long, times) > threshold
            fired |= both & (self.window_ratio(pair.short, times) > threshold)
        return fired


def replay_journey(journey: Journey, steps: list[Slo], rates: list[GroupRates], start: int,
                   end: int) -> GroupHistory:
    r = JourneyReplay(journey, steps, rates)
    minutes = np.arange(start + STEP, end + 1, STEP, dtype=np.int64)
    ratio5m = r.window_ratio(BASE_WINDOW_SECONDS, minutes)
    span = end - start
    period_budget = r.budget * journey.period  # bad seconds a period allows

    def burned(first: float, last: float | None) -> float:
        low = max(int((first - start) // STEP), 0)
        high = len(minutes) if last is None else max(int((last - start) // STEP), 0)
        return float(ratio5m[low:high].sum()) * STEP / period_budget

    fired = []
    for rule in alerting_rules(journey, steps):
        interval = interval_seconds(rule.as_dict())
        hold = durations.parse(rule.for_) if rule.for_ else 0
        first = max(start - hold - interval, r.start)
        times = np.arange(-(-first // interval) * interval, end + 1, interval, dtype=np.int64)
        for begin, stop in firings(r.condition(rule, times), times, hold, interval):
            if stop is None or stop > start:
                fired.append(Firing(rule.alert, rule.kind.value, rule.tier, begin, stop, burned(begin, stop)))
    fired.sort(key=lambda f: (f.start, f.tier, f.alert))
    # The range's SLI: the product of the steps' range SLIs (each traffic-weighted over the range).
    success = 1.0
    for replay in r.replays:
        index = replay.index(minutes)
        bad = float(np.nansum(replay.rates.errors[index]))
        total = float(np.nansum(replay.rates.total[index]))
        success *= 1 - (bad / total if total > 0 else 0.0)
    incidents = _incidents(minutes, ratio5m / r.budget, ratio5m * STEP / period_budget, fired)
    return GroupHistory(
        service="journey", slo=journey.name, labels={}, start=float(start), end=float(end),
        good_events=success, total_events=1.0, budget_consumed=(1 - success) * span / period_budget,
        firings=tuple(fired), incidents=tuple(incidents))


def _incidents(times: np.ndarray, burn: np.ndarray, spent: np.ndarray,
               fired: list[Firing]) -> list[Incident]:
    """Burn episodes (5m burn above 1), as the SLO replay finds them, by time instead of events."""
    elevated = np.nan_to_num(burn, nan=0.0) > 1
    edges = np.flatnonzero(np.diff(np.concatenate([[False], elevated, [False]]).astype(np.int8)))
    runs: list[list[int]] = []
    for first, stop in zip(edges[::2], edges[1::2], strict=True):
        if runs and first - runs[-1][1] <= INCIDENT_GAP // STEP:
            runs[-1][1] = int(stop)
        else:
            runs.append([int(first), int(stop)])
    pages = sorted(f.start for f in fired if f.tier == "page")
    out = []
    for first, stop in runs:
        start = float(times[first] - STEP)
        end = float(max(times[stop - 1] - (BASE_WINDOW_SECONDS - STEP), times[first]))
        page = next((p for p in pages if start <= p <= float(times[stop - 1])), None)
        out.append(Incident(start, end, float(np.nanmax(burn[first:stop])), float(np.nansum(spent[first:stop])),
                            page))
    out.sort(key=lambda i: -i.budget_consumed)
    return out[:100]
