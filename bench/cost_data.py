"""Synthetic counters for the rule-cost bench: uneven traffic, exact answers.

Every pod of a service serves, per minute, 1000 requests in the day (08-20 UTC)
with 0.1% errors and 50 requests at night with 10% errors, spread over 5 status
codes. A time-weighted average of short-window ratios (Sloth) sees "0.1% half
the time, 10% half the time" (about 5%); the traffic-weighted truth is
72 / 12600 = 0.571%. Counters are integers, so OpenMetrics text is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

METRIC = "http_requests_total"
STEP = 60  # scrape interval of the synthetic data, seconds
# per pod per minute: code -> (day, night)
CODES = {"200": (900, 40), "201": (60, 3), "404": (39, 2), "500": (1, 3), "503": (0, 2)}
ERROR_CODES = ("500", "503")


@dataclass(frozen=True, slots=True)
class Workload:
    job: str
    pods: int

    @property
    def series(self) -> int:
        return self.pods * len(CODES)


def is_day(timestamp: int) -> bool:
    return 8 <= (timestamp // 3600) % 24 < 20


def increments(code: str, start: int, end: int) -> list[int]:
    day, night = CODES[code]
    return [day if is_day(t) else night for t in range(start, end + 1, STEP)]


def write_openmetrics(path: Path, workloads: list[Workload], start: int, end: int) -> int:
    """Counters from `start` to `end` (inclusive), series after series. Returns samples written."""
    times = [str(t) for t in range(start, end + 1, STEP)]
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        for code in CODES:
            values = [str(v) for v in accumulate(increments(code, start, end))]
            for workload in workloads:
                for pod in range(workload.pods):
                    prefix = f'{METRIC}{{job="{workload.job}",pod="pod-{pod}",code="{code}"}} '
                    handle.write("".join(f"{prefix}{v} {t}\n" for v, t in zip(values, times, strict=True)))
                    written += len(times)
        handle.write("# EOF\n")
    return written


def exact_error_ratio(start: int, end: int) -> float:
    """Traffic-weighted error ratio of the counters' increase over (start, end]."""
    first = start + STEP
    errors = sum(sum(increments(code, first, end)) for code in ERROR_CODES)
    total = sum(sum(increments(code, first, end)) for code in CODES)
    return errors / total


def time_weighted_error_ratio(start: int, end: int) -> float:
    """What an average of per-minute ratios gives (the shape of Sloth's period ratio)."""
    first = start + STEP
    ratios = []
    for t in range(first, end + 1, STEP):
        day = is_day(t)
        total = sum(v[0] if day else v[1] for v in CODES.values())
        errors = sum(CODES[c][0] if day else CODES[c][1] for c in ERROR_CODES)
        ratios.append(errors / total)
    return sum(ratios) / len(ratios)
