"""User journeys and service dependencies: reliability across SLOs.

A journey ("checkout": add to cart, view cart, pay) succeeds when every step
succeeds, so its success ratio is the product of its steps' (four steps at 99.9%
give 99.6%). Steps are references to SLOs anywhere in the catalog; the journey
has its own objective, period, owner and budget.

A dependency says a service needs another (hard: it fails when the dependency
fails; soft: it degrades). A service cannot promise more than the product of its
hard dependencies' objectives allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sloforge import durations

if TYPE_CHECKING:
    from sloforge.model.catalog import Alerting


@dataclass(frozen=True, slots=True)
class SloRef:
    """`{service, slo}`: one SLO of the catalog, by name."""

    service: str
    slo: str

    @property
    def text(self) -> str:
        return f"{self.service}/{self.slo}"


@dataclass(frozen=True, slots=True)
class Journey:
    name: str
    steps: tuple[SloRef, ...]
    objective: float  # percent, e.g. 99.6
    period: int  # seconds
    owner: str | None = None
    description: str = ""
    objective_explicit: bool = False  # False: the product of the steps' objectives
    source: str = ""
    line: int | None = None
    # Its burn-rate tiers (the default window pairs of its period) and budget policy: the
    # same value an SLO has, so the alert code and `explain` read both alike. None only
    # in a Journey built by hand without alerts.
    alerting: Alerting | None = None
    # The product of the steps' objectives (percent): the default objective, and what an
    # explicit objective is compared with.
    product: float = 0.0

    @property
    def period_text(self) -> str:
        return durations.format(self.period)

    @property
    def windows(self) -> tuple[int, ...]:
        """Every window an alert reads, plus the 5m base window, ascending (as Slo.windows)."""
        needed = {300}
        for pair in self.alerting.pairs if self.alerting else ():
            needed |= {pair.long, pair.short}
        return tuple(sorted(needed))

    @property
    def target(self) -> float:
        return round(self.objective / 100, 12)

    @property
    def error_budget(self) -> float:
        return round(1 - self.objective / 100, 12)


@dataclass(frozen=True, slots=True)
class Dependency:
    """A service's dependency on another service (or on one of its SLOs)."""

    service: str
    slo: str | None = None
    kind: str = "hard"  # "hard" | "soft"
    line: int | None = None  # where the spec lists it (in the depending service's file)

    @property
    def text(self) -> str:
        return self.service if self.slo is None else f"{self.service}/{self.slo}"
