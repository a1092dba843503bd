"""What a journey's budget and alerts mean in minutes: `sloforge explain` for kind: Journey.

A journey's alerts are an SLO's alerts over the journey's error ratio (the share of
journeys that failed in at least one step), so the same arithmetic (explain/timing.py)
holds: a full outage is any one step failing every request (the journey's ratio is
then 1), and its windows ramp as the step's recorded ratios do. The rows are the
same values explain/slo.py builds for an SLO, so tables and JSON lay both out alike.
"""

from __future__ import annotations

from sloforge.compile.rules.groups import interval_seconds
from sloforge.compile.rules.journeys import alerting_rules
from sloforge.compile.rules.rule import AlertKind
from sloforge.explain import timing as bm
from sloforge.explain.slo import Explanation, PolicyRow, TierRow
from sloforge.model.catalog import Slo
from sloforge.model.journey import Journey
from sloforge.model.policy import WindowPair

KIND = "journey"  # Explanation.service of a journey: its name reads `journey/<name>`


def explain(journey: Journey, steps: list[Slo], events_per_second: float | None = None) -> Explanation:
    budget = bm.Budget(journey.error_budget, journey.period)
    bad_events = None
    if events_per_second is not None:
        bad_events = {"day": budget.bad_events(bm.DAY, events_per_second),
                      "week": budget.bad_events(bm.WEEK, events_per_second),
                      "period": budget.bad_events(journey.period, events_per_second)}
    rules = alerting_rules(journey, steps)
    intervals = {rule.tier: interval_seconds(rule.as_dict()) for rule in rules if rule.kind == AlertKind.BURN_RATE}
    budget_rules = [rule for rule in rules if rule.kind == AlertKind.BUDGET]
    alerting = journey.alerting
    pairs = alerting.pairs if alerting else ()
    policies = alerting.consumed_policies() if alerting else ()
    return Explanation(
        service=KIND, slo=journey.name, objective=journey.objective, period=journey.period_text,
        sli_kind=KIND, unit="journeys", error_budget=journey.error_budget,
        bad_seconds_per_day=budget.per_day, bad_seconds_per_week=budget.per_week,
        bad_seconds_per_period=budget.per_period, bad_events=bad_events,
        tiers=tuple(_tier_row(journey, pair, budget, intervals.get(pair.tier, bm.EVALUATION_INTERVAL))
                    for pair in pairs),
        budget_policy=tuple(
            PolicyRow(p.consumed, p.tier, p.for_seconds, p.action, (p.consumed or 0.0) * budget.per_period,
                      interval_seconds(rule.as_dict()),
                      bm.effective_for(p.for_seconds, interval_seconds(rule.as_dict())))
            for p, rule in zip(policies, budget_rules, strict=True)),
        absent_seconds=None, absent_fire_seconds=None, alerting_disabled=False,
        steps=tuple(f"{s.service}/{s.name} ({s.objective:g}%)" for s in steps),
    )


def _tier_row(journey: Journey, pair: WindowPair, budget: bm.Budget, interval: int) -> TierRow:
    assert journey.alerting is not None  # pairs come from it
    tier = journey.alerting.tier(pair.tier)
    b = journey.error_budget
    dead = not pair.can_fire(b)
    for_seconds = bm.effective_for(tier.for_seconds, interval)
    outage = None if dead else bm.detection(pair, b, 1.0, for_seconds)
    factor = None if dead else bm.at_factor(pair, b, for_seconds)
    threshold = pair.threshold(b)
    return TierRow(
        tier=pair.tier, long=pair.long_text, short=pair.short_text, factor=pair.factor,
        threshold=threshold, budget_share=pair.budget_fraction, for_seconds=tier.for_seconds,
        interval_seconds=interval, effective_for_seconds=for_seconds, dead=dead, disabled=tier.disabled,
        outage_fire=outage, outage_spent=None if outage is None else bm.budget_spent(1.0, outage, budget),
        textbook_outage_fire=None if dead else bm.textbook_detection(pair, b, 1.0),
        factor_fire=factor,
        factor_spent=None if factor is None else bm.budget_spent(min(threshold, 1.0), factor, budget),
        reset=None if dead else bm.reset(pair, b, 1.0), min_events=None, min_rate=None,
    )
