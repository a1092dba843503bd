"""Typed rules: what recording.py and alerts.py build, and unit_tests.py reads.

Rules stay typed until rule groups are assembled for YAML (groups.py), where
`as_dict()` writes each as Prometheus' rule-file mapping, keys in the order the
rule files have them. `kind`, `tier` and `threshold` are for sloforge itself and
are never written out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sloforge import conventions as c

Rule = dict[str, object]  # one rule of a rule file, as written


class AlertKind(Enum):
    """Each value is the alert's `slo_alert_kind` label (conventions.py)."""

    BURN_RATE = c.ALERT_KIND_BURN_RATE  # a tier's multi-window burn-rate alert
    BUDGET = c.ALERT_KIND_BUDGET  # a budget-policy alert: this much of the period's budget consumed
    NO_DATA = c.ALERT_KIND_NO_DATA  # the SLI has recorded nothing for a while


@dataclass(frozen=True, slots=True)
class RecordingRule:
    record: str
    expr: str
    labels: dict[str, str]

    def as_dict(self) -> Rule:
        # A fresh labels dict per rule: the YAML writer writes a dict met twice as an anchor and alias.
        return {"record": self.record, "expr": self.expr, "labels": dict(self.labels)}


@dataclass(frozen=True, slots=True)
class AlertingRule:
    alert: str
    expr: str
    for_: str | None  # `for:`, as written (`15m`); None: none
    labels: dict[str, str]
    annotations: dict[str, str]
    kind: AlertKind
    tier: str  # the tier whose labels and annotations the alert carries
    # BUDGET: the remaining budget (as written in `expr`) at or below which it fires.
    threshold: float | None = None
    # BUDGET, a forecast entry (exhausts_within): it fires while the budget runs out within this
    # many seconds (slo:period_error_budget_exhaustion:seconds <= horizon); threshold is None.
    horizon: int | None = None

    def as_dict(self) -> Rule:
        out: Rule = {"alert": self.alert, "expr": self.expr}
        if self.for_ is not None:
            out["for"] = self.for_
        out["labels"] = dict(self.labels)
        out["annotations"] = dict(self.annotations)
        return out
