"""`kind: Journey` documents: a user journey whose success is every step's success.

    apiVersion: sloforge/v1
    kind: Journey
    name: buy
    owner: payments
    description: find a product and pay for it
    steps:
      - {service: search, slo: availability}
      - {service: checkout, slo: availability}
    objective: 99.4          # optional: default the product of the steps' objectives
    period: 30d              # optional: default the steps' period
    budget:                  # optional: as alerting.budget; default the owner's BudgetPolicy
      - {consumed: 100%, severity: page}

A journey reads its steps' recorded series (compile/rules/journeys.py), so every
step must be an SLO of the catalog, named once, and all steps must share one
period, which is the journey's: the journey's period ratio is the product of the
steps' recorded period ratios, and a step records no other period. A step must
also record every window the journey's alerts read (the default window pairs of
the period); grouped steps are read from their recorded event rates instead,
summed over the groups, so they need nothing more.

Journeys carry no services: they are an overlay (load/base.py), applied after
budget policies (a journey takes its owner's policy as an SLO does) and routing
(its owner must be a team of the routing spec, as a service's).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from typing import Any

from sloforge import conventions, durations
from sloforge.errors import Problem
from sloforge.load.base import Draft
from sloforge.load.budget_items import budget_policies
from sloforge.load.documents import Document
from sloforge.model import policy
from sloforge.model.catalog import Alerting, BudgetPolicy, Service, Slo, Tier
from sloforge.model.journey import Journey, SloRef
from sloforge.schema.validate import validate

API_VERSION = "sloforge/v1"
KIND = "Journey"
NAME = "sloforge/v1 Journey"
EXPECTED = "apiVersion: sloforge/v1, kind: Journey"
TITLE = "sloforge"
API_GROUPS = ("sloforge",)

__all__ = ["API_GROUPS", "EXPECTED", "NAME", "TITLE", "apply", "claims", "describe_default", "product"]


def claims(document: Document) -> bool:
    data = document.data
    return isinstance(data, dict) and data.get("apiVersion") == API_VERSION and data.get("kind") == KIND


def apply(documents: list[Document], draft: Draft) -> tuple[Draft, list[Problem]]:
    slos = {(s.name, slo.name): slo for s in draft.services for slo in s.slos}
    policies = _team_policies(draft)
    journeys: list[Journey] = []
    problems: list[Problem] = []
    first: dict[str, Document] = {}
    for document in documents:
        found = validate(document, "journey")
        if found:
            problems.extend(found)
            continue
        name = document.data["name"]  # type: ignore[index]
        if name in first:
            problems.append(document.problem(("name",), f"journey '{name}' is already defined in "
                                             f"{_where(first[name])}; journey names must be unique"))
            continue
        first[name] = document
        journey, found = _journey(document, draft, slos, policies)
        problems.extend(found)
        if journey is not None:
            journeys.append(journey)
    journeys.sort(key=lambda j: j.name)
    return dataclasses.replace(draft, journeys=(*draft.journeys, *journeys)), problems


def product(objectives: list[float]) -> float:
    """The journey's success ratio when each step meets its objective (percent in, percent out)."""
    return round(math.prod(o / 100 for o in objectives) * 100, 10)


def describe_default(journey: Journey, slos: dict[tuple[str, str], Slo]) -> str:
    """`99.5% x 99.9% = 99.4005%`: the product, with its factors."""
    factors = " x ".join(f"{slos[(s.service, s.slo)].objective:g}%" for s in journey.steps
                         if (s.service, s.slo) in slos)
    return f"{factors} = {journey.product:.10g}%"


