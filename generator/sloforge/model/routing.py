"""The routing model: teams, their receivers per tier, and named time intervals.

A `kind: Routing` spec (load/overlays/routing.py) maps into these values once; the
Alertmanager compilers (compile/alertmanager/routes.py, compile/alertmanager/operator.py) read
nothing else. Secrets never appear here, only the files they are read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Route options a tier, the defaults, or a team may set (Alertmanager's own names).
ROUTE_OPTIONS = ("group_by", "group_wait", "group_interval", "repeat_interval",
                 "mute_time_intervals", "active_time_intervals")
DEFAULT_GROUP_BY = ("alertname", "slo_service", "slo_name")
INTEGRATIONS = ("pagerduty", "opsgenie", "slack", "email", "webhook")


@dataclass(frozen=True, slots=True)
class Matcher:
    name: str
    op: str  # = != =~ !~
    value: str

    @property
    def text(self) -> str:
        """`name="value"`: valid for Alertmanager 0.25's parser and the UTF-8 one of 0.27+."""
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.op}"{escaped}"'

    def matches(self, labels: dict[str, str]) -> bool:
        """As Alertmanager matches: a missing label is empty, a regex is anchored at both ends."""
        value = labels.get(self.name, "")
        if self.op in ("=", "!="):
            return (value == self.value) == (self.op == "=")
        import re

        return (re.fullmatch(self.value, value) is not None) == (self.op == "=~")


@dataclass(frozen=True, slots=True)
class SecretFile:
    """A secret Alertmanager reads from a file at runtime: never inline in the spec."""

    field: str  # e.g. routing_key_file
    path: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Integration:
    kind: str  # one of INTEGRATIONS
    settings: tuple[tuple[str, Any], ...]  # non-secret fields, spec (= Alertmanager) names
    secrets: tuple[SecretFile, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one tier's alerts go, and how they are grouped and timed on the way."""

    integrations: tuple[Integration, ...]
    options: tuple[tuple[str, Any], ...] = ()  # ROUTE_OPTIONS set here


@dataclass(frozen=True, slots=True)
class Override:
    name: str
    matchers: tuple[Matcher, ...]
    tiers: tuple[tuple[str, Destination], ...]  # ("page" | "ticket", destination)
    service: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    page: Destination
    ticket: Destination
    overrides: tuple[Override, ...] = ()
    line: int | None = None

    def tier(self, name: str) -> Destination:
        return self.page if name == "page" else self.ticket


@dataclass(frozen=True, slots=True)
class TimeInterval:
    name: str
    # Alertmanager's time_intervals entries, normalised (every range a string).
    ranges: tuple[dict[str, Any], ...]
    line: int | None = None

    @property
    def has_location(self) -> bool:
        return any("location" in r for r in self.ranges)


@dataclass(frozen=True, slots=True)
class Routing:
    source: str
    teams: tuple[Team, ...]
    time_intervals: tuple[TimeInterval, ...] = ()
    group_by: tuple[str, ...] = DEFAULT_GROUP_BY
    options: tuple[tuple[str, Any], ...] = ()  # subtree-wide group_wait/... (not group_by)
    tier_defaults: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()  # tier -> options
    alertmanager_base: str | None = None  # path of the base config, resolved against `source`

    def team(self, name: str) -> Team | None:
        return next((t for t in self.teams if t.name == name), None)

    def tier_default(self, tier: str) -> dict[str, Any]:
        return dict(dict(self.tier_defaults).get(tier, ()))
