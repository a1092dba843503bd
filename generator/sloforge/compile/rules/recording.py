"""Recording rules for one SLO.

Cost model: the SLI is read from raw metrics once, at the 5m base window, as
two per-second rates (bad events, all events), recorded every minute. Every
longer alert window sums those recorded rates, and the period ratio sums hourly
counts of them at a 1h subquery step: 720 samples per series for 30 days
instead of 43,200 raw points. Because bad and all events are summed separately,
every ratio is traffic-weighted (a quiet hour at 50% errors weighs what its few
requests weigh, unlike Sloth's average of 5m ratios), and a window with no
traffic adds zero to both sums instead of a NaN that would poison the whole
period (sloth#531).

Events, not averages: the 5m rates are recorded every minute (`SPACING`), so a
sum of them times 60 s counts every event five times over five overlapping
windows, divided by five: the events those windows saw. The hourly series
(`rate1h`) is that count over the minutes of the last hour divided by 3600 s, so
an hour the series only partly covered (a scrape gap, a service born or gone
mid-hour) weighs what it saw instead of being averaged up to a full hour. Its
range stops half a minute short of an hour, and the period's subquery range 1ms
short of the period: Prometheus 2 ranges include both ends, which would count
the sample at the boundary in two hours (and the hour exactly one period ago).

Identity: every rule that reads recorded series aggregates them to the SLO's
identity (`sum by (slo_service, slo_name, <group_by>)`; `max by` for ratios)
before its own labels apply, so a change of the spec's `labels:` never makes
the new rules see two series with one label set (Prometheus refuses those),
and the period keeps counting what was recorded under the old labels.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.rules.forecast import exhaustion_expr
from sloforge.compile.rules.rule import RecordingRule
from sloforge.model.catalog import Slo

BASE = c.BASE_WINDOW_SECONDS
STEP = c.PERIOD_STEP_SECONDS
SPACING = durations.parse(c.GROUP_INTERVAL)  # seconds between two samples of a recorded 5m rate
# The hourly sums read the minutes of (t - 1h, t]: half a sample short of an hour, so a
# range that includes both ends (Prometheus 2) never takes the sample one hour back.
HOUR_RANGE = durations.format(STEP - SPACING // 2)


def selector(slo: Slo, window: int | None = None) -> str:
    return window_selector(c.selector(slo.service, slo.name), window)


def window_selector(matchers: str, window: int | None = None) -> str:
    """`{<matchers>, slo_window="1h"}`: the SLO's matchers, and its series at `window`."""
    if window is not None:
        matchers += f', {c.LABEL_WINDOW}="{durations.format(window)}"'
    return "{" + matchers + "}"


