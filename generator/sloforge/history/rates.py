"""An SLO's raw SLI rates over a past range, minute by minute, read from Prometheus.

The backtest reads the same PromQL the generated recording rules evaluate (the SLI's
5m error and total rates, summed to its group labels), so it works before the rules
are deployed, and replays what the rules would have recorded from them. Reads are
range queries at the rules' 1m evaluation step, cut into chunks under Prometheus'
limit of 11,000 points per series, and run in parallel (a thread pool: the server
does the work, the client waits).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from sloforge import durations
from sloforge.conventions import BASE_WINDOW_SECONDS
from sloforge.model.catalog import Slo
from sloforge.prometheus_api import Client

STEP = 60  # seconds: the fast rule group's evaluation interval
# Prometheus refuses a range query of more than 11,000 points per series.
MAX_POINTS = 11_000
CHUNK_POINTS = 10_000
PARALLEL = 4

Key = tuple[tuple[str, str], ...]  # a group's label set, sorted: () when ungrouped


@dataclass(slots=True)
class GroupRates:
    """One group's per-second rates at times `start + STEP * i`; NaN where the query had no
    sample (no series, or a gap): the recording rule would have recorded nothing there."""

    labels: dict[str, str]
    start: int
    errors: np.ndarray
    total: np.ndarray
    # windows shorter than the base window are read from raw metrics at that window
    short: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

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


def lookback(slo: Slo) -> int:
    """How much data before the range the replay needs: the longest window an alert reads and the
    period (the budget policy and the budget burn-down read the period ratio)."""
    return max(*slo.windows, slo.period)


def queries_of(slo: Slo) -> dict[str, str]:
    """The PromQL the recording rules evaluate on raw metrics: the 5m rates and any window
    shorter than 5m. A time-based SLI has no total query (one unit of time per group)."""
    out: dict[str, str] = {}
    for window in sorted({BASE_WINDOW_SECONDS, *(w for w in slo.windows if w < BASE_WINDOW_SECONDS)}):
        text = durations.format(window)
        suffix = "" if window == BASE_WINDOW_SECONDS else str(window)
        out[f"errors{suffix}"] = slo.sli.error_rate(text)
        total = slo.sli.total_rate(text)
        if total is not None:
            out[f"total{suffix}"] = total
    return out


Progress = Callable[[int], None]  # called with the number of requests just finished


def fetch(client: Client, slo: Slo, start: int, end: int, progress: Progress | None = None) -> list[GroupRates]:
    """Every group's rates over [start, end] (multiples of STEP), one entry per label set seen."""
    queries = queries_of(slo)
    spans = chunks(start, end)
    jobs = [(name, expr, span) for name, expr in queries.items() for span in spans]
    length = (end - start) // STEP + 1
    columns: dict[str, dict[Key, np.ndarray]] = {name: {} for name in queries}

    def run(job: tuple[str, str, tuple[int, int]]) -> tuple[str, list[tuple[Key, np.ndarray, np.ndarray]]]:
        name, expr, (first, last) = job
        out = []
        for series in client.query_range(expr, first, last, STEP):
            points = np.asarray(series.points, dtype=np.float64).reshape(-1, 2)
            index = np.rint((points[:, 0] - start) / STEP).astype(np.int64)
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
    return _groups(slo, columns, start, length)


def _groups(slo: Slo, columns: dict[str, dict[Key, np.ndarray]], start: int, length: int) -> list[GroupRates]:
    empty = np.full(length, np.nan)

    def pair(suffix: str, key: Key) -> tuple[np.ndarray, np.ndarray]:
        errors = columns[f"errors{suffix}"].get(key, empty)
        if f"total{suffix}" not in columns:
            # Time-based SLIs count time: one unit per group wherever the ratio has a sample.
            return errors, np.where(np.isnan(errors), np.nan, 1.0)
        return errors, columns[f"total{suffix}"].get(key, empty)

    keys = sorted(set(columns["errors"]) | set(columns.get("total", {})))
    groups = []
    for key in keys:
        errors, total = pair("", key)
        short = {w: pair(str(w), key) for w in slo.windows if w < BASE_WINDOW_SECONDS}
        groups.append(GroupRates(dict(key), start, errors, total, short))
    return groups
