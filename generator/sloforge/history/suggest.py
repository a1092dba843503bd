"""`sloforge suggest`: the objective a service has actually met, from its own history.

Measure first, then promise: for each SLO (and group), the SLI achieved in every rolling
period inside the range (one per whole hour, as the period ratio is recorded), and the
highest objective that, replayed by the backtest engine over the same data,

* never ran out of budget: the period's error ratio stayed below 1 - objective in every
  rolling period (budget remaining above 0), and
* paged at most N times a month under the generated alert policy (windows, factors,
  `for:`, guards and budget policy of that objective).

Objectives are searched on a 0.001% grid by bisection: pages fall as the objective falls
(higher thresholds, a larger budget), except that a long alert can split in two when a
higher threshold cuts it; the found objective is checked by replaying it once more. The
"usual" suggestion is the highest of the objectives people write (99.9, 99.5 ...) that
meets both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from sloforge.conventions import PERIOD_STEP_SECONDS
from sloforge.errors import SloforgeError
from sloforge.history import rates
from sloforge.history.rates import GroupRates, Progress
from sloforge.history.replay import Replay, alert_firings
from sloforge.model.catalog import Slo
from sloforge.prometheus_api import Client

MONTH = 30 * 86400
GRID = 1000  # objectives in thousandths of a percent
LOWEST = 50.0  # below this an "objective" says nothing a person would promise
USUAL = (99.999, 99.995, 99.99, 99.95, 99.9, 99.8, 99.75, 99.5, 99.0, 98.5, 98.0, 97.5, 97.0, 96.0, 95.0,
         90.0, 85.0, 80.0, 75.0, 50.0)


@dataclass(frozen=True, slots=True)
class Suggestion:
    service: str
    slo: str
    labels: dict[str, str]
    objective: float  # the spec's, percent
    periods: int  # rolling periods measured (one per whole hour)
    worst_sli: float | None  # 0..1, over the rolling periods
    median_sli: float | None
    exhausted_periods: int  # rolling periods in which the spec's objective ran out of budget
    pages_per_month: float  # at the spec's objective
    budget_bound: float | None  # highest objective that never ran out of budget (percent)
    highest: float | None  # highest objective meeting both conditions (percent, 0.001 grid)
    binding: str  # "budget" | "pages" | "none": which condition set `highest`
    usual: float | None  # the highest usual objective meeting both
    usual_pages_per_month: float | None


def rolling_ratios(slo: Slo, rates: GroupRates, start: int, end: int) -> np.ndarray:
    """The period error ratio at every whole hour t with the whole period (t - period, t] in range."""
    hour = PERIOD_STEP_SECONDS
    first = -(-(start + slo.period) // hour) * hour
    times = np.arange(first, end + 1, hour, dtype=np.int64)
    if len(times) == 0:
        return np.zeros(0)
    r = Replay(slo, rates)
    return r.period_ratio(r.index(times))


def pages_per_month(slo: Slo, rates: GroupRates, start: int, end: int) -> float:
    count = len(alert_firings(Replay(slo, rates), start, end, tier="page"))
    return count * MONTH / (end - start)


def _at(slo: Slo, thousandths: int) -> Slo:
    return replace(slo, objective=thousandths / GRID)


def suggest(slo: Slo, rates: GroupRates, start: int, end: int, max_pages: float) -> Suggestion:
    ratios = rolling_ratios(slo, rates, start, end)
    measured = ratios[~np.isnan(ratios)]
    worst = float(1 - measured.max()) if measured.size else None
    median = float(1 - np.median(measured)) if measured.size else None
    exhausted = int(np.count_nonzero(measured >= slo.error_budget)) if measured.size else 0
    spec_pages = pages_per_month(slo, rates, start, end)
    if worst is None:
        return Suggestion(slo.service, slo.name, dict(rates.labels), slo.objective, 0, None, None, 0, spec_pages,
                          None, None, "none", None, None)

    def meets_budget(thousandths: int) -> bool:
        return bool(np.all(measured < 1 - thousandths / GRID / 100))

    # The budget bound: the grid point just under the worst period's SLI (strictly: remaining > 0).
    bound = math.floor(worst * 100 * GRID + 1e-9)
    while bound > 0 and not meets_budget(bound):
        bound -= 1
    lowest = int(LOWEST * GRID)
    budget_bound = bound / GRID if bound >= lowest else None

    def meets_pages(thousandths: int) -> bool:
        return pages_per_month(_at(slo, thousandths), rates, start, end) <= max_pages

    highest: int | None = None
    binding = "budget"
    if budget_bound is not None:
        if meets_pages(bound):
            highest = bound
        elif meets_pages(lowest):
            binding = "pages"
            low, high = lowest, bound  # meets at low, fails at high
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if meets_pages(middle) else (low, middle)
            highest = low
    usual = next((u for u in USUAL if highest is not None and u * GRID <= highest + 1e-9
                  and meets_pages(round(u * GRID))), None)
    usual_pages = pages_per_month(_at(slo, round(usual * GRID)), rates, start, end) if usual is not None else None
    return Suggestion(slo.service, slo.name, dict(rates.labels), slo.objective, int(measured.size), worst, median,
                      exhausted, spec_pages, budget_bound, None if highest is None else highest / GRID,
                      binding if highest is not None else "none", usual, usual_pages)


def run(slos: list[Slo], client: Client, start: int, end: int, max_pages: float,
        progress: Progress | None = None) -> tuple[list[Suggestion], list[str]]:
    """Every SLO's suggestions; one line per SLO that could not be measured."""
    out: list[Suggestion] = []
    problems: list[str] = []
    for slo in slos:
        name = f"{slo.service}/{slo.name}"
        if end - start < slo.period:
            problems.append(f"{name}: the range is shorter than its period ({slo.period_text}): a rolling "
                            f"period needs --range of at least {slo.period_text} (90d gives a quarter of them)")
            continue
        try:
            groups = rates.fetch(client, slo, start, end, progress)
        except SloforgeError as exc:
            problems.append(f"{name}: {exc}")
            continue
        found = [suggest(slo, g, start, end, max_pages) for g in groups]
        measured = [s for s in found if s.periods]
        if not measured:
            problems.append(f"{name}: no data: its SLI queries returned nothing over the range")
        out.extend(measured)
    return out, problems