def labels(slo: Slo, window: int | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    out = dict(slo.labels)
    out[c.LABEL_SERVICE] = slo.service
    out[c.LABEL_SLO] = slo.name
    if window is not None:
        out[c.LABEL_WINDOW] = durations.format(window)
    out.update(extra or {})
    return dict(sorted(out.items()))


class _Series:
    """One SLO's selectors and label sets by window, each built once: its recording
    rules ask for the same four or five windows a dozen times."""

    def __init__(self, slo: Slo) -> None:
        self.slo = slo
        self._selectors: dict[int, str] = {}
        self._labels: dict[int | None, dict[str, str]] = {}

    def selector(self, window: int) -> str:
        found = self._selectors.get(window)
        if found is None:
            found = self._selectors[window] = selector(self.slo, window)
        return found

    def labels(self, window: int | None) -> dict[str, str]:
        """Shared by the rules of one window (read-only; RecordingRule.as_dict() copies it)."""
        found = self._labels.get(window)
        if found is None:
            found = self._labels[window] = labels(self.slo, window)
        return found

    def record(self, name: str, expr: str, window: int | None = None) -> RecordingRule:
        return RecordingRule(name, expr, self.labels(window))


@cache
def base_rate_names() -> tuple[str, str]:
    base = durations.format(BASE)
    return c.error_events(base), c.total_events(base)


@cache
def hourly_rate_names() -> tuple[str, str]:
    """The hourly event rates the period ratio sums (events the hour saw / 3600 s)."""
    base, hour = durations.format(BASE), durations.format(STEP)
    errors, total = base_rate_names()
    return errors.replace(f"rate{base}", f"rate{hour}"), total.replace(f"rate{base}", f"rate{hour}")


def period_uses_hourly_steps(slo: Slo) -> bool:
    """Periods of a day or more, in whole hours, are summed at 1h steps."""
    return slo.period >= 86400 and slo.period % STEP == 0


def identity(slo: Slo) -> str:
    """The labels that tell one SLO's series (and one group's) apart: `slo_service, slo_name, route`."""
    return ", ".join((c.LABEL_SERVICE, c.LABEL_SLO, *slo.sli.group_by))


def just_short_of(seconds: int) -> str:
    """A range 1ms shorter than `seconds` (`29d23h59m59s999ms`): on Prometheus 2 a range includes
    its start, and a subquery step exactly one period back would count an hour twice."""
    return f"{durations.format(seconds - 1)}999ms" if seconds > 1 else "999ms"


def recording_rules(slo: Slo) -> list[RecordingRule]:
    series = _Series(slo)
    ids = identity(slo)
    base = durations.format(BASE)
    errors5m, total5m = base_rate_names()
    rules = [series.record(errors5m, slo.sli.error_rate(base), BASE)]
    total = slo.sli.total_rate(base)
    # Time-based SLIs count time: one unit per series, whatever the errors are.
    total_expr = total if total is not None else f"group by ({ids}) ({errors5m}{series.selector(BASE)})"
    rules.append(series.record(total5m, total_expr, BASE))

    for window in slo.windows:
        if window == slo.period:
            continue  # recorded below as the period ratio
        name = c.error_ratio(durations.format(window))
        rules.append(series.record(name, _window_ratio(series, window), window))

    if period_uses_hourly_steps(slo):
        sel = series.selector(BASE)
        for name, hourly in zip(base_rate_names(), hourly_rate_names(), strict=True):
            # Events the last hour saw (the sum of its minutes' 5m rates x 60 s) / 3600 s. After a
            # series stops, its hourly sample shrinks to the minutes still in range and is gone an
            # hour later: the step that reads it counts exactly the minutes no earlier step did.
            expr = f"sum by ({ids}) (sum_over_time({name}{sel}[{HOUR_RANGE}])) / {STEP // SPACING}"
            rules.append(series.record(hourly, expr, STEP))
    period = slo.period_text
    rules.append(series.record(c.error_ratio(period), _period_ratio(series), slo.period))
    rules.extend(_metadata_rules(series))
    return rules


def _window_ratio(series: _Series, window: int) -> str:
    """Error ratio over `window`: errors and totals summed separately, per SLO identity."""
    errors5m, total5m = base_rate_names()
    sel = series.selector(BASE)
    ids = identity(series.slo)
    if window == BASE:
        return f"sum by ({ids}) ({errors5m}{sel}) / sum by ({ids}) ({total5m}{sel})"
    if window < BASE:
        # Shorter than the base window: read raw metrics at this window.
        text = durations.format(window)
        total = series.slo.sli.total_rate(text)
        errors = series.slo.sli.error_rate(text)
        return f"({errors}) / ({total})" if total is not None else f"({errors})"
    w = durations.format(window)
    return (f"sum by ({ids}) (sum_over_time({errors5m}{sel}[{w}]))"
            f" / sum by ({ids}) (sum_over_time({total5m}{sel}[{w}]))")


def _period_ratio(series: _Series) -> str:
    slo = series.slo
    if period_uses_hourly_steps(slo):
        hour = durations.format(STEP)
        errors, total = hourly_rate_names()
        sel = series.selector(STEP)
        ids = identity(slo)
        span = f"[{just_short_of(slo.period)}:{hour}]"
        # One hourly sample per step and identity: `max by` keeps the one that saw the whole
        # hour should a ruler without staleness markers still show a series recorded under old labels.
        return (f"sum_over_time(max by ({ids}) ({errors}{sel}){span})"
                f" / sum_over_time(max by ({ids}) ({total}{sel}){span})")
    return _window_ratio(series, slo.period)


def _metadata_rules(series: _Series) -> list[RecordingRule]:
    slo = series.slo
    base = durations.format(BASE)
    period = slo.period_text
    budget = _number(slo.error_budget)

    def ratio(name: str, window: int) -> str:
        # Ratios do not add up: one per identity (`max by`), whatever labels it was recorded under.
        return f"max by ({identity(slo)}) ({name}{series.selector(window)})"

    info_labels = labels(slo, extra={"slo_objective": f"{slo.objective:g}", "slo_period": period,
                                     "slo_sli_kind": slo.sli.kind, "slo_description": slo.description,
                                     "slo_owner": slo.owner or ""})
    info_labels = {k: v for k, v in info_labels.items() if v != ""}
    return [
        series.record(c.OBJECTIVE, f"vector({_number(slo.target)})"),
        series.record(c.ERROR_BUDGET, f"vector({budget})"),
        series.record(c.CURRENT_BURN_RATE, f"{ratio(c.error_ratio(base), BASE)} / {budget}", BASE),
        series.record(c.PERIOD_BURN_RATE, f"{ratio(c.error_ratio(period), slo.period)} / {budget}", slo.period),
        series.record(c.PERIOD_BUDGET_REMAINING, f"1 - {ratio(c.PERIOD_BURN_RATE, slo.period)}", slo.period),
        # A period series (slo_window=<period>): it runs with them, in the long group for a day or more.
        series.record(c.PERIOD_BUDGET_EXHAUSTION,
                      exhaustion_expr(ratio(c.PERIOD_BUDGET_REMAINING, slo.period), _recent_ratio(series, ratio),
                                      budget, slo.period), slo.period),
        RecordingRule(c.INFO, "vector(1)", info_labels),
    ]


def _recent_ratio(series: _Series, ratio: Callable[[str, int], str]) -> str:
    """The error ratio the forecast extrapolates: over a day (forecast.py), read from the 1d series
    when an alert records it already, else summed from the 5m rates; over a shorter period, the period's."""
    slo = series.slo
    window = min(c.FORECAST_WINDOW_SECONDS, slo.period)
    if window == slo.period:
        return ratio(c.error_ratio(slo.period_text), window)
    if window in slo.windows:
        return ratio(c.error_ratio(durations.format(window)), window)
    return _window_ratio(series, window)


def _number(value: float) -> str:
    """Shortest exact text for a float: 0.001, not 0.0010000000000000009."""
    return repr(round(value, 12))
