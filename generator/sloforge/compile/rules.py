"""Recording rules for one SLO.

Cost model: the SLI is read from raw metrics once, at the 5m base window, as
two per-second rates (bad events, all events). Every longer alert window sums
those recorded rates, and the period ratio sums hourly averages of them at a
1h subquery step: 720 samples per series for 30 days instead of 43,200 raw
points. Because bad and all events are summed separately, every ratio is
traffic-weighted (a quiet hour at 50% errors weighs what its few requests
weigh, unlike Sloth's average of 5m ratios), and a window with no traffic adds
zero to both sums instead of a NaN that would poison the whole period
(sloth#531).
"""

from __future__ import annotations

from sloforge import conventions as c
from sloforge import durations
from sloforge.model import Slo

Rule = dict[str, object]
BASE = c.BASE_WINDOW_SECONDS
STEP = c.PERIOD_STEP_SECONDS


def selector(slo: Slo, window: int | None = None) -> str:
    matchers = c.selector(slo.service, slo.name)
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


def _record(name: str, expr: str, slo: Slo, window: int | None = None) -> Rule:
    return {"record": name, "expr": expr, "labels": labels(slo, window)}


def base_rate_names() -> tuple[str, str]:
    base = durations.format(BASE)
    return c.error_events(base), c.total_events(base)


def period_uses_hourly_steps(slo: Slo) -> bool:
    """Periods of a day or more, in whole hours, are summed at 1h steps."""
    return slo.period >= 86400 and slo.period % STEP == 0


def recording_rules(slo: Slo) -> list[Rule]:
    base = durations.format(BASE)
    errors5m, total5m = base_rate_names()
    rules = [_record(errors5m, slo.sli.error_rate(base), slo, BASE)]
    total = slo.sli.total_rate(base)
    # Time-based SLIs count time: one unit per series, whatever the errors are.
    total_expr = total if total is not None else f"{errors5m}{selector(slo, BASE)} * 0 + 1"
    rules.append(_record(total5m, total_expr, slo, BASE))

    for window in slo.windows:
        if window == slo.period:
            continue  # recorded below as the period ratio
        name = c.error_ratio(durations.format(window))
        rules.append(_record(name, window_ratio(slo, window), slo, window))

    if period_uses_hourly_steps(slo):
        hour = durations.format(STEP)
        for name in (errors5m, total5m):
            hourly = name.replace(f"rate{base}", f"rate{hour}")
            rules.append(_record(hourly, f"avg_over_time({name}{selector(slo, BASE)}[{hour}])", slo, STEP))
    period = slo.period_text
    rules.append(_record(c.error_ratio(period), period_ratio(slo), slo, slo.period))
    rules.extend(metadata_rules(slo))
    return rules


def window_ratio(slo: Slo, window: int) -> str:
    """Error ratio over `window`: errors and totals summed separately."""
    errors5m, total5m = base_rate_names()
    sel = selector(slo, BASE)
    if window == BASE:
        return f"{errors5m}{sel} / {total5m}{sel}"
    if window < BASE:
        # Shorter than the base window: read raw metrics at this window.
        text = durations.format(window)
        total = slo.sli.total_rate(text)
        errors = slo.sli.error_rate(text)
        return f"({errors}) / ({total})" if total is not None else f"({errors})"
    w = durations.format(window)
    return f"sum_over_time({errors5m}{sel}[{w}]) / sum_over_time({total5m}{sel}[{w}])"


def period_ratio(slo: Slo) -> str:
    period = slo.period_text
    if period_uses_hourly_steps(slo):
        hour = durations.format(STEP)
        errors, total = (n.replace(f"rate{durations.format(BASE)}", f"rate{hour}") for n in base_rate_names())
        sel = selector(slo, STEP)
        return (f"sum_over_time({errors}{sel}[{period}:{hour}])"
                f" / sum_over_time({total}{sel}[{period}:{hour}])")
    return window_ratio(slo, slo.period)


def metadata_rules(slo: Slo) -> list[Rule]:
    base = durations.format(BASE)
    period = slo.period_text
    budget = _number(slo.error_budget)
    info_labels = labels(slo, extra={"slo_objective": f"{slo.objective:g}", "slo_period": period,
                                     "slo_sli_kind": slo.sli.kind, "slo_description": slo.description,
                                     "slo_owner": slo.owner or ""})
    info_labels = {k: v for k, v in info_labels.items() if v != ""}
    return [
        {"record": c.OBJECTIVE, "expr": f"vector({_number(slo.target)})", "labels": labels(slo)},
        {"record": c.ERROR_BUDGET, "expr": f"vector({budget})", "labels": labels(slo)},
        _record(c.CURRENT_BURN_RATE, f"{c.error_ratio(base)}{selector(slo, BASE)} / {budget}", slo, BASE),
        _record(c.PERIOD_BURN_RATE, f"{c.error_ratio(period)}{selector(slo, slo.period)} / {budget}",
                slo, slo.period),
        _record(c.PERIOD_BUDGET_REMAINING, f"1 - {c.PERIOD_BURN_RATE}{selector(slo, slo.period)}",
                slo, slo.period),
        {"record": c.INFO, "expr": "vector(1)", "labels": info_labels},
    ]


def _number(value: float) -> str:
    """Shortest exact text for a float: 0.001, not 0.0010000000000000009."""
    return repr(round(value, 12))
