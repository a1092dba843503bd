"""`kind: BudgetPolicy` documents: a team's or the org's default error-budget policy.

    apiVersion: sloforge/v1
    kind: BudgetPolicy
    name: payments
    teams: [payments]          # or `default: true` for every other team
    budget:
      - {consumed: 50%, severity: ticket, action: review recent changes}
      - {consumed: 100%, severity: page, action: deployment freeze; open an incident}

A policy applies to every SLO whose service `owner` is one of its teams (or, for
the default policy, to SLOs of teams without a policy of their own, including
SLOs with no owner) and whose spec does not write `alerting.budget` itself; an
explicit `budget: []` opts an SLO out. A team policy wins over the default one.

Policies carry no services: they are an overlay (load/base.py), applied once every
format has produced its services.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sloforge.errors import Problem
from sloforge.load.base import Draft
from sloforge.load.budget_items import budget_policies
from sloforge.load.documents import Document
from sloforge.model.catalog import BudgetPolicy, Service, Slo
from sloforge.schema.validate import validate

API_VERSION = "sloforge/v1"
KIND = "BudgetPolicy"
NAME = "sloforge/v1 BudgetPolicy"
EXPECTED = "apiVersion: sloforge/v1, kind: BudgetPolicy"
TITLE = "sloforge"
API_GROUPS = ("sloforge",)

__all__ = ["API_GROUPS", "EXPECTED", "NAME", "TITLE", "apply", "claims"]


@dataclass(frozen=True, slots=True)
class TeamPolicy:
    name: str
    teams: tuple[str, ...]  # empty for the default policy
    budget: tuple[BudgetPolicy, ...]
    document: Document

    @property
    def is_default(self) -> bool:
        return not self.teams


def claims(document: Document) -> bool:
    data = document.data
    return isinstance(data, dict) and data.get("apiVersion") == API_VERSION and data.get("kind") == KIND


def apply(documents: list[Document], draft: Draft) -> tuple[Draft, list[Problem]]:
    """Apply the policies to every SLO that does not set its own budget policy."""
    policies, problems = policies_from(documents)
    if any(not p.warning for p in problems):
        return draft, problems
    problems.extend(_unused_teams(policies, draft.services))
    by_team = {team: policy for policy in policies for team in policy.teams}
    default = next((p for p in policies if p.is_default), None)
    out = []
    for service in draft.services:
        slos = tuple(_apply(slo, by_team.get(service.owner or "", default)) for slo in service.slos)
        out.append(dataclasses.replace(service, slos=slos))
    return dataclasses.replace(draft, services=out), problems


def policies_from(documents: list[Document]) -> tuple[list[TeamPolicy], list[Problem]]:
    policies: list[TeamPolicy] = []
    problems: list[Problem] = []
    owner_of: dict[str, TeamPolicy] = {}
    default: TeamPolicy | None = None
    for document in documents:
        found = validate(document, "budget_policy")
        data: dict = document.data  # type: ignore[assignment]
        if not found and ("teams" in data) == ("default" in data):
            found = [document.problem((), "give exactly one of teams (a list of owners) or default: true")]
        if found:
            problems.extend(found)
            continue
        budget, found = budget_policies(document, data["budget"], ("budget",))
        problems.extend(found)
        policy = TeamPolicy(data["name"], tuple(data.get("teams", ())), budget, document)
        for index, team in enumerate(policy.teams):
            if team in owner_of:
                other = owner_of[team]
                problems.append(document.problem(("teams", index), f"team '{team}' already has the budget "
                                                 f"policy '{other.name}' ({_where(other)}); one per team"))
            owner_of[team] = policy
        if policy.is_default:
            if default is not None:
                problems.append(document.problem(("default",), f"the default budget policy is already "
                                                 f"'{default.name}' ({_where(default)}); keep one"))
            default = policy
        policies.append(policy)
    return policies, problems


def _apply(slo: Slo, policy: TeamPolicy | None) -> Slo:
    if policy is None or slo.alerting.budget_explicit:
        return slo
    return dataclasses.replace(slo, alerting=dataclasses.replace(slo.alerting, budget=policy.budget))


def _unused_teams(policies: list[TeamPolicy], services: list[Service]) -> list[Problem]:
    """A team no SLO is owned by is most often a typo in either file."""
    owners = sorted({s.owner for s in services if s.owner})
    problems = []
    for policy in policies:
        for index, team in enumerate(policy.teams):
            if team not in owners:
                known = ", ".join(owners) or "none"
                problems.append(policy.document.problem(
                    ("teams", index), f"no loaded SLO is owned by team '{team}' (owners: {known})",
                    warning=True))
    return problems


def _where(policy: TeamPolicy) -> str:
    line = policy.document.line(())
    return policy.document.path if line is None else f"{policy.document.path}:{line}"
