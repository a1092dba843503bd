"""Replay the generated rules over an SLO's past rates: what they would have recorded and fired.

Exactly what compile/rules/ writes, evaluated the way Prometheus 2 evaluates it:

* the recorded 5m rates are one sample a minute (the raw query at each evaluation of the
  fast group); a window W sums them over [t - W, t] (a Prometheus 2 range includes both
  ends: W/60 + 1 samples), errors and totals apart, and divides;
* the period ratio sums the hourly series (a minute's sum of the last 60 samples / 60) at
  the whole hours in (t - period, t] (the subquery's steps are aligned to the epoch);
* each alert is evaluated at the multiples of its group's interval (1m, or 3m for the
  `-long` group: `groups.interval_seconds`), with its own thresholds as the rule's text
  writes them, the low-traffic guard, `for:` (pending at the first true evaluation,
  firing at the first one at least `for` later, resolved at the first false one) and
  `max by (<identity>)`, so one alert per group;
* an absent sample is "no data": comparisons with it are false, as in PromQL, and 0/0
  is NaN (false) while errors over zero traffic are +Inf (true), as in PromQL.

Pure: numpy arrays in, `GroupHistory` out; rates.py reads them from Prometheus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sloforge import durations
from sloforge.compile.rules import recording
from sloforge.compile.rules.alerts import _number as alert_number
from sloforge.compile.rules.alerts import alerting_rules
from sloforge.compile.rules.groups import interval_seconds
from sloforge.compile.rules.rule import AlertingRule, AlertKind
from sloforge.conventions import BASE_WINDOW_SECONDS, FORECAST_WINDOW_SECONDS, PERIOD_STEP_SECONDS
from sloforge.history.rates import STEP, GroupRates
from sloforge.history.result import Firing, GroupHistory, Incident
from sloforge.model.catalog import Slo
from sloforge.model.policy import WindowPair

BASE = BASE_WINDOW_SECONDS
# Burn episodes closer than this are one incident (a 5m rate dips for a minute mid-outage).
INCIDENT_GAP = BASE
# At most this many points in the pictures' series (the peak of each bucket is kept).
PICTURE_POINTS = 1500
# The incidents a history keeps, largest first (incident_count says how many there were).
MAX_INCIDENTS = 100


@dataclass(slots=True)
class _Sums:
    """Prefix sums of one group's recorded 5m rates: any window's sum in O(1)."""

    errors: np.ndarray  # errors[i] = sum of the first i samples
    total: np.ndarray
    count: np.ndarray  # samples present

    @classmethod
    def of(cls, rates: GroupRates) -> _Sums:
        present = ~np.isnan(rates.total)
        errors = np.where(present, np.nan_to_num(rates.errors), 0.0)
        total = np.where(present, rates.total, 0.0)
        zero = np.zeros(1)
        return cls(np.concatenate([zero, np.cumsum(errors)]), np.concatenate([zero, np.cumsum(total)]),
                   np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(present)]))

    def window(self, index: np.ndarray, samples: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(errors, total, samples present) over the `samples` samples ending at each index."""
        low = np.maximum(index + 1 - samples, 0)
        high = index + 1
        return (self.errors[high] - self.errors[low], self.total[high] - self.total[low],
                self.count[high] - self.count[low])


