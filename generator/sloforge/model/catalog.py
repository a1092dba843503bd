"""The immutable model every compiler consumes. No backend sees raw spec text.

Input formats (load/) map their documents into these values once; derived
numbers are properties with the arithmetic explained where it lives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sloforge import durations
from sloforge.model.journey import Dependency, Journey
from sloforge.model.policy import WindowPair
from sloforge.model.routing import Routing
from sloforge.model.sli import Sli


@dataclass(frozen=True, slots=True)
class Tier:
    name: str  # "page" | "ticket"
    severity: str  # the user-facing `severity` label
    for_seconds: int
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    """Alert when this share of the period's error budget has been consumed, or (`exhausts_within`)
    when the forecast says the budget runs out within this long at the last day's burn
    (`slo:period_error_budget_exhaustion:seconds`, compile/rules/forecast.py). Exactly one of
    `consumed` and `exhausts_within` is set.

    `tier` is what a spec writes as `severity` (`budget: [{consumed: 50%, severity: ticket}]`,
    in ServiceLevels and BudgetPolicy documents): page or ticket, the tier whose labels,
    annotations, severity label and receivers the alert takes, like WindowPair.tier (also
    `severity` in alerting.windows). It is not Tier.severity, the severity label's value
    (e.g. critical).
    """

    consumed: float | None  # fraction, 0.75 for 75%; None for an exhausts_within policy
    tier: str  # the spec's `severity`: page or ticket
    for_seconds: int
    action: str = ""
    exhausts_within: int | None = None  # seconds

    @property
    def consumed_text(self) -> str:
        return f"{self.consumed * 100:g}%" if self.consumed is not None else ""

    @property
    def exhausts_within_text(self) -> str:
        return durations.format(self.exhausts_within) if self.exhausts_within is not None else ""

    @property
    def text(self) -> str:
        """`75% consumed`, `runs out within 3d`: the condition, for people."""
        if self.consumed is not None:
            return f"{self.consumed_text} consumed"
        return f"runs out within {self.exhausts_within_text}"


@dataclass(frozen=True, slots=True)
class Alerting:
    name: str
    pairs: tuple[WindowPair, ...]
    tiers: tuple[Tier, ...]
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    disabled: bool = False
    min_events: int | None = None
    absent_seconds: int | None = None
    budget: tuple[BudgetPolicy, ...] = ()  # consumed thresholds ascending, then exhausts_within descending
    # True when the spec wrote `alerting.budget` (even `[]`): a team's or the
    # org's default BudgetPolicy document then leaves this SLO alone.
    budget_explicit: bool = False

    # Plain loops and list comprehensions: the compilers call these tens of times per
    # SLO, and a generator per call cost more than the rest of the lookup.
    def tier(self, name: str) -> Tier:
        for t in self.tiers:
            if t.name == name:
                return t
        raise KeyError(f"no alert tier {name!r}; tiers are {', '.join(t.name for t in self.tiers)}")

    def consumed_policies(self) -> tuple[BudgetPolicy, ...]:
        return tuple([p for p in self.budget if p.consumed is not None])

    def exhaustion_policies(self) -> tuple[BudgetPolicy, ...]:
        return tuple([p for p in self.budget if p.exhausts_within is not None])

    def active_pairs(self, tier: str) -> tuple[WindowPair, ...]:
        if self.disabled or self.tier(tier).disabled:
            return ()
        return tuple([p for p in self.pairs if p.tier == tier])


@dataclass(frozen=True, slots=True)
class Slo:
    service: str
    name: str
    objective: float  # percent, e.g. 99.9
    period: int  # seconds
    sli: Sli
    alerting: Alerting
    description: str = ""
    owner: str | None = None
    labels: tuple[tuple[str, str], ...] = ()  # service labels, then SLO labels
    runbook_url: str | None = None
    dashboard_url: str | None = None
    source: str = ""  # spec file, for headers and messages
    # SLO documents (out/docs): why this objective, what the SLI means and leaves out
    rationale: str = ""
    sli_definition: str = ""
    sli_exclusions: tuple[str, ...] = ()

    @property
    def target(self) -> float:
        """The objective as a ratio: 99.9 -> 0.999."""
        return round(self.objective / 100, 12)

    @property
    def error_budget(self) -> float:
        """Allowed error ratio: 1 - target (0.001 for 99.9%)."""
        return round(1 - self.objective / 100, 12)

    @property
    def period_text(self) -> str:
        return durations.format(self.period)

    @property
    def windows(self) -> tuple[int, ...]:
        """Every window an alert reads, plus the 5m base window, ascending."""
        needed = {300}
        for pair in self.alerting.pairs:
            needed |= {pair.long, pair.short}
        return tuple(sorted(needed))


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    source: str
    slos: tuple[Slo, ...]
    owner: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    # Where `owner` (else `service`) is written, for cross-file errors about it;
    # kept in the model because a cached spec's document is not read again.
    owner_line: int | None = None
    dependencies: tuple[Dependency, ...] = ()
    # SLO documents (out/docs): optional spec fields, shown as written
    version: str | None = None
    review_every: int | None = None  # seconds
    review_last: str | None = None  # ISO date, e.g. 2026-10-01
    review_line: int | None = None  # where `review` is written, for the overdue warning


@dataclass(frozen=True, slots=True)
class Catalog:
    """Everything the compilers see: all services of all input files."""

    services: tuple[Service, ...] = field(default=())
    routing: Routing | None = None  # the kind: Routing spec, when one is among the inputs
    journeys: tuple[Journey, ...] = ()  # kind: Journey documents

    @property
    def slos(self) -> tuple[Slo, ...]:
        return tuple(slo for service in self.services for slo in service.slos)