def _journey(document: Document, draft: Draft, slos: dict[tuple[str, str], Slo],
             policies: dict[str | None, tuple[BudgetPolicy, ...]]) -> tuple[Journey | None, list[Problem]]:
    data: dict[str, Any] = document.data  # type: ignore[assignment]
    problems: list[Problem] = []
    name = data["name"]
    services = {s.name: s for s in draft.services}
    unit = conventions.journey_unit(name)
    if unit in services or conventions.file_name(unit) in {conventions.file_name(s) for s in services}:
        problems.append(document.problem(("name",), f"journey '{name}' and service '{unit}' would share the "
                                         f"rule file {conventions.rule_file(unit)}; rename one"))
    steps: list[SloRef] = []
    step_slos: list[Slo] = []
    invalid = False
    seen: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(data["steps"]):
        at: tuple[str | int, ...] = ("steps", index)
        ref = SloRef(raw["service"], raw["slo"])
        found = _step_problem(ref, services, at)
        if found is not None and _written_but_invalid(ref, draft):
            invalid = True  # its own spec's error says why; the journey waits for it
            continue
        if found is not None:
            problems.append(document.problem(*found))
            continue
        key = (ref.service, ref.slo)
        if key in seen:
            problems.append(document.problem(at, f"{ref.text} is already step {seen[key] + 1}; a journey "
                                             "counts each SLO once (remove this step)"))
            continue
        seen[key] = index
        steps.append(ref)
        step_slos.append(slos[key])
    if problems or invalid or not steps:
        return None, problems
    period = _period(document, data, steps, step_slos, problems)
    if period is None:
        return None, problems
    pairs = policy.default_pairs(period)
    alerting = _alerting(document, data, name, pairs, policies, problems)
    windows = {300} | {w for p in pairs for w in (p.long, p.short)}
    for index, (ref, slo) in enumerate(zip(steps, step_slos, strict=True)):
        missing = sorted(windows - set(slo.windows))
        if missing and not slo.sli.group_by:
            problems.append(document.problem(
                ("steps", index), f"{ref.text} records no error ratio over "
                f"{', '.join(durations.format(w) for w in missing)}, which the journey's alerts read (the "
                f"default windows of {durations.format(period)}); give that SLO the default alert windows"))
    objective_product = product([s.objective for s in step_slos])
    explicit = "objective" in data
    objective = float(data["objective"]) if explicit else objective_product
    if not explicit and objective_product <= 0:
        problems.append(document.problem(("steps",), "the product of the steps' objectives is 0%; "
                                         "set objective"))
    owner = data.get("owner")
    problems.extend(_owner_problems(document, owner, draft))
    journey = Journey(name=name, steps=tuple(steps), objective=objective, period=period, owner=owner,
                      description=data.get("description", ""), objective_explicit=explicit,
                      source=document.path, line=document.line(()), alerting=alerting,
                      product=objective_product)
    if explicit and objective > objective_product + 1e-9:
        problems.append(document.problem(
            ("objective",), f"{objective:g}% is stricter than the steps allow: when every step just meets "
            f"its objective the journey succeeds {describe_default(journey, slos)}, so it would spend "
            f"{(1 - objective_product / 100) / (1 - objective / 100):.3g}x its budget while no step "
            f"spends its own; lower the objective to {objective_product:.10g} or raise the steps'",
            warning=True))
    if any(not p.warning for p in problems):
        return None, problems
    return journey, problems


