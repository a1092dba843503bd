"""Recording and alerting rules for one user journey (kind: Journey).

A journey succeeds when every step succeeds. Over each window its error ratio is

    1 - (1 - r_1) x (1 - r_2) x ... x (1 - r_n)

where r_i is step i's error ratio over that window, read from what the step's own
rules record (no raw metric is read twice):

- an ungrouped step: its `slo:sli_error:ratio_rate<w>`, `max` over whatever labels
  it was recorded under (the identity convention of recording.py: a change of the
  spec's `labels:` never shows the journey two series);
- a grouped step (`group_by`): the traffic-weighted ratio over all its groups, summed
  from its recorded 5m event rates (and, for the period, its hourly ones) exactly as
  recording.py sums one group's, but to the SLO's identity: the journey's user goes
  through the step whichever route serves them, so the step fails as often as all
  its groups together do. A sum of the groups' ratios, or the worst group's, would
  count a quiet route's 50% like a busy one's.

A step with no ratio (no traffic in the window: 0/0, or not recorded yet) counts as
succeeding (`>= 0 or vector(0)` drops the NaN and fills in 0): a quiet step must not
make the whole journey's series vanish, and its own no-data alert says it is quiet.

The journey's series have names of their own (`slo:journey_*`, conventions.py) and
carry `slo_journey`; its alerts have the SLO alerts' labels (`slo_severity`,
`slo_alert_kind`, `severity`, `team` from the journey's owner) and `slo_journey` in
place of `slo_service`/`slo_name`. Burn-rate tiers are the default window pairs of
the journey's period over the journey's own budget; budget alerts as an SLO's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import SimpleNamespace

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.rules import recording
from sloforge.compile.rules.groups import split
from sloforge.compile.rules.rule import AlertingRule, AlertKind, RecordingRule
from sloforge.model.catalog import Alerting, Catalog, Slo
from sloforge.model.journey import Journey
from sloforge.model.policy import WindowPair
from sloforge.promql import string
from sloforge.render.templates import go_template_literal, macro

CompiledJourney = tuple[list[RecordingRule], list[AlertingRule]]


def steps_of(journey: Journey, catalog: Catalog) -> list[Slo]:
    """The journey's step SLOs, in order (the loader made sure each is in the catalog)."""
    slos = {(slo.service, slo.name): slo for slo in catalog.slos}
    return [slos[(ref.service, ref.slo)] for ref in journey.steps]


def compile_journey(journey: Journey, steps: list[Slo],
                    alert_labels: Mapping[str, str] | None = None) -> CompiledJourney:
    """`steps`: the journey's step SLOs, in order; `alert_labels`: the packaging's own
    labels for every alert (the Kubernetes namespace), as Unit.compiled sets them on SLOs'."""
    alerts = alerting_rules(journey, steps)
    if alert_labels:
        alerts = [dataclasses.replace(r, labels=dict(sorted({**r.labels, **alert_labels}.items())))
                  for r in alerts]
    return recording_rules(journey, steps), alerts


def rule_groups(journey: Journey, compiled: CompiledJourney) -> list[dict[str, object]]:
    """As an SLO's (groups.py): the fast group every minute, the windows of a day or more every 3."""
    recording_, alerting = compiled
    fast, slow = split([r.as_dict() for r in recording_] + [r.as_dict() for r in alerting])
    groups: list[dict[str, object]] = [{"name": c.journey_group_name(journey.name),
                                        "interval": c.GROUP_INTERVAL, "rules": fast}]
    if slow:
        groups.append({"name": c.journey_long_group_name(journey.name), "interval": c.LONG_GROUP_INTERVAL,
                       "rules": slow})
    return groups


