"""Synthetic raw traffic with planted incidents, minute by minute, for the backtest proofs.

One `Traffic` holds the exact per-minute counts (kept in Python for hand arithmetic) of:
- requests per route and their errors (`http_requests_total{job, route, code}`, code 200/500),
- the same requests in a classic latency histogram (`http_request_duration_seconds_bucket{le}`,
  `_count`, `_sum`), slow ones (above 300ms) planted by latency incidents,
- a blackbox probe (`probe_success{job, instance}` 0/1), failing during probe incidents,
written as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`.

Every series is scraped once a minute, at whole minutes: a 5m range at a whole minute then
holds the samples at its two ends (Prometheus 2 includes both), so `rate(x[5m])` is exactly
(x(t) - x(t - 5m)) / 300, with no extrapolation, and each minute's counts are recoverable.
Minute index i is the minute ending at `start + 60 i`: its counts are added to the counter
sample at that time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

MINUTE, HOUR, DAY = 60, 3600, 86400
JOB = "shop"
PROBE_JOB, PROBE_INSTANCE = "blackbox", "https://shop.example.com"
# Bucket bounds (seconds) of the latency histogram; 0.3 is the SLO's threshold.
BOUNDS = ("0.1", "0.3", "1", "+Inf")


@dataclass(frozen=True)
class Incident:
    """`ratio` of the route's requests fail (kind "errors") or are slow (kind "latency") in
    the minutes ending in (start, start + duration]; for kind "probe" the probe fails in those
    minutes (every `every`-th minute only, when every > 1: an intermittent failure); kinds
    "gap" and "probe-gap" are scrape gaps: the shop's series (or the probe) have no sample at
    the ends of those minutes (their traffic is still counted, by the next sample); kind
    "launch": the route exists only in those minutes (no series, no traffic outside)."""

    kind: str  # errors | latency | probe | gap | probe-gap | launch
    start: int  # unix seconds, a whole minute
    duration: int  # seconds, whole minutes
    route: str = ""
    ratio: float = 1.0
    every: int = 1
    name: str = ""

    @property
    def end(self) -> int:
        return self.start + self.duration

    def covers(self, moment: int) -> bool:
        """Whether the minute ending at `moment` is in the incident."""
        if not self.start < moment <= self.end:
            return False
        return ((moment - self.start) // MINUTE - 1) % self.every == 0


@dataclass
class Traffic:
    start: int  # unix time of minute index 0 (a whole minute)
    minutes: int
    routes: dict[str, float]  # route -> mean requests per second
    base_error: float  # share of every route's requests failing outside incidents
    base_slow: float  # share slower than 300ms outside incidents
    incidents: tuple[Incident, ...]
    requests: dict[str, list[float]] = field(default_factory=dict)  # route -> per minute
    errors: dict[str, list[float]] = field(default_factory=dict)
    slow: dict[str, list[float]] = field(default_factory=dict)
    probe: list[int] = field(default_factory=list)  # probe_success per minute

    def time(self, index: int) -> int:
        return self.start + MINUTE * index

    def scraped(self, kind: str) -> list[bool]:
        """Per minute: whether the series of `kind` ("gap": the shop, "probe-gap": the probe)
        have a sample at its end."""
        gaps = [i for i in self.incidents if i.kind == kind]
        return [not any(g.covers(self.time(index)) for g in gaps) for index in range(self.minutes)]

    def alive(self, route: str) -> list[bool]:
        """Per minute: whether the route exists (has series) at its end."""
        launches = [i for i in self.incidents if i.kind == "launch" and i.route == route]
        return [not launches or any(i.covers(self.time(index)) for i in launches) for index in range(self.minutes)]

    def index(self, moment: float) -> int:
        return int((moment - self.start) // MINUTE)

    @property
    def end(self) -> int:
        return self.time(self.minutes - 1)

    def _span(self, begin: float, end: float) -> slice:
        """The minutes ending in (begin, end]."""
        return slice(max(self.index(begin) + 1, 0), self.index(end) + 1)

    def count(self, series: dict[str, list[float]], begin: float, end: float,
              routes: Iterable[str] | None = None) -> float:
        span = self._span(begin, end)
        return sum(sum(series[r][span]) for r in (routes or self.routes))

    def rate5m_count(self, series: dict[str, list[float]], begin: float, end: float,
                     routes: Iterable[str] | None = None) -> float:
        """What the recorded 5m rates count for the minutes ending in (begin, end], one sample a
        minute x 60 s: each minute's rate is the 5 minutes up to it / 300 s, so each minute's
        events are spread over it and the 4 after it (the range's edges count partly)."""
        span = self._span(begin, end)
        out = 0.0
        for r in routes or self.routes:
            values = series[r]
            out += sum(sum(values[max(i - 4, 0):i + 1]) / 5 for i in range(span.start, span.stop))
        return out

    def rate5m_cumulative(self, series: dict[str, list[float]]) -> list[float]:
        """Prefix sums of `rate5m_count`'s per-minute terms, all routes: the count over the
        minutes ending in (a, b] is out[index(b)] - out[index(a)] (fast for many windows)."""
        per_minute = [sum(series[r][i] for r in self.routes) for i in range(self.minutes)]
        window = accumulate(per_minute)
        padded = [0.0] * 5 + list(window)
        return list(accumulate((padded[i + 5] - padded[i]) / 5 for i in range(self.minutes)))

    def probe_failures(self, begin: float, end: float) -> int:
        return sum(1 - v for v in self.probe[self._span(begin, end)])


def diurnal(moment: float) -> float:
    """Traffic multiplier: peak at 14:00 UTC, trough (0.4) at 02:00."""
    return 1.0 + 0.6 * math.sin(2 * math.pi * (moment / DAY - 8 / 24))


def traffic(start: int, days: float, routes: dict[str, float], incidents: Iterable[Incident],
            base_error: float = 0.0, base_slow: float = 0.0, growth: float = 0.0) -> Traffic:
    """`growth`: traffic grows linearly by this share over the whole span (so two moments at
    the same time of day, a period apart, see different traffic)."""
    incidents = tuple(incidents)
    minutes = int(days * DAY) // MINUTE + 1
    t = Traffic(start, minutes, routes, base_error, base_slow, incidents)
    by_kind = {kind: [i for i in incidents if i.kind == kind] for kind in ("errors", "latency", "probe")}
    # Each route's phase is shifted a little, so the routes' shares of traffic change over the day.
    phases = {route: 3600.0 * n for n, route in enumerate(routes)}
    for route, rate in routes.items():
        requests, errors, slow = [], [], []
        alive = t.alive(route)
        for index in range(minutes):
            moment = t.time(index)
            trend = 1 + growth * index / minutes
            count = rate * MINUTE * diurnal(moment - 30 + phases[route]) * trend * alive[index]
            error_share = base_error + sum(i.ratio for i in by_kind["errors"] if i.route == route and i.covers(moment))
            slow_share = base_slow + sum(i.ratio for i in by_kind["latency"] if i.route == route and i.covers(moment))
            requests.append(count)
            errors.append(count * min(error_share, 1.0))
            slow.append(count * min(slow_share, 1.0))
        t.requests[route], t.errors[route], t.slow[route] = requests, errors, slow
    t.probe = [0 if any(i.covers(t.time(index)) for i in by_kind["probe"]) else 1 for index in range(minutes)]
    return t


def openmetrics(t: Traffic, latency: bool = True, probe: bool = True) -> str:
    """The counters (cumulative sums of the minute counts) and the probe, one sample a minute.
    Families are written whole, one after the other, as OpenMetrics requires."""
    lines: list[str] = []
    times = [t.time(i) for i in range(t.minutes)]
    scraped = t.scraped("gap")

    def series(name: str, labels: str, values: Iterable[float], kept: list[bool] = scraped) -> None:
        lines.extend(f"{name}{{{labels}}} {value!r} {moment}"
                     for value, moment, keep in zip(values, times, kept, strict=True) if keep)

    def route_series(name: str, labels: str, values: Iterable[float], route: str) -> None:
        series(name, labels, values, [a and b for a, b in zip(scraped, t.alive(route), strict=True)])

    for route in t.routes:
        bad = list(accumulate(t.errors[route]))
        good = [a - b for a, b in zip(accumulate(t.requests[route]), bad, strict=True)]
        route_series("http_requests_total", f'job="{JOB}",route="{route}",code="500"', bad, route)
        route_series("http_requests_total", f'job="{JOB}",route="{route}",code="200"', good, route)
    if latency:
        for route in t.routes:
            requests, slow = t.requests[route], t.slow[route]
            fast = [r - s for r, s in zip(requests, slow, strict=True)]
            # below 0.1s: 70% of the fast ones; up to 1s: 80% of the slow ones
            per_bound = {"0.1": [0.7 * f for f in fast], "0.3": fast,
                         "1": [f + 0.8 * s for f, s in zip(fast, slow, strict=True)], "+Inf": requests}
            for bound in BOUNDS:
                route_series("http_request_duration_seconds_bucket", f'job="{JOB}",route="{route}",le="{bound}"',
                       accumulate(per_bound[bound]), route)
        for route in t.routes:
            route_series("http_request_duration_seconds_count", f'job="{JOB}",route="{route}"',
                         accumulate(t.requests[route]), route)
        for route in t.routes:
            sums = accumulate(0.08 * (r - s) + 0.9 * s for r, s in zip(t.requests[route], t.slow[route], strict=True))
            route_series("http_request_duration_seconds_sum", f'job="{JOB}",route="{route}"', sums, route)
    if probe:
        series("probe_success", f'job="{PROBE_JOB}",instance="{PROBE_INSTANCE}"', t.probe, t.scraped("probe-gap"))
    return "\n".join(lines) + "\n# EOF\n"
