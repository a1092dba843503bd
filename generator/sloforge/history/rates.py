"""An SLO's raw SLI rates over a past range, read from Prometheus.

The backtest reads the same PromQL the generated recording rules evaluate (the SLI's
5m error and total rates, summed to its group labels), so it works before the rules
are deployed, and replays what the rules would have recorded from them. Reads are
range queries at the rules' 1m evaluation step, cut into chunks under Prometheus'
limit of 11,000 points per series, and run in parallel (a thread pool: the server
does the work, the client waits).

Two resolutions, because the server's time is the cost (it evaluates the query at every
step): minute by minute over the range and the longest alert window (and `for:`) before
it, which every alert reads; and, further back to one period before the range, the hourly
rates (`rate(...[1h])` at whole hours) that only the period ratio reads, as the recorded
hourly series would have held them: 720 evaluations for 30 days instead of 43,200.

The errors query is read without the rules' `or total * 0` fallback (which evaluates
the total a second time); the fallback is applied here: where a group has traffic and
no error series, its errors are 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from sloforge import durations, promql
from sloforge.conventions import BASE_WINDOW_SECONDS
from sloforge.model.catalog import Slo
from sloforge.model.sli import EventsSli
from sloforge.prometheus_api import Client
from sloforge.promql.labels import aggregated

STEP = 60  # seconds: the fast rule group's evaluation interval
# Prometheus refuses a range query of more than 11,000 points per series.
MAX_POINTS = 11_000
CHUNK_POINTS = 10_000
PARALLEL = 4
HOUR = 3600

Key = tuple[tuple[str, str], ...]  # a group's label set, sorted: () when ungrouped


@dataclass(slots=True)
class GroupRates:
    """One group's per-second rates at times `start + STEP * i`; NaN where the query had no
    sample (no series, or a gap): the recording rule would have recorded nothing there.
    `hourly_errors`/`hourly_total` are the hourly rates at `hourly_start + 3600 * k`, the hours
    before `start` that only the period ratio reads."""

    labels: dict[str, str]
    start: int
    errors: np.ndarray
    total: np.ndarray
    # windows shorter than the base window are read from raw metrics at that window
    short: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    hourly_start: int = 0
    hourly_errors: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hourly_total: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def times(self) -> np.ndarray:
        return self.start + STEP * np.arange(len(self.total), dtype=np.int64)


def aligned(moment: float, step: int = STEP) -> int:
    """`moment` rounded down to a multiple of `step` (evaluations run at multiples of their interval)."""
    return int(math.floor(moment / step)) * step


def chunks(start: int, end: int, step: int = STEP, points: int = CHUNK_POINTS) -> list[tuple[int, int]]:
    """[start, end] cut into ranges of at most `points` samples that neither overlap nor leave a gap."""
    out = []
    first = start
    while first <= end:
        last = min(first + step * (points - 1), end)
        out.append((first, last))
        first = last + step
    return out


def detail_start(slo: Slo, start: int) -> int:
    """Where the minute samples must begin for alerts evaluated from the range's start: the longest
    window any alert reads, the longest `for:`, and an hour to spare (the hourly sums of the period)."""
    holds = [t.for_seconds for t in slo.alerting.tiers] + [p.for_seconds for p in slo.alerting.budget]
    back = max(*slo.windows, slo.alerting.absent_seconds or 0) + max(holds, default=0) + HOUR
    return aligned(start - back, HOUR)


def hourly_start(slo: Slo, start: int) -> int:
    """The first whole hour the period ratio at the range's start reads."""
    return aligned(start - slo.period, HOUR)


def queries_of(slo: Slo, window: int = BASE_WINDOW_SECONDS) -> dict[str, str]:
    """The PromQL the recording rules evaluate on raw metrics: the 5m rates and any window
    shorter than 5m (`window` another one: the hourly rates). The errors of an events SLI
    without the rules' fallback; a time-based SLI has no total query (one unit of time per group)."""
    out: dict[str, str] = {}
    windows = {window} if window != BASE_WINDOW_SECONDS else \
        {BASE_WINDOW_SECONDS, *(w for w in slo.windows if w < BASE_WINDOW_SECONDS)}
    sli = slo.sli
    for each in sorted(windows):
        text = durations.format(each)
        suffix = "" if each in (BASE_WINDOW_SECONDS, window) else str(each)
        if isinstance(sli, EventsSli):
            out[f"errors{suffix}"] = promql.with_window(aggregated(sli.errors, sli.group_by), text)
        else:
            out[f"errors{suffix}"] = sli.error_rate(text)
        total = sli.total_rate(text)
        if total is not None:
            out[f"total{suffix}"] = total
    return out


