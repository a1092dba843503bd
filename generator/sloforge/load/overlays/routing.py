"""`apiVersion: sloforge/v1, kind: Routing` documents -> model/routing.Routing.

An overlay (load/base.py): once every format has produced its services, `apply`
reads the one routing spec into the Draft's routing and checks every service's owner
against its teams.
"""

from __future__ import annotations

import difflib
import os
import posixpath
from dataclasses import dataclass, field, replace
from typing import Any

from sloforge import conventions as c
from sloforge.errors import Problem
from sloforge.load.base import Draft
from sloforge.load.documents import Document, FieldPath, field_text
from sloforge.load.overlays import matchers
from sloforge.load.overlays.routing_secrets import inline_secret_field, secret_in_value
from sloforge.load.overlays.time_intervals import IntervalError, normalise
from sloforge.load.reader import Reader
from sloforge.model.catalog import Service
from sloforge.model.routing import (
    DEFAULT_GROUP_BY,
    INTEGRATIONS,
    ROUTE_OPTIONS,
    Destination,
    Integration,
    Matcher,
    Override,
    Routing,
    SecretFile,
    Team,
    TimeInterval,
)
from sloforge.schema.validate import validate

NAME = "sloforge/v1 Routing"
EXPECTED = "apiVersion: sloforge/v1, kind: Routing"
TITLE = "sloforge"
API_GROUPS = ("sloforge",)
API_VERSION, KIND = "sloforge/v1", "Routing"
_TIMING = ("group_wait", "group_interval", "repeat_interval")
# Integration fields the Prometheus Operator's AlertmanagerConfig CRD wants non-empty (minLength: 1).
_NOT_EMPTY = {"slack": ("title",)}

__all__ = ["API_GROUPS", "EXPECTED", "NAME", "TITLE", "apply", "claims", "owner_problems", "routing_from"]


def claims(document: Document) -> bool:
    data = document.data
    return isinstance(data, dict) and data.get("apiVersion") == API_VERSION and data.get("kind") == KIND


def apply(documents: list[Document], draft: Draft) -> tuple[Draft, list[Problem]]:
    """The draft with the routing of `documents`; problems of the spec, then of the owners."""
    routing, problems = routing_from(documents)
    problems.extend(owner_problems(routing, draft.services, draft.documents))
    return replace(draft, routing=routing), problems


def routing_from(documents: list[Document]) -> tuple[Routing | None, list[Problem]]:
    """The one routing spec among the inputs (None when there is none)."""
    if not documents:
        return None, []
    first, *others = documents
    problems = [other.problem(("kind",), f"a second routing spec; {first.path} already defines the "
                              "routing (keep every team in one kind: Routing document)")
                for other in others]
    reader = _Reader(first)
    routing = reader.routing()
    problems.extend(reader.problems)
    return (routing if routing is not None and not problems else None), problems


def owner_problems(routing: Routing | None, services: list[Service],
                   documents: list[Document]) -> list[Problem]:
    """Every owner must name a team; overrides must name services of their own team."""
    if routing is None:
        return []
    teams = sorted(t.name for t in routing.teams)
    problems = []
    for service in services:
        path, line = _owner_location(service, documents)
        if service.owner is None:
            problems.append(Problem(path, line, "owner", f"service '{service.name}' has no owner: its "
                                    f"alerts carry no team label and go to the base config's default "
                                    f"receiver; set owner to one of {', '.join(teams)}", warning=True))
        elif routing.team(service.owner) is None:
            close = difflib.get_close_matches(service.owner, teams, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(path, line, "owner", f"team '{service.owner}' is not defined in the "
                                    f"routing spec {routing.source}; {hint}known teams: {', '.join(teams)}"))
    owners = {s.name: s.owner for s in services}
    for team in routing.teams:
        for override in team.overrides:
            if override.service is None:
                continue
            if override.service not in owners:
                problems.append(Problem(routing.source, override.line, "service", f"service "
                                        f"'{override.service}' is not among the inputs; the override of "
                                        f"team '{team.name}' can only match once its spec is", warning=True))
            elif owners[override.service] != team.name:
                problems.append(Problem(routing.source, override.line, "service", f"service "
                                        f"'{override.service}' is owned by '{owners[override.service]}', "
                                        f"not '{team.name}': this override could never match"))
    return problems


def _owner_location(service: Service, documents: list[Document]) -> tuple[str, int | None]:
    for document in documents:
        data = document.data
        if document.path == service.source and isinstance(data, dict) and data.get("service") == service.name:
            return document.path, document.lines.get(("owner",)) or document.line(("service",))
    return service.source, service.owner_line


