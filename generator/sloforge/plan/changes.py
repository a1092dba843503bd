"""Two catalogs -> the changes a reviewer must know about, most important first.

Kinds, in the order they are reported:
  budget-reset  an SLO renamed, removed, or its period changed: its budget starts anew
                (series are keyed by service, SLO and period window; labels do not reset it)
  routing       an alert reaches another receiver (real amtool on both configs), inhibition changed
  contract      recorded series or alert label sets that disappear or change: queries,
                dashboards, silences and routes that match them break
  objective     objective or period: budget in bad minutes, each tier's threshold and time to
                page on a full outage, before -> after (the explain arithmetic)
  history       with --prometheus: budget left now and pages and tickets over the last period,
                old rules against new, replayed over the same data (plan/history.py)
  alerting      tiers, windows, for:, guards, no-data, budget policy
  slo           SLOs added
  files         owned files added and removed; dashboard panels added and removed
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sloforge import conventions as c
from sloforge import durations
from sloforge.model.catalog import Catalog, Service, Slo
from sloforge.model.journey import Journey

KINDS = ("budget-reset", "routing", "contract", "objective", "history", "alerting", "slo", "files")


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    subject: str  # service/slo, a file, or a receiver
    summary: str
    details: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "subject": self.subject, "summary": self.summary, "details": list(self.details)}


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    slos_before: int = 0
    slos_after: int = 0

    def of(self, kind: str) -> list[Change]:
        return [ch for ch in self.changes if ch.kind == kind]

    def sort(self) -> None:
        self.changes.sort(key=lambda ch: (KINDS.index(ch.kind), ch.subject))


def slo_key(slo: Slo) -> str:
    return f"{slo.service}/{slo.name}"


def compare_slos(old: Catalog, new: Catalog, plan: Plan) -> list[tuple[Slo, Slo]]:
    """SLOs added, removed and renamed; the pairs of SLOs present on both sides."""
    before = {slo_key(s): s for s in old.slos}
    after = {slo_key(s): s for s in new.slos}
    plan.slos_before, plan.slos_after = len(before), len(after)
    gone = [before[k] for k in before if k not in after]
    came = [after[k] for k in after if k not in before]
    # A rename: the same SLI (the same queries) under another name, in the same service first.
    renamed: dict[str, Slo] = {}
    for slo in gone:
        match = next((n for n in came if n not in renamed.values() and n.sli == slo.sli
                      and n.service == slo.service), None) \
            or next((n for n in came if n not in renamed.values() and n.sli == slo.sli), None)
        if match is not None:
            renamed[slo_key(slo)] = match
    for slo in gone:
        if slo_key(slo) in renamed:
            new_slo = renamed[slo_key(slo)]
            plan.changes.append(Change("budget-reset", slo_key(slo), f"renamed to {slo_key(new_slo)}: its budget "
                                       "starts anew (recorded series are keyed by service and SLO name); the "
                                       "old series stay until they age out",
                                       (f"dashboards and alerts of {slo_key(slo)} end",)))
        else:
            plan.changes.append(Change("budget-reset", slo_key(slo), "removed: its rules, alerts and dashboard "
                                       "panels go; the budget recorded so far is no longer read"))
    for slo in came:
        if slo not in renamed.values():
            plan.changes.append(Change("slo", slo_key(slo), f"added: {slo.objective:g}% over "
                                       f"{slo.period_text} ({slo.sli.kind})"))
    pairs = [(before[k], after[k]) for k in before if k in after]
    pairs += [(before[k], renamed[k]) for k in renamed]
    return pairs


def compare_slo(old: Slo, new: Slo, plan: Plan) -> None:
    """Objective, period and alerting changes of one SLO present on both sides."""
    from sloforge.explain.slo import explain, minutes, percent

    subject = slo_key(new)
    if old.period != new.period:
        plan.changes.append(Change("budget-reset", subject, f"period {old.period_text} -> {new.period_text}: "
                                   f"the budget starts anew (the period ratio is a new series, "
                                   f"{c.error_ratio(new.period_text)})"))
    if (old.objective, old.period) != (new.objective, new.period):
        a, b = explain(old), explain(new)
        details = [f"budget: {minutes(a.bad_seconds_per_period)} -> {minutes(b.bad_seconds_per_period)} of "
                   f"full outage per period ({percent(a.error_budget)} -> {percent(b.error_budget)} of events)"]
        for before, after in zip(a.tiers, b.tiers, strict=False):
            verb = "pages" if after.tier == "page" else "tickets"
            details.append(f"{after.tier} {after.long}/{after.short}: threshold {percent(before.threshold)} -> "
                           f"{percent(after.threshold)}; {verb} a full outage after "
                           f"{minutes(before.outage_fire)} -> {minutes(after.outage_fire)}")
        plan.changes.append(Change("objective", subject, f"objective {old.objective:g}% -> {new.objective:g}%"
                                   + (f", period {old.period_text} -> {new.period_text}"
                                      if old.period != new.period else ""), tuple(details)))
    details = _alerting_details(old, new)
    if details:
        plan.changes.append(Change("alerting", subject, "alerting changed", tuple(details)))


def _alerting_details(old: Slo, new: Slo) -> list[str]:
    a, b = old.alerting, new.alerting
    out: list[str] = []

    def diff(what: str, get: Callable[[Slo], object]) -> None:
        before, after = get(old), get(new)
        if before != after:
            out.append(f"{what}: {before} -> {after}")

    diff("alerting", lambda s: "off" if s.alerting.disabled else "on")
    for tier in sorted({t.name for t in a.tiers} | {t.name for t in b.tiers}):
        for what in ("state", "for", "severity"):
            def field(slo: Slo, t: str = tier, w: str = what) -> str:
                return _tier_field(slo, t, w)

            diff(f"{tier} {'tier' if what == 'state' else what}", field)
    diff("windows", lambda s: ", ".join(f"{p.tier} {p.long_text}/{p.short_text} x{p.factor:g}"
                                        for p in s.alerting.pairs))
    diff("min_events", lambda s: s.alerting.min_events)
    diff("absent", lambda s: durations.format(s.alerting.absent_seconds) if s.alerting.absent_seconds else None)
    diff("budget policy", lambda s: ", ".join((p.consumed_text or f"within {p.exhausts_within_text}") + f" {p.tier}"
                                              + (f" ({p.action})" if p.action else "")
                                              for p in s.alerting.budget) or "none")
    diff("alert name", lambda s: s.alerting.name)
    return out


def _tier_field(slo: Slo, name: str, what: str) -> str:
    tier = next((t for t in slo.alerting.tiers if t.name == name), None)
    if tier is None:
        return "-"
    if what == "state":
        return "disabled" if tier.disabled else "enabled"
    if what == "for":
        return durations.format(tier.for_seconds) if tier.for_seconds else "0s"
    return tier.severity


def changed_services(old: Catalog, new: Catalog) -> tuple[list[Service], list[Service]]:
    """The services whose value differs (added and removed ones included), old and new side."""
    before = {s.name: s for s in old.services}
    after = {s.name: s for s in new.services}
    names = sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))
    return [before[n] for n in names if n in before], [after[n] for n in names if n in after]


def journey_key(journey: Journey) -> str:
    return f"journey/{journey.name}"


def compare_journeys(old: Catalog, new: Catalog, plan: Plan) -> None:
    """Journeys added, removed, or with other steps, objective, period or owner."""
    from sloforge.explain.slo import minutes, percent

    before = {j.name: j for j in old.journeys}
    after = {j.name: j for j in new.journeys}
    for name in sorted(before.keys() - after.keys()):
        plan.changes.append(Change("budget-reset", journey_key(before[name]), "journey removed: its rules, "
                                   "alerts and dashboard row go; the budget recorded so far is no longer read"))
    for name in sorted(after.keys() - before.keys()):
        j = after[name]
        plan.changes.append(Change("slo", journey_key(j), f"journey added: {j.objective:g}% over {j.period_text}, "
                                   f"steps {_steps(j)}"))
    for name in sorted(before.keys() & after.keys()):
        a, b = before[name], after[name]
        subject = journey_key(b)
        if a.period != b.period:
            plan.changes.append(Change("budget-reset", subject, f"period {a.period_text} -> {b.period_text}: the "
                                       "journey's budget starts anew (its period ratio is a new series)"))
        if a.steps != b.steps:
            plan.changes.append(Change("objective", subject, f"steps {_steps(a)} -> {_steps(b)}",
                                       ("the journey's error ratio is 1 - the product of its steps' success: "
                                        "every step added makes it fail more often",)))
        if (a.objective, a.period) != (b.objective, b.period):
            details = (f"budget: {minutes(a.error_budget * a.period)} -> {minutes(b.error_budget * b.period)} of "
                       f"full outage per period ({percent(a.error_budget)} -> {percent(b.error_budget)} of "
                       "journeys)",)
            plan.changes.append(Change("objective", subject, f"objective {a.objective:g}% -> {b.objective:g}%",
                                       details))
        if a.owner != b.owner:
            plan.changes.append(Change("alerting", subject, f"owner {a.owner} -> {b.owner}: the journey's alerts "
                                       f"go to {b.owner}'s receivers"))


def _steps(journey: Journey) -> str:
    return ", ".join(step.text for step in journey.steps)
