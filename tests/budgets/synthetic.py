"""Synthetic history for the `report` integration test, minute by minute.

Each SLO has per-minute request and error counts. From them we write, as
OpenMetrics for `promtool tsdb create-blocks-from`:
- the raw counters (last 3 hours: enough for the server's own rule evaluation),
- the recorded 5m rates at 1m steps (last 3 days + 1 h: the alert windows),
- the recorded 1h averages at every whole hour (95 days: the period and a quarter),
computed the way the generated rules compute them. Expected report numbers are
computed independently from the minute counts (errors / requests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

MINUTE, HOUR, DAY = 60, 3600, 86400
HISTORY_DAYS = 95

Profile = Callable[[float], tuple[float, float]]  # unix time -> (requests/s, error ratio)


@dataclass
class History:
    service: str
    slo: str
    metric: str
    job: str
    start: int  # unix time of minute index 0's end
    requests: list[float]  # per minute i, the minute ending at start + 60 i
    errors: list[float]

    def time(self, index: int) -> int:
        return self.start + MINUTE * index

    def index(self, moment: float) -> int:
        return int((moment - self.start) // MINUTE)

    def ratio(self, begin: float, end: float) -> float:
        """Errors / requests over the minutes ending in (begin, end]."""
        first, last = self.index(begin) + 1, self.index(end)
        bad = sum(self.errors[first:last + 1])
        total = sum(self.requests[first:last + 1])
        return bad / total


def history(service: str, slo: str, metric: str, job: str, end: int, profile: Profile) -> History:
    start = (end // HOUR) * HOUR - HISTORY_DAYS * DAY
    requests, errors = [], []
    for index in range((end - start) // MINUTE + 1):
        rate, ratio = profile(start + MINUTE * index - 30)  # the middle of the minute
        requests.append(rate * MINUTE)
        errors.append(rate * MINUTE * ratio)
    return History(service, slo, metric, job, start, requests, errors)


def openmetrics(histories: list[History]) -> str:
    lines: list[str] = []
    for h in histories:
        last = len(h.requests) - 1
        bad = list(accumulate(h.errors))
        total = list(accumulate(h.requests))
        good = [t - b for t, b in zip(total, bad, strict=True)]
        raw_from = last - 3 * 60
        for code, counter in (("500", bad), ("200", good)):
            lines += [f'{h.metric}{{job="{h.job}",code="{code}"}} {counter[i]!r} {h.time(i)}'
                      for i in range(raw_from, last + 1)]
        labels = f'slo_name="{h.slo}",slo_service="{h.service}"'
        rate5m = {name: [(series[i] - series[i - 5]) / 300 if i >= 5 else 0.0 for i in range(last + 1)]
                  for name, series in (("error", bad), ("total", total))}
        rates_from = last - (3 * DAY + HOUR) // MINUTE
        for name, values in rate5m.items():
            lines += [f'slo:sli_{name}_events:rate5m{{{labels},slo_window="5m"}} {values[i]!r} {h.time(i)}'
                      for i in range(rates_from, last + 1)]
        for name, values in rate5m.items():
            for i in range(60, last + 1):
                if h.time(i) % HOUR == 0:
                    hourly = sum(values[i - 59:i + 1]) / 60
                    lines.append(f'slo:sli_{name}_events:rate1h{{{labels},slo_window="1h"}} {hourly!r} {h.time(i)}')
    return "\n".join(lines) + "\n# EOF\n"