def requests(slo: Slo, start: int, end: int) -> int:
    """Range queries one SLO's fetch makes: what the progress bar counts."""
    detail = detail_start(slo, start)
    coarse = hourly_start(slo, start)
    return (len(chunks(detail, end)) * len(queries_of(slo))
            + (len(chunks(coarse, detail, HOUR)) * len(queries_of(slo, HOUR)) if coarse < detail else 0))


Progress = Callable[[int], None]  # called with the number of requests just finished
Columns = dict[str, dict[Key, np.ndarray]]


def fetch(client: Client, slo: Slo, start: int, end: int, progress: Progress | None = None) -> list[GroupRates]:
    """Every group's rates for a replay of (start, end] (multiples of STEP), one entry per label set."""
    detail = detail_start(slo, start)
    coarse = hourly_start(slo, start)
    minutes = _read(client, queries_of(slo), detail, end, STEP, progress)
    # the hours up to `detail` itself: the minute samples make whole hours from the next one on
    hours = _read(client, queries_of(slo, HOUR), coarse, detail, HOUR, progress) if coarse < detail else {}
    return _groups(slo, minutes, detail, (end - detail) // STEP + 1, hours, coarse, (detail - coarse) // HOUR + 1)


def _read(client: Client, queries: dict[str, str], start: int, end: int, step: int,
          progress: Progress | None) -> Columns:
    """Every query over [start, end] at `step`, chunked and in parallel: name -> label set -> values."""
    length = (end - start) // step + 1
    jobs = [(name, expr, span) for name, expr in queries.items() for span in chunks(start, end, step)]
    columns: Columns = {name: {} for name in queries}

    def run(job: tuple[str, str, tuple[int, int]]) -> tuple[str, list[tuple[Key, np.ndarray, np.ndarray]]]:
        name, expr, (first, last) = job
        out = []
        for series in client.query_range(expr, first, last, step):
            points = np.asarray(series.points, dtype=np.float64).reshape(-1, 2)
            index = np.rint((points[:, 0] - start) / step).astype(np.int64)
            key = tuple(sorted((k, v) for k, v in series.labels.items() if k != "__name__"))
            out.append((key, index, points[:, 1]))
        if progress is not None:
            progress(1)
        return name, out

    with ThreadPoolExecutor(PARALLEL) as pool:
        for name, found in pool.map(run, jobs):
            for key, index, values in found:
                column = columns[name].get(key)
                if column is None:
                    column = columns[name][key] = np.full(length, np.nan)
                column[index] = values
    return columns


def _pair(columns: Columns, suffix: str, key: Key, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(errors, total) of one group: errors 0 where it has traffic and no error series (the rules'
    `or total * 0`); a time-based SLI's total is one unit wherever its ratio has a sample."""
    empty = np.full(length, np.nan)
    errors = columns.get(f"errors{suffix}", {}).get(key, empty)
    if f"total{suffix}" not in columns:
        return errors, np.where(np.isnan(errors), np.nan, 1.0)
    total = columns[f"total{suffix}"].get(key, empty)
    return np.where(np.isnan(errors) & ~np.isnan(total), 0.0, errors), total


def _groups(slo: Slo, minutes: Columns, start: int, length: int, hours: Columns, hours_start: int,
            hours_length: int) -> list[GroupRates]:
    keys = sorted(set(minutes["errors"]) | set(minutes.get("total", {})))
    groups = []
    for key in keys:
        errors, total = _pair(minutes, "", key, length)
        short = {w: _pair(minutes, str(w), key, length) for w in slo.windows if w < BASE_WINDOW_SECONDS}
        hourly = _pair(hours, "", key, hours_length) if hours else (np.zeros(0), np.zeros(0))
        groups.append(GroupRates(dict(key), start, errors, total, short, hours_start, *hourly))
    return groups
