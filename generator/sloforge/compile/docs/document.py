"""What an SLO document says: the spec's words and sloforge's numbers, as plain values.

One `ServiceDoc` per service (out/docs/<service>.md) and the index (out/docs/README.md);
templates/slo_document.md.j2 and templates/slo_index.md.j2 lay them out. The numbers
are `explain`'s arithmetic (explain/timing.py, as explain/slo.py applies it: budget in
full-outage time, time to fire on a full outage with `for:` rounded to the group's
interval, the outage time a budget-policy step needs); the receivers are the routing model's answer for the
labels the generated alerts carry (compile/alertmanager/routes.receiver_for).

Nothing here depends on the date: the documents are byte-stable, and whether a review
is overdue is said by `validate` (load/relations.py), not written into a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.alertmanager.routes import receiver_for
from sloforge.compile.rules.alerts import budget_alerts, burn_rate_alert
from sloforge.compile.rules.groups import interval_seconds
from sloforge.explain import slo as explained
from sloforge.explain import timing
from sloforge.load.relations import allowed, next_review
from sloforge.model.catalog import Catalog, Service, Slo
from sloforge.model.journey import Journey
from sloforge.model.policy import WindowPair
from sloforge.model.routing import Routing


@dataclass(frozen=True, slots=True)
class TierDoc:
    tier: str
    windows: str  # "1h / 5m"
    factor: str
    threshold: str  # error ratio both windows must exceed
    budget_share: str  # of the period's budget, spent when a burn at the factor trips it
    for_text: str
    outage_fire: str  # time to fire on a full outage
    receiver: str
    state: str  # "" | "disabled" | "never fires (threshold above 100%)"


@dataclass(frozen=True, slots=True)
class PolicyDoc:
    consumed: str  # the condition: "75% consumed" or "runs out within 3d"
    tier: str
    action: str
    outage_time: str  # full-outage time that consumes this share
    receiver: str


@dataclass(frozen=True, slots=True)
class Query:
    what: str
    promql: str


@dataclass(frozen=True, slots=True)
class SloDoc:
    name: str
    anchor: str
    objective: str
    period: str
    description: str
    rationale: str
    sli_kind: str
    sli_unit: str
    definition: str
    exclusions: tuple[str, ...]
    error_budget: str
    budget_day: str
    budget_week: str
    budget_period: str
    tiers: tuple[TierDoc, ...]
    alerting_disabled: bool
    policy: tuple[PolicyDoc, ...]
    no_data: str  # "" or "ticket after 15m without data"
    sli_queries: tuple[Query, ...]
    recorded: tuple[Query, ...]
    runbook: str
    dashboard: str
    dependency_limit: str  # "" or "99.85% (payments/availability 99.95% x ...)"
    journeys: tuple[str, ...]  # "checkout (99.6%)"


@dataclass(frozen=True, slots=True)
class DependencyDoc:
    target: str  # service or service/slo
    file: str  # its document, relative to this one ("" when it has none)
    kind: str
    objectives: str  # "availability 99.95%, latency 99%"


@dataclass(frozen=True, slots=True)
class JourneyDoc:
    name: str
    owner: str
    objective: str
    period: str
    description: str
    steps: tuple[tuple[str, str, str], ...]  # (service/slo, its document, objective)


@dataclass(frozen=True, slots=True)
class ServiceDoc:
    name: str
    file: str  # relative to out/docs
    source: str
    owner: str
    version: str
    review_every: str
    review_last: str
    next_review: str
    routing: str  # where the receivers come from
    dependencies: tuple[DependencyDoc, ...]
    dependents: tuple[str, ...]  # services that depend on this one
    slos: tuple[SloDoc, ...]


def service_doc(service: Service, catalog: Catalog) -> ServiceDoc:
    by_name = {s.name: s for s in catalog.services}
    due = next_review(service)
    routing = (f"the Routing spec {catalog.routing.source}" if catalog.routing is not None
               else "no Routing spec was read: alerts go where the Alertmanager config sends them")
    return ServiceDoc(
        name=service.name, file=doc_file(service.name), source=service.source,
        owner=service.owner or "", version=service.version or "",
        review_every=durations.format(service.review_every) if service.review_every else "",
        review_last=service.review_last or "", next_review=due.isoformat() if due else "",
        routing=routing,
        dependencies=tuple(_dependency(d.service, d.slo, d.kind, by_name) for d in service.dependencies),
        dependents=tuple(sorted(s.name for s in catalog.services
                                if any(d.service == service.name for d in s.dependencies))),
        slos=tuple(_slo_doc(slo, service, catalog, by_name) for slo in service.slos),
    )


def journey_docs(catalog: Catalog) -> tuple[JourneyDoc, ...]:
    objectives = {(slo.service, slo.name): slo.objective for slo in catalog.slos}
    return tuple(JourneyDoc(
        name=j.name, owner=j.owner or "", objective=_percent(j.objective), period=durations.format(j.period),
        description=j.description,
        steps=tuple((step.text, doc_file(step.service),
                     _percent(objectives[(step.service, step.slo)]) if (step.service, step.slo) in objectives
                     else "") for step in j.steps),
    ) for j in sorted(catalog.journeys, key=lambda j: j.name))


def doc_file(service: str) -> str:
    """The document's path relative to out/docs (conventions.slo_document_file minus the folder)."""
    return c.slo_document_file(service).removeprefix(c.DOCS_DIR + "/")


def _dependency(name: str, slo: str | None, kind: str, by_name: dict[str, Service]) -> DependencyDoc:
    target = by_name.get(name)
    slos = [s for s in target.slos if slo in (None, s.name)] if target is not None else []
    return DependencyDoc(target=name if slo is None else f"{name}/{slo}",
                         file=doc_file(name) if target is not None and target.slos else "", kind=kind,
                         objectives=", ".join(f"{s.name} {_percent(s.objective)}" for s in slos))