@dataclass
class _Reader(Reader):
    intervals: set[str] = field(default_factory=set)
    # (field, message) of schema problems an earlier, clearer one already explains
    explained: set[tuple[str, str]] = field(default_factory=set)

    def routing(self) -> Routing | None:
        flagged = self.prescan()
        for problem in validate(self.doc, "routing"):
            if (problem.field, problem.message) in self.explained:
                continue
            if not any(problem.field == f or problem.field.startswith(f + ".") for f in flagged):
                self.problems.append(problem)
        if self.problems:
            return None
        spec: dict[str, Any] = self.doc.data  # type: ignore[assignment]
        intervals = self.time_intervals(spec.get("time_intervals", {}))
        defaults = spec.get("defaults", {})
        options = self.options(defaults, ("defaults",), _TIMING)
        tier_defaults = tuple((tier, self.options(defaults[tier], ("defaults", tier), ROUTE_OPTIONS))
                              for tier in c.TIERS if tier in defaults)
        teams = tuple(self.team(name, raw) for name, raw in sorted(spec["teams"].items()))
        if self.problems:
            return None
        return Routing(source=self.doc.path, teams=teams, time_intervals=intervals,
                       group_by=tuple(defaults.get("group_by", DEFAULT_GROUP_BY)), options=options,
                       tier_defaults=tier_defaults, alertmanager_base=self.base(spec.get("alertmanager_base")))

    def base(self, relative: str | None) -> str | None:
        """The base config's path as written relative to this spec, so that a plain
        `sloforge generate specs` (pre-commit, CI) merges exactly what `make rules` does."""
        if relative is None:
            return None
        path = posixpath.normpath(posixpath.join(posixpath.dirname(self.doc.path), relative))
        if not os.path.isfile(path):
            self.fail(("alertmanager_base",), f"{relative!r} (resolved to {path}) is not a file")
        return path

    # -- before the schema: secrets and integration types get their own message
    def prescan(self) -> set[str]:
        flagged: set[str] = set()
        teams = self.doc.data.get("teams") if isinstance(self.doc.data, dict) else None
        for name, team in (teams or {}).items() if isinstance(teams, dict) else ():
            if not isinstance(team, dict):
                continue
            places: list[tuple[FieldPath, object]] = [(("teams", name, t), team.get(t)) for t in c.TIERS]
            for index, override in enumerate(team.get("overrides") or []):
                if isinstance(override, dict):
                    places += [(("teams", name, "overrides", index, t), override.get(t)) for t in c.TIERS]
            for path, tier in places:
                if isinstance(tier, dict):
                    flagged |= self.prescan_tier(path, tier)
        return flagged

    def prescan_tier(self, path: FieldPath, tier: dict[str, Any]) -> set[str]:
        flagged = set()
        for key, value in tier.items():
            if key in INTEGRATIONS:
                items = value if isinstance(value, list) else [value]
                for index, item in enumerate(items):
                    at = path + ((key, index) if isinstance(value, list) else (key,))
                    if isinstance(item, dict):
                        flagged |= self.prescan_integration(key, at, item)
            elif key not in ROUTE_OPTIONS:
                close = difflib.get_close_matches(key, INTEGRATIONS + ROUTE_OPTIONS, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                self.fail(path + (key,), f"unknown receiver type '{key}'; {hint}sloforge supports "
                          f"{', '.join(INTEGRATIONS)} (and the route options {', '.join(ROUTE_OPTIONS)})")
                flagged.add(field_text(path + (key,)))
        return flagged

    def prescan_integration(self, kind: str, path: FieldPath, raw: dict[str, Any]) -> set[str]:
        flagged = set()
        for key, value in raw.items():
            use = inline_secret_field(kind, str(key))
            if use:
                self.fail(path + (key,), f"secrets are never inline: put the value in a file Alertmanager "
                          f"can read and reference it with {use}")
                flagged.add(field_text(path + (key,)))
                self.explained.add((field_text(path), f"missing required field '{use}'"))
            elif isinstance(value, str) and not str(key).endswith("_file"):
                reason = secret_in_value(value)
                if reason:
                    hint = (" Alertmanager 0.25 has no webhook url_file: use a URL without credentials "
                            "and put a bearer token in credentials_file" if kind == "webhook"
                            else " move the secret into a file and reference it with a *_file field")
                    self.fail(path + (key,), f"looks like an inline secret: {reason}; secrets are never "
                              f"inline.{hint}")
                    flagged.add(field_text(path + (key,)))
        return flagged

    # -- after the schema: the model
    def time_intervals(self, raw: dict[str, list[dict[str, Any]]]) -> tuple[TimeInterval, ...]:
        out = []
        for name, entries in sorted(raw.items()):
            ranges = []
            for index, entry in enumerate(entries):
                try:
                    ranges.append(normalise(entry))
                except IntervalError as exc:
                    self.fail(("time_intervals", name, index) + exc.field, str(exc))
            self.intervals.add(name)
            out.append(TimeInterval(name, tuple(ranges), self.doc.line(("time_intervals", name))))
        return tuple(out)

    def options(self, raw: dict[str, Any], path: FieldPath, names: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
        out = []
        for name in names:
            if name not in raw:
                continue
            value = raw[name]
            if name in ("group_interval", "repeat_interval"):
                self.duration(value, path + (name,))
            if name.endswith("time_intervals"):
                for index, interval in enumerate(value):
                    if interval not in self.intervals:
                        known = ", ".join(sorted(self.intervals)) or "none defined"
                        self.fail(path + (name, index), f"time interval '{interval}' is not defined under "
                                  f"time_intervals (defined: {known})")
                value = tuple(value)
            elif name == "group_by":
                value = tuple(value)
            out.append((name, value))
        return tuple(out)

    def team(self, name: str, raw: dict[str, Any]) -> Team:
        path: FieldPath = ("teams", name)
        overrides = []
        names: set[str] = set()
        for index, item in enumerate(raw.get("overrides", [])):
            override = self.override(item, path + ("overrides", index), index)
            if override.name in names:
                self.fail(path + ("overrides", index, "name"), f"override name '{override.name}' is used "
                          "twice in this team; set a distinct name")
            names.add(override.name)
            overrides.append(override)
        return Team(name, self.destination(raw["page"], path + ("page",)),
                    self.destination(raw["ticket"], path + ("ticket",)), tuple(overrides),
                    self.doc.line(path))

    def override(self, raw: dict[str, Any], path: FieldPath, index: int) -> Override:
        found = []
        if "service" in raw:
            found.append(Matcher(c.LABEL_SERVICE, "=", raw["service"]))
        if "slo" in raw:
            found.append(Matcher(c.LABEL_SLO, "=", raw["slo"]))
        for i, text in enumerate(raw.get("matchers", [])):
            try:
                matcher = matchers.parse(text)
            except matchers.MatcherError as exc:
                self.fail(path + ("matchers", i), str(exc))
                continue
            if matcher.name in (c.LABEL_TIER, c.LABEL_TEAM):
                self.fail(path + ("matchers", i), f"'{matcher.name}' is matched by sloforge itself (team "
                          "and page/ticket keys); remove this matcher")
            found.append(matcher)
        if not found and not any(k in raw for k in ("service", "slo", "matchers")):
            self.fail(path, "give at least one of service, slo, matchers (what the override matches)")
        tiers = tuple((t, self.destination(raw[t], path + (t,))) for t in c.TIERS if t in raw)
        if not tiers:
            self.fail(path, "give page and/or ticket: where the matched alerts go")
        default = "-".join(str(raw[k]) for k in ("service", "slo") if k in raw) or f"override-{index + 1}"
        return Override(raw.get("name", default), tuple(found), tiers, raw.get("service"),
                        self.doc.line(path))

    def destination(self, raw: dict[str, Any], path: FieldPath) -> Destination:
        integrations = []
        for kind in INTEGRATIONS:
            if kind not in raw:
                continue
            items = raw[kind] if isinstance(raw[kind], list) else [raw[kind]]
            for index, item in enumerate(items):
                at = path + ((kind, index) if isinstance(raw[kind], list) else (kind,))
                integrations.append(self.integration(kind, item, at))
        if not integrations:
            self.fail(path, f"no receiver: add at least one of {', '.join(INTEGRATIONS)}")
        return Destination(tuple(integrations), self.options(raw, path, ROUTE_OPTIONS))

    def integration(self, kind: str, raw: dict[str, Any], path: FieldPath) -> Integration:
        for key in _NOT_EMPTY.get(kind, ()):
            if raw.get(key) == "":
                self.fail(path + (key,), f"an empty {key} is refused by the Prometheus Operator (its CRD "
                          f"wants at least one character); leave {key} out for Alertmanager's default")
        secrets = tuple(SecretFile(k, v, self.doc.line(path + (k,)))
                        for k, v in sorted(raw.items()) if k.endswith("_file"))
        settings = tuple((k, v) for k, v in sorted(raw.items()) if not k.endswith("_file"))
        return Integration(kind, settings, secrets, self.doc.line(path))
