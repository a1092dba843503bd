"""Settings an input format may need beyond its documents (command-line flags)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sloforge.model import policy


@dataclass(frozen=True, slots=True)
class LoadOptions:
    # Sloth specs carry no SLO period: Sloth takes it from --default-slo-period
    # (30d); `sloforge ... --slo-period` plays that role.
    sloth_period: int = policy.DEFAULT_PERIOD
    # The date overdue reviews are judged on (load/relations.py); None: today.
    today: datetime.date | None = None