def _divide(errors: np.ndarray, total: np.ndarray, present: np.ndarray) -> np.ndarray:
    """errors / total as PromQL divides, NaN where the rule would have recorded nothing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = errors / total
    return np.where(present, ratio, np.nan)


class Replay:
    """One group of one SLO: its recorded series at any evaluation, and its alerts."""

    def __init__(self, slo: Slo, rates: GroupRates) -> None:
        self.slo = slo
        self.rates = rates
        self.sums = _Sums.of(rates)
        self.times = rates.times
        self.budget = float(recording._number(slo.error_budget))

    def index(self, times: np.ndarray) -> np.ndarray:
        return ((times - self.rates.start) // STEP).astype(np.int64)

    def window_ratio(self, window: int, index: np.ndarray) -> np.ndarray:
        """`slo:sli_error:ratio_rate<window>` at the samples `index`."""
        if window == BASE:
            return _divide(self.rates.errors[index], self.rates.total[index], ~np.isnan(self.rates.total[index]))
        if window < BASE:
            errors, total = self.rates.short[window]
            return _divide(errors[index], total[index], ~np.isnan(total[index]))
        errors, total, count = self.sums.window(index, window // STEP + 1)
        return _divide(errors, total, count > 0)

    def events(self, window: int, index: np.ndarray) -> np.ndarray:
        """The guard's events: sum_over_time(total5m[window]) x 60 s, NaN without samples."""
        _, total, count = self.sums.window(index, window // STEP + 1)
        return np.where(count > 0, total * STEP, np.nan)

    def period_ratio(self, index: np.ndarray) -> np.ndarray:
        """`slo:sli_error:ratio_rate<period>` at the samples `index`."""
        slo = self.slo
        if not recording.period_uses_hourly_steps(slo):
            return self.window_ratio(slo.period, index)
        hour = PERIOD_STEP_SECONDS
        per_hour = hour // STEP
        rates = self.rates
        coarse = len(rates.hourly_total) > 0
        # The hourly series at every whole hour: the sum of the minute samples in (h - 59m30s, h] / 60;
        # before the minute samples begin, the hourly rates read at whole hours (rates.py).
        first = rates.start + hour if coarse else int(-(-rates.start // hour) * hour)
        minute_hours = np.arange(first, int(self.times[-1]) + 1, hour, dtype=np.int64)
        errors, total, count = self.sums.window(self.index(minute_hours), per_hour)
        present = count > 0
        errors, total = np.where(present, errors / per_hour, 0.0), np.where(present, total / per_hour, 0.0)
        hours = minute_hours
        if coarse:
            seen = ~np.isnan(rates.hourly_total)
            hours = np.concatenate([rates.hourly_start + hour * np.arange(len(seen), dtype=np.int64), minute_hours])
            errors = np.concatenate([np.where(seen, np.nan_to_num(rates.hourly_errors), 0.0), errors])
            total = np.concatenate([np.where(seen, rates.hourly_total, 0.0), total])
            present = np.concatenate([seen, present])
        hour_errors = np.concatenate([[0.0], np.cumsum(errors)])
        hour_total = np.concatenate([[0.0], np.cumsum(total)])
        hour_count = np.concatenate([[0], np.cumsum(present)])
        # whole hours h with t - period < h <= t
        times = self.times[index]
        high = np.searchsorted(hours, times, side="right")
        low = np.searchsorted(hours, times - slo.period, side="right")
        return _divide(hour_errors[high] - hour_errors[low], hour_total[high] - hour_total[low],
                       (hour_count[high] - hour_count[low]) > 0)

    def budget_remaining(self, index: np.ndarray) -> np.ndarray:
        """`slo:error_budget:remaining`: 1 - period burn rate."""
        return 1 - self.period_ratio(index) / self.budget

    def forecast_within(self, horizon: int, index: np.ndarray) -> np.ndarray:
        """`slo:period_error_budget_exhaustion:seconds <= horizon` (compile/rules/forecast.py): the
        budget is spent (R <= 0), or R P / b is under both the period and the horizon, b the burn
        over a day (the period, when shorter). NaN (no traffic) and +Inf (b = 0) compare false."""
        remaining = self.budget_remaining(index)
        period = self.slo.period
        window = min(FORECAST_WINDOW_SECONDS, period)
        ratio = self.period_ratio(index) if window == period else self.window_ratio(window, index)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = np.maximum(remaining, 0) * period / (ratio / self.budget)
            spent = remaining <= 0
            return spent | ((left < period) & (left <= horizon))

    def burn_condition(self, pairs: tuple[WindowPair, ...], index: np.ndarray) -> np.ndarray:
        """Any pair with both windows above its threshold (and the guard met)."""
        fired = np.zeros(len(index), dtype=bool)
        for pair in pairs:
            threshold = float(alert_number(pair.factor)) * float(alert_number(self.slo.error_budget))
            both = self.window_ratio(pair.long, index) > threshold
            both &= self.window_ratio(pair.short, index) > threshold
            if self.slo.alerting.min_events:
                both &= self.events(pair.long, index) >= self.slo.alerting.min_events
            fired |= both
        return fired

    def no_data(self, seconds: int, index: np.ndarray) -> np.ndarray:
        _, _, count = self.sums.window(index, seconds // STEP + 1)
        return count == 0

    def condition(self, rule: AlertingRule, index: np.ndarray) -> np.ndarray:
        if rule.kind is AlertKind.BURN_RATE:
            return self.burn_condition(self.slo.alerting.active_pairs(rule.tier), index)
        if rule.kind is AlertKind.BUDGET and rule.horizon is not None:
            return self.forecast_within(rule.horizon, index)
        if rule.kind is AlertKind.BUDGET:
            assert rule.threshold is not None
            return self.budget_remaining(index) <= rule.threshold
        return self.no_data(self.slo.alerting.absent_seconds or 0, index)


def firings(condition: np.ndarray, times: np.ndarray, for_seconds: int,
            interval: int) -> list[tuple[float, float | None]]:
    """(start, end) of each firing: runs of true evaluations, firing from the evaluation at least
    `for` after the run's first one, resolved at the first false evaluation (None: still firing)."""
    wait = -(-for_seconds // interval)  # evaluations between pending and firing
    padded = np.concatenate([[False], condition, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    out: list[tuple[float, float | None]] = []
    for first, stop in zip(edges[::2], edges[1::2], strict=True):
        fire = first + wait
        if fire < stop:
            out.append((float(times[fire]), float(times[stop]) if stop < len(times) else None))
    return out


def alert_firings(r: Replay, start: int, end: int,
                  tier: str | None = None) -> list[tuple[AlertingRule, float, float | None]]:
    """Every firing of the SLO's alerting rules (of one tier) that overlaps (start, end]."""
    out: list[tuple[AlertingRule, float, float | None]] = []
    for rule in alerting_rules(r.slo):
        if tier is not None and rule.tier != tier:
            continue
        interval = interval_seconds(rule.as_dict())
        hold = durations.parse(rule.for_) if rule.for_ else 0
        # From one `for` (and one interval) before the range: an alert pending at its start fires in it.
        first = max(start - hold - interval, r.rates.start)
        times = np.arange(-(-first // interval) * interval, end + 1, interval, dtype=np.int64)
        condition = r.condition(rule, r.index(times))
        out.extend((rule, begin, stop) for begin, stop in firings(condition, times, hold, interval)
                   if stop is None or stop > start)
    return out


def replay(slo: Slo, rates: GroupRates, start: int, end: int) -> GroupHistory:
    """What the generated rules would have done for one group over [start, end]."""
    r = Replay(slo, rates)
    in_range = r.index(np.arange(start + STEP, end + 1, STEP, dtype=np.int64))
    errors = np.nan_to_num(rates.errors[in_range]) * STEP
    total = np.where(np.isnan(rates.total[in_range]), 0.0, rates.total[in_range]) * STEP
    bad, events = float(errors.sum()), float(total.sum())
    span = end - start
    # The budget of one period, in events, at the range's traffic: what shares of it are measured in.
    period_budget = slo.error_budget * events * slo.period / span if events > 0 else math.inf

    def burned(first: float, last: float | None) -> float:
        low = max(int((first - start) // STEP), 0)
        high = len(in_range) if last is None else max(int((last - start) // STEP), 0)
        return float(errors[low:high].sum()) / period_budget

    fired = [Firing(rule.alert, rule.kind.value, rule.tier, begin, stop, burned(begin, stop))
             for rule, begin, stop in alert_firings(r, start, end)]
    fired.sort(key=lambda f: (f.start, f.tier, f.alert))
    incidents, incident_count = _incidents(r, in_range, errors, period_budget, fired)
    budget_curve = _hourly_remaining(r, start, end)
    return GroupHistory(
        service=slo.service, slo=slo.name, labels=dict(rates.labels), start=float(start), end=float(end),
        good_events=events - bad, total_events=events,
        budget_consumed=bad / period_budget if events > 0 else 0.0,
        firings=tuple(fired), incidents=tuple(incidents), incident_count=incident_count,
        burn_rate=_burn_curve(r, in_range), budget_remaining=budget_curve)


def _incidents(r: Replay, in_range: np.ndarray, errors: np.ndarray, period_budget: float,
               fired: list[Firing]) -> tuple[list[Incident], int]:
    """The largest MAX_INCIDENTS burn episodes, and how many there were (a flapping probe makes
    thousands of one-minute episodes: the report names the ones that spent the budget)."""
    burn = r.window_ratio(BASE, in_range) / r.budget
    elevated = np.nan_to_num(burn, nan=0.0) > 1
    padded = np.concatenate([[False], elevated, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, stops = edges[::2], edges[1::2]
    if len(starts) == 0:
        return [], 0
    # Episodes closer than INCIDENT_GAP are one: a new incident starts where the gap is wider.
    new = np.concatenate([[True], starts[1:] - stops[:-1] > INCIDENT_GAP // STEP])
    firsts, lasts = starts[new], np.concatenate([stops[:-1][new[1:]], stops[-1:]])
    peaks = np.maximum.reduceat(np.nan_to_num(burn, nan=0.0), firsts)
    spent = np.concatenate([[0.0], np.cumsum(errors)])
    budgets = (spent[lasts] - spent[firsts]) / period_budget
    order = np.argsort(-budgets, kind="stable")[:MAX_INCIDENTS]
    times = r.times[in_range]
    pages = np.sort(np.array([f.start for f in fired if f.tier == "page"], dtype=np.float64))
    out = []
    for k in order:
        first, stop = int(firsts[k]), int(lasts[k])
        # The first elevated 5m sample saw errors of the minute before it; the last one still sees
        # the final minute of errors through the trailing (5m - 1m) of its window.
        start = float(times[first] - STEP)
        end = float(max(times[stop - 1] - (BASE - STEP), times[first]))
        at = int(np.searchsorted(pages, start, side="left"))
        page = float(pages[at]) if at < len(pages) and pages[at] <= times[stop - 1] else None
        out.append(Incident(start, end, float(peaks[k]), float(budgets[k]), page))
    return out, len(firsts)


def _downsample(times: np.ndarray, values: np.ndarray) -> tuple[tuple[float, float], ...]:
    """At most PICTURE_POINTS points, keeping each bucket's peak (a short spike stays visible);
    a bucket with no sample at all is one NaN point, so a chart shows the gap instead of a bridge."""
    if not np.any(~np.isnan(values)):
        return ()
    size = max(1, -(-len(values) // PICTURE_POINTS))
    buckets = -(-len(values) // size)
    padded = np.full(buckets * size, np.nan)
    padded[:len(values)] = values
    grid = padded.reshape(buckets, size)
    empty = np.all(np.isnan(grid), axis=1)
    peak = np.argmax(np.where(np.isnan(grid), -np.inf, grid), axis=1)
    index = np.minimum(np.arange(buckets) * size + np.where(empty, 0, peak), len(values) - 1)
    picked = np.where(empty, np.nan, values[index])
    return tuple(zip(times[index].astype(float).tolist(), picked.tolist(), strict=True))


def _burn_curve(r: Replay, in_range: np.ndarray) -> tuple[tuple[float, float], ...]:
    """The burn rate over the page tier's shortest long window (1h by default): what a person
    compares with the factors (14.4, 6, ...)."""
    pairs = r.slo.alerting.pairs
    window = min((p.long for p in pairs), default=3600)
    return _downsample(r.times[in_range], r.window_ratio(window, in_range) / r.budget)


def _hourly_remaining(r: Replay, start: int, end: int) -> tuple[tuple[float, float], ...]:
    hour = PERIOD_STEP_SECONDS
    times = np.arange(-(-start // hour) * hour, end + 1, hour, dtype=np.int64)
    if len(times) == 0:
        return ()
    return _downsample(times, r.budget_remaining(r.index(times)))
