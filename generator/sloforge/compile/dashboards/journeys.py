"""A row per user journey on the overview dashboard (pure: catalog -> panels).

    row       journey <name>: <objective>% over <period>
    stats     objective | success over the period | budget remaining | burn rate now | alerts
    graphs    burn rate per step (1h): the journey's, and what each step alone would burn
              | error budget consumed over the period

A step's contribution is its own 1h error ratio over the *journey's* budget: the burn
the journey would see if that step were the only one failing. The contributions add
up to a little more than the journey's burn (the product counts a request two steps
failed once), so the largest line is the step to look at first.
"""

from __future__ import annotations

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.dashboards.panels import Grid, Panel, Query, Row, Step
from sloforge.compile.dashboards.service import (
    ALERT_STATE,
    GRAPH_H,
    PERCENT,
    STAT_H,
    TIER_COLOR,
    TIMES,
    remaining_steps,
)
from sloforge.compile.rules.journeys import step_ratio, steps_of
from sloforge.model.catalog import Catalog
from sloforge.model.journey import Journey

WINDOW = 3600  # the contribution graph's window: a page tier's long window


def journey_rows(catalog: Catalog, y: int) -> list[Panel | Row]:
    items: list[Panel | Row] = []
    for journey in catalog.journeys:
        rows, y = journey_row(journey, catalog, y)
        items.extend(rows)
    return items


def _sel(journey: Journey, window: int | None = None) -> str:
    parts = [c.journey_selector(journey.name)]
    if window is not None:
        parts.append(f'{c.LABEL_WINDOW}="{durations.format(window)}"')
    return "{" + ", ".join(parts) + "}"


def journey_row(journey: Journey, catalog: Catalog, y: int) -> tuple[list[Panel | Row], int]:
    period = journey.period_text
    steps = steps_of(journey, catalog)
    names = ", ".join(s.text for s in journey.steps)
    about = f"{journey.description.strip()} " if journey.description.strip() else ""
    about += (f"Objective {journey.objective:.10g}% over a rolling {period}: every step of {names} "
              "succeeds" + ("" if journey.objective_explicit else " (the product of the steps' objectives)") + ".")
    alerting = journey.alerting
    consumed = tuple(p.consumed for p in alerting.budget if p.consumed is not None) if alerting else ()
    factors: dict[float, str] = {}
    for tier in reversed(c.TIERS):
        for pair in alerting.active_pairs(tier) if alerting else ():
            factors[round(pair.factor, 4)] = TIER_COLOR[tier]
    burn_steps = (Step(None, "green"),) + tuple(Step(v, factors[v]) for v in sorted(factors))
    stats_y, graphs_y, w = y + 1, y + 1 + STAT_H, 24 // 5
    sel, sel_base, sel_period = _sel(journey), _sel(journey, c.BASE_WINDOW_SECONDS), _sel(journey, journey.period)
    objective = (Step(None, "red"), Step(journey.target, "green"))

    def stat(i: int, title: str, expr: str, **kw: object) -> Panel:
        width = w if i < 4 else 24 - 4 * w
        return Panel("stat", title, Grid(i * w, stats_y, width, STAT_H), (Query(expr),), **kw)  # type: ignore[arg-type]

    def alerts(tier: str) -> str:
        return f'ALERTS{{{sel[1:-1]}, alertstate="firing", {c.LABEL_TIER}="{tier}"}}'

    state = (f"max by ({c.LABEL_JOURNEY}) ({alerts('page')} * 2 or {alerts('ticket')}"
             f" or {c.JOURNEY_OBJECTIVE}{sel} * 0)")
    budget = durations.format(WINDOW)
    contributions = [Query(f"{c.journey_error_ratio(budget)}{_sel(journey, WINDOW)} / "
                           f"ignoring ({c.LABEL_WINDOW}) {c.JOURNEY_ERROR_BUDGET}{sel}", "journey")]
    contributions += [Query(f"{step_ratio(slo, WINDOW)} / {journey.error_budget!r}", ref.text)
                      for ref, slo in zip(journey.steps, steps, strict=True)]
    items: list[Panel | Row] = [
        Row(f"journey {journey.name}: {journey.objective:.10g}% over {period}", y),
        stat(0, "Objective", f"{c.JOURNEY_OBJECTIVE}{sel}", unit=PERCENT, decimals=3,
             steps=(Step(None, "blue"),), description=about),
        stat(1, f"Success over {period}", f"1 - {c.journey_error_ratio(period)}{sel_period}", unit=PERCENT,
             decimals=3, steps=objective, description=f"Share of journeys whose every step succeeded over the "
             f"rolling {period}: the product of the steps' success."),
        stat(2, "Error budget remaining", f"{c.JOURNEY_PERIOD_BUDGET_REMAINING}{sel_period}", unit=PERCENT,
             decimals=1, steps=remaining_steps(consumed or (0.5, 0.75, 1.0)),
             description="The journey's budget left over the period."),
        stat(3, "Burn rate now (5m)", f"{c.JOURNEY_CURRENT_BURN_RATE}{sel_base}", unit=TIMES, decimals=2,
             steps=burn_steps, description="Orange/red from the lowest ticket/page burn factor."),
        stat(4, "Alert state", state, mappings=ALERT_STATE, steps=(Step(None, "green"),),
             description="Highest tier of this journey's firing alerts."),
        Panel("timeseries", f"Burn rate per step ({budget})", Grid(0, graphs_y, 16, GRAPH_H),
              tuple(contributions), unit=TIMES, decimals=2, steps=burn_steps, threshold_style="dashed",
              description=f"The journey's {budget} burn rate, and each step's: its own {budget} error ratio "
              f"over the journey's budget ({journey.error_budget * 100:.4g}%), the burn the journey would "
              "see were that step the only one failing. Dashed lines: the alert thresholds."),
        Panel("timeseries", f"Error budget consumed ({period})", Grid(16, graphs_y, 8, GRAPH_H),
              (Query(f"{c.JOURNEY_PERIOD_BURN_RATE}{sel_period}", "consumed"),), unit=PERCENT, decimals=1,
              steps=(Step(None, "green"),) + tuple(Step(round(x, 6), "red") for x in sorted(set(consumed))),
              threshold_style="dashed", description="Share of the journey's period budget spent; dashed "
              "lines are its budget policy levels."),
    ]
    return items, graphs_y + GRAPH_H
