"""What a backtest finds for one SLO (or one group of a grouped SLO): plain values.

Times are unix seconds. Every budget number is a share of one period's error budget
(1.0 = the whole budget of one period) at the range's traffic: the budget of a 30d
SLO over a 3d range is at most 10% spent by an error ratio at the objective, and
over a 90d range 300%. So incidents, alerts and the range's total add up, and
compare with the budget policy's `consumed` thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sloforge.model.catalog import Alerting


@dataclass(frozen=True, slots=True)
class Firing:
    """One alert the generated rules would have fired, from its first firing evaluation
    to the evaluation that saw its condition false (`end` None: still firing at the end)."""

    alert: str  # the alert's name, e.g. CheckoutAvailabilityErrorBudgetBurn
    kind: str  # burn-rate | budget | no-data (conventions: slo_alert_kind)
    tier: str  # page | ticket
    start: float
    end: float | None
    budget_burned: float  # share of the period's budget spent while it fired


@dataclass(frozen=True, slots=True)
class Incident:
    """A contiguous burn episode: the 5m burn rate above 1 (errors faster than the budget allows)."""

    start: float
    end: float
    peak_burn_rate: float
    budget_consumed: float  # share of the period's budget
    first_page: float | None  # when the first page fired during it (None: no page)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def time_to_page(self) -> float | None:
        return None if self.first_page is None else self.first_page - self.start


@dataclass(frozen=True, slots=True)
class Attribution:
    """Budget spent by one value (or tuple of values) of the `--by` labels."""

    labels: dict[str, str]
    bad_events: float
    budget_consumed: float  # share of the period's budget
    share: float  # of all the bad events in the range


@dataclass(frozen=True, slots=True)
class GroupHistory:
    """The backtest of one SLO's group (the SLO itself when ungrouped: labels {})."""

    service: str
    slo: str
    labels: dict[str, str]
    start: float
    end: float
    good_events: float
    total_events: float
    budget_consumed: float  # bad events over the range / one period's budget
    firings: tuple[Firing, ...]
    incidents: tuple[Incident, ...]  # the largest (replay.MAX_INCIDENTS), largest first
    attribution: tuple[Attribution, ...] = ()
    # (unix time, value) samples for pictures, at the evaluation step or coarser
    burn_rate: tuple[tuple[float, float], ...] = field(default=(), repr=False)
    budget_remaining: tuple[tuple[float, float], ...] = field(default=(), repr=False)
    incident_count: int = 0  # all burn episodes in the range

    @property
    def sli(self) -> float | None:
        """The SLI achieved over the range (0..1), None without traffic."""
        return self.good_events / self.total_events if self.total_events > 0 else None

    @property
    def incidents_seen(self) -> int:
        """How many burn episodes the range had (more than `incidents` lists when it was cut)."""
        return max(self.incident_count, len(self.incidents))

    def per_week(self, tier: str) -> float:
        weeks = (self.end - self.start) / (7 * 86400)
        count = sum(1 for f in self.firings if f.tier == tier)
        return count / weeks if weeks > 0 else 0.0


class Spec(Protocol):
    """What the pictures and tables read of the SLO (or journey) a history is of."""

    @property
    def objective(self) -> float: ...
    @property
    def period_text(self) -> str: ...
    @property
    def target(self) -> float: ...
    @property
    def alerting(self) -> Alerting: ...


@dataclass(frozen=True, slots=True)
class JourneySpec:
    """A journey as a Spec (its alerting is never None once loaded)."""

    objective: float
    period_text: str
    target: float
    alerting: Alerting
