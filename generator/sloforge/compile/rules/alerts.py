"""Alerting rules for one SLO: burn-rate tiers, budget policy, no data."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.rules.recording import BASE, SPACING, identity, labels, selector, window_selector
from sloforge.compile.rules.rule import AlertingRule, AlertKind
from sloforge.model.catalog import BudgetPolicy, Slo
from sloforge.model.policy import WindowPair
from sloforge.render.templates import go_template_literal, macro


def alerting_rules(slo: Slo) -> list[AlertingRule]:
    if slo.alerting.disabled:
        return []
    rules: list[AlertingRule] = []
    for tier in c.TIERS:
        pairs = slo.alerting.active_pairs(tier)
        if pairs:
            rules.append(burn_rate_alert(slo, tier, pairs))
    rules.extend(budget_alerts(slo))
    if slo.alerting.absent_seconds:
        rules.append(absent_alert(slo))
    return rules


def _number(value: float) -> str:
    """14.4, 6, 0.9333333333: short, exact enough, stable across runs."""
    return f"{value:.10g}"


def _stem(slo: Slo) -> str:
    """CheckoutAvailabilityErrorBudgetBurn -> CheckoutAvailability, for sibling alert names."""
    name = slo.alerting.name
    return name.removesuffix("ErrorBudgetBurn")


def burn_rate_expr(slo: Slo, pairs: tuple[WindowPair, ...]) -> str:
    return _burn_rate_expr(pairs, slo.error_budget, slo.alerting.min_events, identity(slo)).replace(
        _MATCHERS, c.selector(slo.service, slo.name))


# The burn-rate expression is the same for every SLO with the same pairs, budget
# and guard but for the SLO's own matchers: it is built once per policy with this
# stand-in (no PromQL sloforge writes contains it), which each SLO's matchers replace.
_MATCHERS = "<slo matchers>"


@lru_cache(maxsize=1024, typed=True)
def _burn_rate_expr(pairs: tuple[WindowPair, ...], error_budget: float, min_events: int | None,
                    ids: str) -> str:
    # `max by (<identity>)` gives the alert one identity whichever pair fires,
    # so it does not flap between label sets (and a series still recorded
    # under labels the spec no longer has never makes a second one); its
    # value is the long window's error ratio.
    conditions = "\n  or ignoring (slo_window)\n".join(
        f"  (\n    {_burn_condition(p, error_budget, min_events, ids)}\n  )" for p in pairs)
    return f"max by ({ids}) (\n{conditions}\n)"


def _burn_condition(pair: WindowPair, error_budget: float, min_events: int | None, ids: str) -> str:
    """Both windows above factor x budget (and, with a guard, enough traffic)."""
    threshold = f"({_number(pair.factor)} * {_number(error_budget)})"
    long_w, short_w = pair.long_text, pair.short_text
    parts = [
        f"{c.error_ratio(long_w)}{window_selector(_MATCHERS, pair.long)} > {threshold}",
        f"{c.error_ratio(short_w)}{window_selector(_MATCHERS, pair.short)} > {threshold}",
    ]
    joined = "\n    and ignoring (slo_window) ".join(parts)
    if min_events:
        # Events the long window saw: the sum of its minutes' 5m rates x 60 s (each event is in
        # five of them), whatever labels they were recorded under. A series minutes old counts
        # its minutes, not its average rate stretched over the whole window.
        total5m = c.total_events(durations.format(BASE))
        joined += (f"\n    and on ({ids}) sum by ({ids}) (sum_over_time({total5m}"
                   f"{window_selector(_MATCHERS, BASE)}[{long_w}])) * {SPACING} >= {min_events}")
    return joined


def _alert_labels(slo: Slo, tier: str, kind: AlertKind, **extra: str) -> dict[str, str]:
    tier_spec = slo.alerting.tier(tier)
    base = dict(slo.alerting.labels)
    base.update(tier_spec.labels)
    out = labels(slo, extra=base)
    out[c.LABEL_TIER] = tier
    out[c.LABEL_ALERT_KIND] = kind.value
    out[c.LABEL_SEVERITY] = tier_spec.severity
    if slo.owner:
        out[c.LABEL_TEAM] = slo.owner
    out.update(extra)
    # Alert label values are Go templates too (unlike recording-rule labels):
    # user text must not become a template action.
    return {k: go_template_literal(v) for k, v in sorted(out.items())}


def _annotations(slo: Slo, tier: str, summary: str, description: str, **extra: str) -> dict[str, str]:
    out = {"summary": summary, "description": description}
    if slo.runbook_url:
        out["runbook_url"] = go_template_literal(slo.runbook_url)
    if slo.dashboard_url:
        out["dashboard_url"] = go_template_literal(slo.dashboard_url)
    out.update(extra)
    for key, value in slo.alerting.annotations + slo.alerting.tier(tier).annotations:
        out[key] = go_template_literal(value)
    return dict(sorted(out.items()))


def _context(slo: Slo, tier: str) -> dict[str, object]:
    return {
        "service": go_template_literal(slo.service),
        "slo": go_template_literal(slo.name),
        "tier": tier,
        "unit": slo.sli.unit,
        "objective": f"{slo.objective:g}",
        "period": slo.period_text,
        "budget_percent": f"{slo.error_budget * 100:.4g}%",
        "description": go_template_literal(slo.description.strip()),
    }


def _annotation(name: str, context: dict[str, object]) -> str:
    # Jinja resolves `a.x` with getattr first and only then by key: an object
    # instead of a dict saves a raised AttributeError per lookup (3x faster).
    return macro("alerts.j2", name, a=SimpleNamespace(**context))


def burn_rate_alert(slo: Slo, tier: str, pairs: tuple[WindowPair, ...]) -> AlertingRule:
    context = _context(slo, tier)
    context["thresholds"] = ", ".join(f"{_number(p.factor)}x over {p.long_text}" for p in pairs)
    for_seconds = slo.alerting.tier(tier).for_seconds
    return AlertingRule(
        slo.alerting.name, burn_rate_expr(slo, pairs), durations.format(for_seconds) if for_seconds else None,
        _alert_labels(slo, tier, AlertKind.BURN_RATE),
        _annotations(slo, tier, _annotation("burn_summary", context), _annotation("burn_description", context)),
        AlertKind.BURN_RATE, tier)


def budget_alerts(slo: Slo) -> list[AlertingRule]:
    """One alert per budget-policy entry, in the policy's order: a share consumed, or a forecast."""
    return [(_consumed_alert if policy.consumed is not None else _exhaustion_alert)(slo, policy)
            for policy in slo.alerting.budget]