def labels(journey: Journey, window: int | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {c.LABEL_JOURNEY: journey.name}
    if window is not None:
        out[c.LABEL_WINDOW] = durations.format(window)
    out.update(extra or {})
    return dict(sorted(out.items()))


def selector(journey: Journey, window: int | None = None) -> str:
    return recording.window_selector(c.journey_selector(journey.name), window)


def step_ratio(slo: Slo, window: int) -> str:
    """Step `slo`'s error ratio over `window`, as one series without labels."""
    if not slo.sli.group_by:
        return f"max({c.error_ratio(durations.format(window))}{recording.selector(slo, window)})"
    whole = dataclasses.replace(slo, sli=dataclasses.replace(slo.sli, group_by=()))  # type: ignore[type-var]
    if window == slo.period and recording.period_uses_hourly_steps(slo):
        return f"max({_grouped_period_ratio(slo)})"
    return f"max({recording._window_ratio(recording._Series(whole), window)})"


def _grouped_period_ratio(slo: Slo) -> str:
    """The period ratio of all of a grouped SLO's groups: each group's hourly sample once
    (`max by` its identity, as recording.py reads it), then summed over the groups."""
    hour = durations.format(recording.STEP)
    errors, total = recording.hourly_rate_names()
    sel = recording.selector(slo, recording.STEP)
    ids, whole = recording.identity(slo), f"{c.LABEL_SERVICE}, {c.LABEL_SLO}"
    span = f"[{recording.just_short_of(slo.period)}:{hour}]"
    return (f"sum_over_time(sum by ({whole}) (max by ({ids}) ({errors}{sel})){span})"
            f" / sum_over_time(sum by ({whole}) (max by ({ids}) ({total}{sel})){span})")


def journey_ratio(steps: list[Slo], window: int) -> str:
    """1 - prod(1 - r_i): the share of journeys that failed in at least one step."""
    factors = " * ".join(f"(1 - ({step_ratio(slo, window)} >= 0 or vector(0)))" for slo in steps)
    return f"1 - {factors}"


def recording_rules(journey: Journey, steps: list[Slo]) -> list[RecordingRule]:
    rules = []
    for window in journey.windows:
        if window == journey.period:
            continue
        rules.append(RecordingRule(c.journey_error_ratio(durations.format(window)),
                                   journey_ratio(steps, window), labels(journey, window)))
    rules.append(RecordingRule(c.journey_error_ratio(journey.period_text), journey_ratio(steps, journey.period),
                               labels(journey, journey.period)))
    budget = _number(journey.error_budget)
    base = durations.format(recording.BASE)

    def ratio(name: str, window: int) -> str:
        return f"max by ({c.LABEL_JOURNEY}) ({name}{selector(journey, window)})"

    rules += [
        RecordingRule(c.JOURNEY_OBJECTIVE, f"vector({_number(journey.target)})", labels(journey)),
        RecordingRule(c.JOURNEY_ERROR_BUDGET, f"vector({budget})", labels(journey)),
        RecordingRule(c.JOURNEY_CURRENT_BURN_RATE,
                      f"{ratio(c.journey_error_ratio(base), recording.BASE)} / {budget}",
                      labels(journey, recording.BASE)),
        RecordingRule(c.JOURNEY_PERIOD_BURN_RATE,
                      f"{ratio(c.journey_error_ratio(journey.period_text), journey.period)} / {budget}",
                      labels(journey, journey.period)),
        RecordingRule(c.JOURNEY_PERIOD_BUDGET_REMAINING,
                      f"1 - {ratio(c.JOURNEY_PERIOD_BURN_RATE, journey.period)}", labels(journey, journey.period)),
    ]
    info = {"slo_objective": f"{journey.objective:.10g}", "slo_period": journey.period_text,
            "slo_owner": journey.owner or "", "slo_description": journey.description}
    rules.append(RecordingRule(c.JOURNEY_INFO, info_expr(journey),
                               labels(journey, extra={k: v for k, v in info.items() if v != ""})))
    return rules


def info_expr(journey: Journey) -> str:
    """One series per step (slo_service, slo_name, slo_step), from one rule: a rule per step
    would put a long journey's first group over Mimir's 20 rules per group."""
    def step(index: int, service: str, slo: str) -> str:
        out = "vector(1)"
        for name, value in ((c.LABEL_SERVICE, service), (c.LABEL_SLO, slo), (c.LABEL_STEP, str(index))):
            out = f'label_replace({out}, "{name}", {string(value)}, "", "")'
        return out

    return " or ".join(step(i, ref.service, ref.slo) for i, ref in enumerate(journey.steps, start=1))


def alerting_rules(journey: Journey, steps: list[Slo]) -> list[AlertingRule]:
    alerting = journey.alerting
    if alerting is None:
        return []
    rules = []
    for tier in c.TIERS:
        pairs = alerting.active_pairs(tier)
        if pairs:
            rules.append(_burn_rate_alert(journey, alerting, tier, pairs))
    rules.extend(_budget_alerts(journey, alerting))
    return rules


def _burn_condition(journey: Journey, pair: WindowPair) -> str:
    threshold = f"({_number(pair.factor)} * {_number(journey.error_budget)})"
    long_ = f"{c.journey_error_ratio(pair.long_text)}{selector(journey, pair.long)} > {threshold}"
    short = f"{c.journey_error_ratio(pair.short_text)}{selector(journey, pair.short)} > {threshold}"
    return f"    {long_}\n    and ignoring (slo_window) {short}"


def burn_rate_expr(journey: Journey, pairs: tuple[WindowPair, ...]) -> str:
    # As an SLO's: one identity whichever pair fires; its value is the long window's ratio.
    conditions = "\n  or ignoring (slo_window)\n".join(f"  (\n{_burn_condition(journey, p)}\n  )" for p in pairs)
    return f"max by ({c.LABEL_JOURNEY}) (\n{conditions}\n)"


def _context(journey: Journey, tier: str) -> dict[str, object]:
    return {
        "journey": go_template_literal(journey.name),
        "steps": go_template_literal(", ".join(s.text for s in journey.steps)),
        "tier": tier,
        "objective": f"{journey.objective:.10g}",
        "period": journey.period_text,
        "budget_percent": f"{journey.error_budget * 100:.4g}%",
        "description": go_template_literal(journey.description.strip()),
    }


def _alert_labels(journey: Journey, alerting: Alerting, tier: str, kind: AlertKind,
                  **extra: str) -> dict[str, str]:
    out = labels(journey)
    out[c.LABEL_TIER] = tier
    out[c.LABEL_ALERT_KIND] = kind.value
    out[c.LABEL_SEVERITY] = alerting.tier(tier).severity
    if journey.owner:
        out[c.LABEL_TEAM] = journey.owner
    out.update(extra)
    return {k: go_template_literal(v) for k, v in sorted(out.items())}


def _burn_rate_alert(journey: Journey, alerting: Alerting, tier: str,
                     pairs: tuple[WindowPair, ...]) -> AlertingRule:
    context = _context(journey, tier)
    context["thresholds"] = ", ".join(f"{_number(p.factor)}x over {p.long_text}" for p in pairs)
    a = SimpleNamespace(**context)
    for_seconds = alerting.tier(tier).for_seconds
    return AlertingRule(
        alerting.name, burn_rate_expr(journey, pairs), durations.format(for_seconds) if for_seconds else None,
        _alert_labels(journey, alerting, tier, AlertKind.BURN_RATE),
        {"description": macro("alerts.j2", "journey_burn_description", a=a),
         "summary": macro("alerts.j2", "journey_burn_summary", a=a)},
        AlertKind.BURN_RATE, tier)


def _budget_alerts(journey: Journey, alerting: Alerting) -> list[AlertingRule]:
    rules = []
    for policy in alerting.consumed_policies():  # the loader keeps no forecast entry for a journey
        assert policy.consumed is not None
        context = _context(journey, policy.tier)
        context["consumed"] = policy.consumed_text
        context["action"] = go_template_literal(policy.action)
        a = SimpleNamespace(**context)
        remaining = _number(1 - policy.consumed)
        expr = (f"max by ({c.LABEL_JOURNEY}) ({c.JOURNEY_PERIOD_BUDGET_REMAINING}"
                f"{selector(journey, journey.period)}) <= {remaining}")
        annotations = {"description": macro("alerts.j2", "journey_budget_description", a=a),
                       "summary": macro("alerts.j2", "journey_budget_summary", a=a)}
        if policy.action:
            annotations["action"] = str(context["action"])
        rules.append(AlertingRule(
            f"{c.camel(journey.name)}JourneyErrorBudgetConsumed", expr,
            durations.format(policy.for_seconds) if policy.for_seconds else None,
            _alert_labels(journey, alerting, policy.tier, AlertKind.BUDGET,
                          **{c.LABEL_BUDGET_CONSUMED: policy.consumed_text}),
            dict(sorted(annotations.items())), AlertKind.BUDGET, policy.tier, threshold=float(remaining)))
    return rules


def _number(value: float) -> str:
    """14.4, 6, 0.9333333333: short, exact enough, stable across runs."""
    return f"{value:.10g}"
