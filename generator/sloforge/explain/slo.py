"""What an SLO's budget and alerts mean in minutes: the data behind `sloforge explain`.

Pure: model in, plain values out (seconds and ratios); cli/explain.py lays them
out as tables or JSON, explain/plot.py draws them. The arithmetic lives in
explain/timing.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sloforge import durations
from sloforge.compile.rules.alerts import budget_alerts, burn_rate_alert
from sloforge.compile.rules.groups import interval_seconds
from sloforge.compile.rules.rule import AlertingRule
from sloforge.explain import timing as bm
from sloforge.model.catalog import BudgetPolicy, Slo
from sloforge.model.policy import WindowPair


@dataclass(frozen=True, slots=True)
class TierRow:
    tier: str  # page | ticket
    long: str
    short: str
    factor: float
    threshold: float  # error ratio both windows must exceed
    budget_share: float  # share of the period's budget spent when a burn at the factor trips it
    for_seconds: int
    interval_seconds: int  # evaluation interval of the rule group the tier's alert runs in
    effective_for_seconds: int  # for_seconds rounded up to whole intervals (timing.effective_for)
    dead: bool  # threshold >= 100%: can never fire
    disabled: bool
    outage_fire: float | None  # seconds until it fires on a full outage (incl. the effective for:)
    outage_spent: float | None  # share of the budget spent by then
    textbook_outage_fire: float | None  # long x threshold, no 5m lag, no for:
    factor_fire: float | None  # seconds until it fires on a burn just above the factor
    factor_spent: float | None
    reset: float | None  # seconds until it stops firing after recovery from a full outage
    min_events: int | None  # low-traffic guard: events the long window must see
    min_rate: float | None  # ... as events per second


@dataclass(frozen=True, slots=True)
class PolicyRow:
    consumed: float | None  # None for a forecast entry (exhausts_within_seconds)
    severity: str
    for_seconds: int
    action: str
    bad_seconds: float | None  # full-outage seconds that consume this share
    interval_seconds: int  # evaluation interval of the group the alert runs in (the long group)
    # Fires this long after the first evaluation that sees the threshold crossed: `for:` rounded up
    # to whole intervals; that evaluation comes up to one interval after the crossing.
    effective_for_seconds: int
    # Fires while the forecast says the budget runs out within this long at the last day's burn.
    exhausts_within_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    service: str
    slo: str
    objective: float
    period: str
    sli_kind: str
    unit: str
    error_budget: float
    bad_seconds_per_day: float
    bad_seconds_per_week: float
    bad_seconds_per_period: float
    bad_events: dict[str, float] | None  # at --rate events/s: per day, week, period
    tiers: tuple[TierRow, ...]
    budget_policy: tuple[PolicyRow, ...]
    absent_seconds: int | None
    absent_fire_seconds: int | None  # data gone -> ticket: absent + the 5m rate window
    alerting_disabled: bool
    # A journey's steps (explain/journey.py), "service/slo (99.9%)" each; () for an SLO.
    steps: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.service}/{self.slo}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def explain(slo: Slo, events_per_second: float | None = None) -> Explanation:
    budget = bm.Budget(slo.error_budget, slo.period)
    bad_events = None
    if events_per_second is not None:
        bad_events = {"day": budget.bad_events(bm.DAY, events_per_second),
                      "week": budget.bad_events(bm.WEEK, events_per_second),
                      "period": budget.bad_events(slo.period, events_per_second)}
    absent = slo.alerting.absent_seconds
    return Explanation(
        service=slo.service, slo=slo.name, objective=slo.objective, period=slo.period_text,
        sli_kind=slo.sli.kind, unit=slo.sli.unit, error_budget=slo.error_budget,
        bad_seconds_per_day=budget.per_day, bad_seconds_per_week=budget.per_week,
        bad_seconds_per_period=budget.per_period, bad_events=bad_events,
        tiers=tuple(_tier_row(slo, pair, budget) for pair in slo.alerting.pairs),
        budget_policy=tuple(_policy_row(slo, p, rule, budget)
                            for p, rule in zip(slo.alerting.budget, budget_alerts(slo), strict=True)),
        absent_seconds=absent,
        absent_fire_seconds=absent + int(bm.BASE) if absent else None,
        alerting_disabled=slo.alerting.disabled,
    )


def _policy_row(slo: Slo, policy: BudgetPolicy, rule: AlertingRule, budget: bm.Budget) -> PolicyRow:
    interval = interval_seconds(rule.as_dict())
    bad = None if policy.consumed is None else policy.consumed * budget.per_period
    return PolicyRow(policy.consumed, policy.tier, policy.for_seconds, policy.action, bad, interval,
                     bm.effective_for(policy.for_seconds, interval), policy.exhausts_within)


def _tier_interval(slo: Slo, tier: str) -> int:
    """The interval of the group the tier's alert runs in (all its active pairs in one rule)."""
    pairs = slo.alerting.active_pairs(tier) or tuple(p for p in slo.alerting.pairs if p.tier == tier)
    return interval_seconds(burn_rate_alert(slo, tier, pairs).as_dict())


def _tier_row(slo: Slo, pair: WindowPair, budget: bm.Budget) -> TierRow:
    tier = slo.alerting.tier(pair.tier)
    b = slo.error_budget
    dead = not pair.can_fire(b)
    interval = _tier_interval(slo, pair.tier)
    for_seconds = bm.effective_for(tier.for_seconds, interval)
    outage = None if dead else bm.detection(pair, b, 1.0, for_seconds)
    factor = None if dead else bm.at_factor(pair, b, for_seconds)
    threshold = pair.threshold(b)
    guard = slo.alerting.min_events
    return TierRow(
        tier=pair.tier, long=pair.long_text, short=pair.short_text, factor=pair.factor,
        threshold=threshold, budget_share=pair.budget_fraction, for_seconds=tier.for_seconds,
        interval_seconds=interval, effective_for_seconds=for_seconds,
        dead=dead, disabled=slo.alerting.disabled or tier.disabled,
        outage_fire=outage,
        outage_spent=None if outage is None else bm.budget_spent(1.0, outage, budget),
        textbook_outage_fire=None if dead else bm.textbook_detection(pair, b, 1.0),
        factor_fire=factor,
        factor_spent=None if factor is None else bm.budget_spent(min(threshold, 1.0), factor, budget),
        reset=None if dead else bm.reset(pair, b, 1.0),
        min_events=guard, min_rate=guard / pair.long if guard else None,
    )


def detection_curve(slo: Slo, pair: WindowPair, points: int = 60) -> list[tuple[float, float]]:
    """(error ratio, seconds to fire) from just above the threshold to a full outage, log-spaced."""
    b = slo.error_budget
    if not pair.can_fire(b):
        return []
    for_seconds = bm.effective_for(slo.alerting.tier(pair.tier).for_seconds, _tier_interval(slo, pair.tier))
    low = pair.threshold(b) * 1.0001
    curve = []
    for index in range(points):
        ratio = low * (1 / low) ** (index / (points - 1))
        seconds = bm.detection(pair, b, min(ratio, 1.0), for_seconds)
        if seconds is not None:
            curve.append((ratio, seconds))
    return curve


def minutes(seconds: float | None) -> str:
    """Human text for a duration in seconds: 4.9 min, 6.1 h, 3.0 d."""
    if seconds is None:
        return "never"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def percent(ratio: float | None, digits: int = 3) -> str:
    return "-" if ratio is None else f"{ratio * 100:.{digits}g}%"


def duration_text(seconds: int) -> str:
    return durations.format(seconds) if seconds else "0s"
