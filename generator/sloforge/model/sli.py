"""SLI kinds. Each knows its own PromQL shapes, so compilers never switch on kind.

Every kind reduces to two per-second rates over a window: bad events and all
events. Request-based kinds count requests, probes count probe results, and the
time-based ratio kind counts time (all events fixed at 1 per series), so the
same traffic-weighted sums serve every kind.

Both rates carry exactly the SLO's group labels (one series per group, one series
when ungrouped), so they always divide series by series: a user's query whose result
carries other labels (`sum by (route, code)`, a bare `rate()`) is summed to the
group labels (a ratio is averaged); one that already has exactly them is used as
written (promql/labels.py decides which).
"""
from __future__ import annotations

from dataclasses import dataclass

from sloforge import durations, promql
from sloforge.promql.labels import aggregated, by_clause, has_exactly


@dataclass(frozen=True, slots=True)
class EventsSli:
    errors: str
    total: str
    group_by: tuple[str, ...] = ()
    kind = "events"
    time_based = False
    unit = "requests"

    def error_rate(self, window: str) -> str:
        # `or total * 0`: an error counter that was never incremented has no
        # series at all, which would make the ratio vanish and alerts never fire
        # (sloth#440). Falling back to zero errors keeps the SLI defined.
        errors = promql.with_window(aggregated(self.errors, self.group_by), window)
        total = promql.with_window(aggregated(self.total, self.group_by), window)
        return f"({errors}) or (({total}) * 0)"

    def total_rate(self, window: str) -> str | None:
        # Summed to the group labels like the errors: an errors query `by (route, code)`
        # against a total `by (route)` would otherwise match nothing but the fallback.
        return promql.with_window(aggregated(self.total, self.group_by), window)

    def queries(self) -> dict[str, str]:
        return {"errors": self.errors, "total": self.total}


@dataclass(frozen=True, slots=True)
class RatioSli:
    """One query that already yields the error ratio (0..1); time-weighted."""

    query: str
    group_by: tuple[str, ...] = ()
    kind = "ratio"
    time_based = True
    unit = "time"

    def error_rate(self, window: str) -> str:
        # `>= 0` drops NaN (0/0 in the user's ratio) so it never enters a sum. A ratio
        # per series of a group (per instance, say) is averaged to one per group.
        ratio = f"({promql.with_window(self.query, window)}) >= 0"
        return ratio if has_exactly(self.query, self.group_by) else f"avg{by_clause(self.group_by)}({ratio})"

    def total_rate(self, window: str) -> str | None:
        return None

    def queries(self) -> dict[str, str]:
        return {"query": self.query}


@dataclass(frozen=True, slots=True)
class LatencySli:
    """Classic histogram: good = requests in the bucket at the threshold.

    `per_second` is how many of the metric's units make a second: 1 for a
    `_seconds` histogram (the Prometheus convention), 1000 for `_milliseconds`,
    whose bucket bounds are milliseconds (le="250" is 250ms there)."""

    metric: str
    selector: str
    threshold_seconds: float
    group_by: tuple[str, ...] = ()
    per_second: float = 1.0
    kind = "latency"
    time_based = False
    unit = "requests"

    @property
    def bucket_bound(self) -> float:
        """The threshold in the metric's own unit: the `le` of the bucket that counts good requests."""
        return round(self.threshold_seconds * self.per_second, 9)

    @property
    def le_matcher(self) -> str:
        # Prometheus 2 writes an integral bucket bound as "1", Prometheus 3 as
        # "1.0" (pyrra#1611): match every spelling the threshold has.
        bound = self.bucket_bound
        text = repr(bound)
        spellings = {text}
        if bound.is_integer():
            spellings |= {str(int(bound)), f"{int(bound)}.0"}
        alternatives = "|".join(promql.regex_escape(s) for s in sorted(spellings))
        return f"le=~{promql.string(alternatives)}"

    def _rate(self, suffix: str, window: str, extra: str = "") -> str:
        selector = promql.merge_selector(self.selector, extra)
        return f"sum{by_clause(self.group_by)}(rate({self.metric}_{suffix}{selector}[{window}]))"

    def error_rate(self, window: str) -> str:
        total = self._rate("count", window)
        good = self._rate("bucket", window, self.le_matcher)
        # clamp: bucket and count are scraped separately and can disagree briefly
        return f"clamp_min({total} - {good}, 0)"

    def total_rate(self, window: str) -> str | None:
        return self._rate("count", window)

    def queries(self) -> dict[str, str]:
        return {"selector": f"{self.metric}_count{promql.merge_selector(self.selector, '')}"}


@dataclass(frozen=True, slots=True)
class ProbeSli:
    """A 0/1 gauge (probe_success). Its events are probe results: a failed probe
    is a bad event, so the error ratio is 1 - avg_over_time(probe) and
    `min_events` counts probes."""

    query: str
    group_by: tuple[str, ...] = ()
    kind = "probe"
    time_based = False
    unit = "probe results"

    def _ranged(self, window: str) -> str:
        # A plain selector takes a range directly; any other expression needs a
        # subquery at the default resolution.
        if promql.is_plain_selector(self.query):
            return f"{self.query}[{window}]"
        return f"({self.query})[{window}:]"

    def error_rate(self, window: str) -> str:
        ranged = self._ranged(window)
        seconds = durations.parse(window)
        return f"sum{by_clause(self.group_by)}(count_over_time({ranged}) - sum_over_time({ranged})) / {seconds}"

    def total_rate(self, window: str) -> str | None:
        seconds = durations.parse(window)
        return f"sum{by_clause(self.group_by)}(count_over_time({self._ranged(window)})) / {seconds}"

    def queries(self) -> dict[str, str]:
        return {"probe": self.query}


Sli = EventsSli | RatioSli | LatencySli | ProbeSli