def _consumed_alert(slo: Slo, policy: BudgetPolicy) -> AlertingRule:
    context = _context(slo, policy.tier)
    context["consumed"] = policy.consumed_text
    context["action"] = go_template_literal(policy.action)
    remaining = _number(1 - (policy.consumed or 0))
    # by the identity: alerts carry no window label (contract), one alert per SLO (and group)
    expr = (f"max by ({identity(slo)}) ({c.PERIOD_BUDGET_REMAINING}{selector(slo, slo.period)})"
            f" <= {remaining}")
    extra = {"action": context["action"]} if policy.action else {}
    annotations = _annotations(
        slo, policy.tier, _annotation("budget_summary", context),
        _annotation("budget_description", context), **extra)  # type: ignore[arg-type]
    return AlertingRule(
        f"{_stem(slo)}ErrorBudgetConsumed", expr,
        durations.format(policy.for_seconds) if policy.for_seconds else None,
        _alert_labels(slo, policy.tier, AlertKind.BUDGET, **{c.LABEL_BUDGET_CONSUMED: policy.consumed_text}),
        annotations,
        AlertKind.BUDGET, policy.tier, threshold=float(remaining))


def _exhaustion_alert(slo: Slo, policy: BudgetPolicy) -> AlertingRule:
    """Fires while the forecast (compile/rules/forecast.py) says the budget runs out within
    `exhausts_within`: at the last day's burn, or already (the forecast is 0 once it is spent).
    The forecast is absent when that burn cannot exhaust the budget, and so is the alert."""
    context = _context(slo, policy.tier)
    context["within"] = policy.exhausts_within_text
    context["action"] = go_template_literal(policy.action)
    expr = (f"max by ({identity(slo)}) ({c.PERIOD_BUDGET_EXHAUSTION}{selector(slo, slo.period)})"
            f" <= {policy.exhausts_within}")
    extra = {"action": context["action"]} if policy.action else {}
    annotations = _annotations(
        slo, policy.tier, _annotation("exhaustion_summary", context),
        _annotation("exhaustion_description", context), **extra)  # type: ignore[arg-type]
    return AlertingRule(
        f"{_stem(slo)}ErrorBudgetExhaustion", expr,
        durations.format(policy.for_seconds) if policy.for_seconds else None,
        _alert_labels(slo, policy.tier, AlertKind.BUDGET,
                      **{c.LABEL_BUDGET_EXHAUSTS_WITHIN: policy.exhausts_within_text}),
        annotations,
        AlertKind.BUDGET, policy.tier, horizon=policy.exhausts_within)


def absent_alert(slo: Slo) -> AlertingRule:
    absent = durations.format(slo.alerting.absent_seconds or 0)
    context = _context(slo, "ticket")
    context["absent"] = absent
    total5m = c.total_events(durations.format(BASE))
    return AlertingRule(
        f"{_stem(slo)}SLINoData",
        f"absent_over_time({total5m}{{{c.selector(slo.service, slo.name)}}}[{absent}])",
        None,
        _alert_labels(slo, "ticket", AlertKind.NO_DATA),
        _annotations(slo, "ticket", _annotation("absent_summary", context),
                     _annotation("absent_description", context)),
        AlertKind.NO_DATA, "ticket")
