"""Checks that need the whole catalog: dependencies between services, overdue reviews.

Run on the loaded services (cached ones included: a cached spec is not read again,
so everything here comes from the model, with the lines the reader kept there).

* A dependency must name a service of the catalog, and an SLO of it when it names one
  (errors, located at the dependency).
* A service cannot promise more than its hard dependencies give: when every request
  needs each hard dependency, its success ratio is at most their product. A warning
  gives the numbers (99.9% x 99.95% = 99.85% < 99.9%).
* `review: {every, last}`: a warning once `last + every` is before today (injectable:
  `LoadOptions.today`, else the `SLOFORGE_TODAY` environment variable, else the calendar).
"""

from __future__ import annotations

import datetime
import difflib
import math
import os

from sloforge import durations
from sloforge.errors import Problem, UsageError
from sloforge.model.catalog import Service, Slo
from sloforge.model.journey import Dependency

TODAY_VARIABLE = "SLOFORGE_TODAY"


def dependency_problems(services: list[Service]) -> list[Problem]:
    by_name = {s.name: s for s in services}
    problems = []
    for service in services:
        usable = True
        for index, dependency in enumerate(service.dependencies):
            problem = _unknown(service, index, dependency, by_name)
            if problem is not None:
                problems.append(problem)
                usable = False
        if usable:
            problems.extend(_over_promised(service, by_name))
    return problems


def dependency_objective(dependency: Dependency, slo: Slo, by_name: dict[str, Service]) -> Slo:
    """The SLO of the dependency that bounds `slo`: the one it names; else the dependency's SLO
    of the same name (availability bounds availability); else its most generous one, so that
    a warning is only given when no reading of the dependency allows the objective."""
    target = by_name[dependency.service]
    if dependency.slo is not None:
        return next(s for s in target.slos if s.name == dependency.slo)
    same = next((s for s in target.slos if s.name == slo.name), None)
    return same or max(target.slos, key=lambda s: s.objective)


def allowed(slo: Slo, service: Service, by_name: dict[str, Service]) -> tuple[float, list[Slo]]:
    """(the highest objective in percent the hard dependencies allow, the SLOs that bound it)."""
    bounding = [dependency_objective(d, slo, by_name) for d in service.dependencies
                if d.kind == "hard" and by_name[d.service].slos]
    return 100 * math.prod(s.target for s in bounding), bounding


def _unknown(service: Service, index: int, dependency: Dependency,
             by_name: dict[str, Service]) -> Problem | None:
    at = f"dependencies[{index}]"
    target = by_name.get(dependency.service)
    if target is None:
        return Problem(service.source, dependency.line, f"{at}.service",
                       f"unknown service '{dependency.service}': a dependency names a service of the specs "
                       f"being read{_hint(dependency.service, list(by_name))}")
    if dependency.slo is not None and all(s.name != dependency.slo for s in target.slos):
        names = [s.name for s in target.slos]
        hint = _hint(dependency.slo, names) or "; its SLOs: " + (", ".join(names) or "none")
        return Problem(service.source, dependency.line, f"{at}.slo",
                       f"service '{target.name}' has no SLO '{dependency.slo}'{hint}")
    return None


def _over_promised(service: Service, by_name: dict[str, Service]) -> list[Problem]:
    hard = [(i, d) for i, d in enumerate(service.dependencies) if d.kind == "hard"]
    if not hard:
        return []
    index, first = hard[0]
    problems = []
    for slo in service.slos:
        limit, bounding = allowed(slo, service, by_name)
        if not bounding or slo.objective <= limit + 1e-9:
            continue
        product = " x ".join(f"{s.service}/{s.name} {s.objective:g}%" for s in bounding)
        problems.append(Problem(
            service.source, first.line, "dependencies",
            f"SLO '{slo.name}' promises {slo.objective:g}%, more than its hard dependencies allow: "
            f"{product} = {_percent(limit)}; lower the objective, raise "
            "theirs, or mark a dependency soft if this service works without it", warning=True))
    return problems


def review_problems(services: list[Service], today: datetime.date | None = None) -> list[Problem]:
    today = today or current_date()
    problems = []
    for service in services:
        due = next_review(service)
        if due is not None and due < today:
            problems.append(Problem(
                service.source, service.review_line, "review",
                f"the review of service '{service.name}' is overdue since {due.isoformat()} "
                f"(last {service.review_last}, every {durations.format(service.review_every or 0)}); "
                "review its SLOs and set review.last to the review's date", warning=True))
    return problems


def next_review(service: Service) -> datetime.date | None:
    """`review.last + review.every` (whole days), None without both."""
    if service.review_last is None or service.review_every is None:
        return None
    return datetime.date.fromisoformat(service.review_last) + datetime.timedelta(seconds=service.review_every)


def current_date() -> datetime.date:
    """Today in UTC, or the date in SLOFORGE_TODAY (tests, and reproducing a CI run later)."""
    fixed = os.environ.get(TODAY_VARIABLE)
    if fixed:
        try:
            return datetime.date.fromisoformat(fixed)
        except ValueError:
            raise UsageError(f"{TODAY_VARIABLE}={fixed!r} is not a date; write it like 2026-10-01") from None
    return datetime.datetime.now(datetime.UTC).date()


def _percent(value: float) -> str:
    return f"{round(value, 6):.12g}%"


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