def _step_problem(ref: SloRef, services: dict[str, Service],
                  at: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str] | None:
    service = services.get(ref.service)
    if service is None:
        close = difflib.get_close_matches(ref.service, list(services), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f"; services: {', '.join(sorted(services)) or 'none'}"
        return at + ("service",), f"no loaded service is named '{ref.service}'{hint}"
    names = [slo.name for slo in service.slos]
    if ref.slo not in names:
        close = difflib.get_close_matches(ref.slo, names, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f"; its SLOs: {', '.join(names) or 'none'}"
        return at + ("slo",), f"service '{ref.service}' has no SLO '{ref.slo}'{hint}"
    return None


def _written_but_invalid(ref: SloRef, draft: Draft) -> bool:
    """Whether a spec writes this SLO although the catalog lacks it: that spec had an error
    (reported by its format), which a second message here would only repeat. Native specs
    (`service`, `slos[].name`) and OpenSLO SLO objects (`spec.service`, `metadata.name`, with
    `-<index>` for several objectives) are looked at; other formats' steps are reported."""
    for document in draft.documents:
        for data in document.data if isinstance(document.data, list) else [document.data]:
            if not isinstance(data, dict):
                continue
            spec, metadata = data.get("spec"), data.get("metadata")
            if data.get("service") == ref.service:
                slos = data.get("slos")
                if isinstance(slos, list) and any(isinstance(s, dict) and s.get("name") == ref.slo for s in slos):
                    return True
            elif isinstance(spec, dict) and spec.get("service") == ref.service and isinstance(metadata, dict):
                name = metadata.get("name")
                if isinstance(name, str) and (ref.slo == name or ref.slo.startswith(f"{name}-")):
                    return True
    return False


def _period(document: Document, data: dict[str, Any], steps: list[SloRef], slos: list[Slo],
            problems: list[Problem]) -> int | None:
    """The steps' one period, which the journey's `period` (when written) must equal."""
    first = slos[0].period
    for index, (ref, slo) in enumerate(zip(steps, slos, strict=True)):
        if slo.period != first:
            problems.append(document.problem(
                ("steps", index), f"{ref.text} has a {slo.period_text} period and {steps[0].text} (step 1) "
                f"{slos[0].period_text}; a journey's steps share one period (its period ratio is the product "
                "of theirs)"))
    if problems:
        return None
    if "period" in data:
        try:
            written = durations.parse(data["period"])
        except durations.DurationError as exc:
            problems.append(document.problem(("period",), str(exc)))
            return None
        if written != first:
            problems.append(document.problem(
                ("period",), f"{durations.format(written)} differs from the steps' period "
                f"{slos[0].period_text}; a journey's period is its steps' (its ratio is built from their "
                "recorded period ratios): remove period or write "
                f"{slos[0].period_text}"))
            return None
    low, high = policy.DEFAULT_PERIOD_RANGE
    if not low <= first <= high:
        problems.append(document.problem(("steps",), f"the steps' period {slos[0].period_text} is outside "
                                         "7d..90d, where the default alert windows apply"))
        return None
    return first


def _alerting(document: Document, data: dict[str, Any], name: str, pairs: tuple[policy.WindowPair, ...],
              policies: dict[str | None, tuple[BudgetPolicy, ...]], problems: list[Problem]) -> Alerting:
    tiers = tuple(Tier(t, conventions.DEFAULT_SEVERITY[t], policy.DEFAULT_FOR[t]) for t in conventions.TIERS)
    if "budget" in data:
        budget, found = budget_policies(document, data["budget"], ("budget",))
        problems.extend(found)
    else:
        owner = data.get("owner")
        budget = policies.get(owner, policies.get(None, ())) if owner else policies.get(None, ())
    # Only the consumed-share entries: a forecast entry (`exhausts_within`) reads a forecast series
    # journeys do not record, so a team policy's forecast entries apply to its SLOs only.
    budget = tuple(p for p in budget if p.consumed is not None)
    return Alerting(conventions.journey_alert_name(name), pairs, tiers, budget=budget,
                    budget_explicit="budget" in data)


def _team_policies(draft: Draft) -> dict[str | None, tuple[BudgetPolicy, ...]]:
    """Each team's BudgetPolicy (None: the default policy); their problems are the budget
    policy overlay's to report."""
    from sloforge.load.overlays import budget_policy

    documents = [d for d in draft.documents if budget_policy.claims(d)]
    if not documents:
        return {}
    policies, found = budget_policy.policies_from(documents)
    if any(not p.warning for p in found):
        return {}
    out: dict[str | None, tuple[BudgetPolicy, ...]] = {}
    for team_policy in policies:
        for team in team_policy.teams or (None,):
            out[team] = team_policy.budget
    return out


def _owner_problems(document: Document, owner: str | None, draft: Draft) -> list[Problem]:
    """As a service's owner (load/overlays/routing.py): a team of the routing spec, when there is one."""
    routing = draft.routing
    if routing is None:
        return []
    teams = [t.name for t in routing.teams]
    if owner is None:
        return [document.problem(("name",), f"journey has no owner: its alerts carry no team label and reach "
                                 f"no sloforge receiver; set owner to one of {', '.join(teams)}", warning=True)]
    if routing.team(owner) is None:
        close = difflib.get_close_matches(owner, teams, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f"; teams: {', '.join(teams)}"
        return [document.problem(("owner",), f"team '{owner}' is not defined in the routing spec{hint}")]
    return []


def _where(document: Document) -> str:
    line = document.line(())
    return document.path if line is None else f"{document.path}:{line}"