def _slo_doc(slo: Slo, service: Service, catalog: Catalog, by_name: dict[str, Service]) -> SloDoc:
    routing = catalog.routing
    budget = timing.Budget(slo.error_budget, slo.period)
    tiers = []
    for name in c.TIERS:
        tier = slo.alerting.tier(name)
        pairs = tuple(p for p in slo.alerting.pairs if p.tier == name)
        if not pairs:
            continue
        # The tier's one alerting rule: the labels Alertmanager routes on and the interval of
        # the group it runs in, which rounds its `for:` up (explain/slo.py does the same).
        rule = burn_rate_alert(slo, name, slo.alerting.active_pairs(name) or pairs)
        for_seconds = timing.effective_for(tier.for_seconds, interval_seconds(rule.as_dict()))
        receiver = _receiver(routing, rule.labels)
        for pair in pairs:
            dead = not pair.can_fire(slo.error_budget)
            state = ("disabled" if slo.alerting.disabled or tier.disabled
                     else "never fires (threshold above 100%)" if dead else "")
            tiers.append(TierDoc(
                tier=name, windows=f"{pair.long_text} / {pair.short_text}", factor=f"{pair.factor:g}",
                threshold=explained.percent(pair.threshold(slo.error_budget)),
                budget_share=explained.percent(pair.budget_fraction),
                for_text=explained.duration_text(tier.for_seconds),
                outage_fire=explained.minutes(None if dead else _outage_fire(pair, slo.error_budget, for_seconds)),
                receiver=receiver, state=state))
    # A forecast entry (exhausts_within) has no fixed outage time: it depends on the last day's burn.
    policy = tuple(PolicyDoc(consumed=p.text, tier=p.tier, action=p.action,
                             outage_time="" if p.consumed is None
                             else explained.minutes(p.consumed * budget.per_period),
                             receiver=_receiver(routing, rule.labels))
                   for p, rule in zip(slo.alerting.budget, budget_alerts(slo), strict=True))
    limit_text = ""
    hard = [d for d in service.dependencies if d.kind == "hard"]
    if hard:
        limit, bounding = allowed(slo, service, by_name)
        if bounding:
            limit_text = (f"{_percent(limit)} ("
                          + " x ".join(f"{s.service}/{s.name} {_percent(s.objective)}" for s in bounding) + ")")
            if slo.objective > limit + 1e-9:
                limit_text += ": less than this SLO's objective"
    where = c.selector(slo.service, slo.name)
    period = durations.format(slo.period)
    recorded = [Query(f"error ratio over {w}", f"{c.error_ratio(w)}{{{where}}}")
                for w in (durations.format(s) for s in slo.windows)]
    recorded.append(Query(f"error ratio over the period ({period})", f"{c.error_ratio(period)}{{{where}}}"))
    recorded.append(Query("share of the period's budget left", f"{c.PERIOD_BUDGET_REMAINING}{{{where}}}"))
    recorded.append(Query("seconds until the period's budget runs out at the last day's burn",
                          f"{c.PERIOD_BUDGET_EXHAUSTION}{{{where}}}"))
    queries = [Query("errors (bad events) over 5m" if slo.sli.total_rate("5m") is not None
                     else "error ratio over 5m", slo.sli.error_rate("5m"))]
    total = slo.sli.total_rate("5m")
    if total is not None:
        queries.append(Query("all events over 5m", total))
    absent = slo.alerting.absent_seconds
    return SloDoc(
        name=slo.name, anchor=slo.name.lower(), objective=_percent(slo.objective), period=period,
        description=slo.description, rationale=slo.rationale, sli_kind=slo.sli.kind, sli_unit=slo.sli.unit,
        definition=slo.sli_definition, exclusions=slo.sli_exclusions,
        error_budget=explained.percent(slo.error_budget),
        budget_day=_minutes(budget.per_day), budget_week=_minutes(budget.per_week),
        budget_period=_minutes(budget.per_period),
        tiers=tuple(tiers), alerting_disabled=slo.alerting.disabled, policy=policy,
        no_data=f"a ticket after {durations.format(absent)} without data" if absent else "",
        sli_queries=tuple(queries), recorded=tuple(recorded),
        runbook=slo.runbook_url or "", dashboard=slo.dashboard_url or "",
        dependency_limit=limit_text,
        journeys=tuple(f"{j.name} ({_percent(j.objective)})" for j in _journeys_of(slo, catalog.journeys)),
    )


@lru_cache(maxsize=4096)
def _outage_fire(pair: WindowPair, error_budget: float, for_seconds: int) -> float | None:
    """`explain`'s time to fire on a full outage (explain/timing.py), once per distinct tier:
    catalogs repeat a few objectives and window pairs across thousands of SLOs."""
    return timing.detection(pair, error_budget, 1.0, for_seconds)


def _journeys_of(slo: Slo, journeys: tuple[Journey, ...]) -> list[Journey]:
    return sorted((j for j in journeys if any((s.service, s.slo) == (slo.service, slo.name) for s in j.steps)),
                  key=lambda j: j.name)


def _receiver(routing: Routing | None, labels: dict[str, str]) -> str:
    if routing is None:
        return "-"
    if c.LABEL_TEAM not in labels:
        return "no team (the service has no owner)"
    return receiver_for(routing, labels) or f"none: team '{labels[c.LABEL_TEAM]}' is not in the Routing spec"


def _percent(value: float) -> str:
    return f"{round(value, 6):.12g}%"


def _minutes(seconds: float) -> str:
    """Budget as full-outage minutes, one decimal: 43.2 (30d at 99.9%)."""
    return f"{seconds / 60:,.1f} min"

