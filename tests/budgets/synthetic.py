"""Synthetic history for the `report` integration test, minute by minute.

Each SLO has per-minute request and error counts. From them we write, as
OpenMetrics for `promtool tsdb create-blocks-from`:
- the raw counters (last 3 hours: enough for the server's own rule evaluation),
- the recorded 5m rates at 1m steps (last 3 days + 1 h: the alert windows; and the
  hours around every month start, which calendar reports read),
- the recorded hourly rates at every whole hour (95 days: the period and a quarter),
computed the way the generated rules compute them. Expected report numbers are
computed independently from the minute counts (errors / requests).
"""

from __future__ import annotations

import datetime as dt
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
    # Spans (first, last] whose recorded samples were taken out of the backfill (a scrape gap):
    # the hourly series has no sample there, so nothing there is counted.
    missing: tuple[tuple[int, int], ...] = ()

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

    def rate5m(self) -> dict[str, list[float]]:
        """The recorded 5m rates (per second) at each minute, as the generated rules record them."""
        counters = {"error": list(accumulate(self.errors)), "total": list(accumulate(self.requests))}
        return {name: [(series[i] - series[i - 5]) / 300 if i >= 5 else 0.0 for i in range(len(series))]
                for name, series in counters.items()}

    def hourly(self) -> dict[str, dict[int, float]]:
        """The recorded hourly rates at every whole hour: the hour's sixty 5m rates x 60 s / 3600 s
        (the events the hour saw, per second): unix time -> per second."""
        out: dict[str, dict[int, float]] = {}
        for name, values in self.rate5m().items():
            out[name] = {self.time(i): sum(values[i - 59:i + 1]) / 60
                         for i in range(60, len(values)) if self.time(i) % HOUR == 0
                         and not any(first < self.time(i) <= last for first, last in self.missing)}
        return out

    def hourly_ratio(self, begin: float, end: float) -> float:
        """Errors / requests as the period ratio counts them: the hourly averages at the whole
        hours in (begin, end], each weighing one hour."""
        hourly = self.hourly()
        steps = [t for t in hourly["total"] if begin < t <= end]
        return sum(hourly["error"][t] for t in steps) / sum(hourly["total"][t] for t in steps)

    def counted_ratio(self, begin: float, at: float) -> float:
        """Errors / requests as `report --calendar` counts (begin, at]: the hourly rates at the
        whole hours in it (x 3600 s), then the 5m rates of its minutes after the last one (x 60 s)."""
        hourly, rate5m = self.hourly(), self.rate5m()
        steps = [t for t in hourly["total"] if begin < t <= at]
        since = max(steps, default=begin)
        minutes = [i for i in range(len(self.requests)) if since < self.time(i) <= at]

        def events(name: str) -> float:
            return sum(hourly[name][t] * HOUR for t in steps) + sum(rate5m[name][i] * MINUTE for i in minutes)

        return events("error") / events("total")

    def edge_errors(self, moment: float) -> float:
        """Errors in the 5 minutes before `moment`: a sum of 5m rates counts them partly
        (the window reaching back at a range's start, the ramp at its end)."""
        last = self.index(moment)
        return sum(self.errors[max(last - 4, 0):last + 1])


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
        rate5m = h.rate5m()
        minutes = set(range(last - (3 * DAY + HOUR) // MINUTE, last + 1))
        for i in range(last + 1):  # and the 65 minutes either side of every month start
            moment = dt.datetime.fromtimestamp(h.time(i), dt.UTC)
            if moment.day == 1 and moment.hour == 0 and moment.minute == 0:
                minutes |= set(range(max(i - 65, 0), min(i + 66, last + 1)))
        for name, values in rate5m.items():
            lines += [f'slo:sli_{name}_events:rate5m{{{labels},slo_window="5m"}} {values[i]!r} {h.time(i)}'
                      for i in sorted(minutes)]
        for name, hourly in h.hourly().items():
            lines += [f'slo:sli_{name}_events:rate1h{{{labels},slo_window="1h"}} {value!r} {moment}'
                      for moment, value in hourly.items()]
    return "\n".join(lines) + "\n# EOF\n"
