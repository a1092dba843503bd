"""Synthetic SLI data for the example specs, as OpenMetrics text for
`promtool tsdb create-blocks-from openmetrics`.

Raw series for every SLI of specs/checkout.yml and specs/search.yml, one sample
a minute, plus the hourly averages the period ratio sums (slo:sli_*_events:rate1h):
with only a few seconds of live rule evaluation those could never reach an
hour boundary of the [30d:1h] subquery, so they are backfilled as if the rules
had run all along. search/availability burns 10% errors in the last two hours,
enough to put its page alert in pending state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

STEP = 60  # seconds between samples
HOURS = 26


@dataclass(frozen=True)
class Series:
    name: str
    labels: str  # OpenMetrics label text without braces
    values: tuple[float, ...]

    def lines(self, start: int) -> Iterator[str]:
        for i, value in enumerate(self.values):
            yield f"{self.name}{{{self.labels}}} {value!r} {start + i * STEP}"


def _counter(rate_at: list[float]) -> tuple[float, ...]:
    total, out = 0.0, []
    for rate in rate_at:
        total += rate * STEP
        out.append(round(total, 6))
    return tuple(out)


def raw_series(points: int) -> list[Series]:
    burning_from = points - 2 * 3600 // STEP
    search_errors = [0.02 if i < burning_from else 2.0 for i in range(points)]
    fresh = tuple(0.0 if i % 40 == 0 else 1.0 for i in range(points))
    probe = tuple(0.0 if i % 97 == 0 else 1.0 for i in range(points))
    checkout = 'job="checkout",route="/api"'
    return [
        Series("http_requests_total", f'{checkout},code="200"', _counter([49.95] * points)),
        Series("http_requests_total", f'{checkout},code="500"', _counter([0.05] * points)),
        Series("http_request_duration_seconds_bucket", f'{checkout},le="0.3"', _counter([49.8] * points)),
        Series("http_request_duration_seconds_bucket", f'{checkout},le="+Inf"', _counter([50.0] * points)),
        Series("http_request_duration_seconds_count", checkout, _counter([50.0] * points)),
        Series("probe_success", 'instance="https://checkout.example.com",job="blackbox"', probe),
        Series("search_requests_total", 'job="search",status="ok"', _counter([20 - e for e in search_errors])),
        Series("search_requests_total", 'job="search",status="error"', _counter(search_errors)),
        Series("search_index_fresh", 'job="indexer"', fresh),
    ]


def hourly_series(points: int, labels_by_slo: dict[tuple[str, str], dict[str, str]]) -> list[Series]:
    """slo:sli_{error,total}_events:rate1h for every SLO: (errors/s, events/s) averages."""
    rates = {("checkout", "availability"): (0.05, 50.0), ("checkout", "latency"): (0.2, 50.0),
             ("checkout", "uptime"): (1 / 97 / 60, 1 / 60), ("search", "availability"): (0.02, 20.0),
             ("search", "freshness"): (1 / 40, 1.0)}
    out = []
    for name, index in (("slo:sli_error_events:rate1h", 0), ("slo:sli_total_events:rate1h", 1)):
        for key, labels in sorted(labels_by_slo.items()):
            text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
            out.append(Series(name, text, (rates[key][index],) * points))
    return out


def openmetrics(end: int, labels_by_slo: dict[tuple[str, str], dict[str, str]]) -> str:
    points = HOURS * 3600 // STEP
    start = end - (points - 1) * STEP
    lines: list[str] = []
    for series in raw_series(points) + hourly_series(points, labels_by_slo):
        lines.extend(series.lines(start))
    return "\n".join(lines) + "\n# EOF\n"
