"""One Grafana dashboard per service (pure: model -> panels.Dashboard).

Every query reads only recorded series of the contract (conventions.py, the
names the recording rules are written with) plus Prometheus' own ALERTS, so
the dashboard cannot drift from the rules. Layout, top to bottom:

    summary   budget remaining | burn rate now | SLI over period | alert state   (all SLOs)
    per SLO   a row: objective | SLI 5m | SLI period | budget left | runs out in | burn rate | alerts
              SLI vs objective | burn rate per alert window | budget consumed over time

The summary puts every SLO's key numbers above the fold; `$slo` filters every panel.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.dashboards.panels import Dashboard, Grid, Link, Mapping, Panel, Query, Row, Step, Variable
from sloforge.model.catalog import Service, Slo

BASE = durations.format(c.BASE_WINDOW_SECONDS)
PERCENT = "percentunit"
TIMES = "suffix:×"  # burn rate: multiples of the sustainable error rate
TIME_RANGE = "now-7d"
REFRESH = "1m"  # the rules evaluate every GROUP_INTERVAL
SLO_VARIABLE = "slo"
TIER_COLOR = {"page": "red", "ticket": "orange"}
# Budget-remaining zones when a spec defines no budget policy (consumed 50/75/100%).
DEFAULT_CONSUMED = (0.5, 0.75, 1.0)

STAT_H, GRAPH_H = 5, 8
# The seven stats of an SLO's row: narrow for the objective, the burn rate and the alert state.
STAT_W = (3, 3, 4, 4, 4, 3, 3)
STAT_X = tuple(sum(STAT_W[:i]) for i in range(len(STAT_W)))
SECONDS = "s"
NOT_AT_THIS_BURN = "not at this burn"
# Forecast colours when a spec has no exhausts_within policy: red within a day, orange within three.
DEFAULT_HORIZONS = ((86400, "page"), (3 * 86400, "ticket"))
ALERT_STATE = (Mapping("0", "OK", "green"), Mapping("1", "ticket", "orange"), Mapping("2", "page", "red"))


# Window lengths in seconds -> "5m", "1h": a few distinct values read by every SLO.
_duration = lru_cache(maxsize=64)(durations.format)


def matchers(service: str, slo: str | None = None, window: str | None = None,
             slo_variable: str = SLO_VARIABLE) -> str:
    """`{slo_service="x", slo_name="y", slo_name=~"$slo", slo_window="1h"}`."""
    parts = [f'{c.LABEL_SERVICE}="{service}"']
    if slo is not None:
        parts.append(f'{c.LABEL_SLO}="{slo}"')
    if slo_variable:
        parts.append(f'{c.LABEL_SLO}=~"${slo_variable}"')
    if window is not None:
        parts.append(f'{c.LABEL_WINDOW}="{window}"')
    return "{" + ", ".join(parts) + "}"


def alert_state_expr(sel_alerts: str, sel_objective: str, by: str) -> str:
    """2 when a page fires, 1 when only a ticket fires, 0 otherwise (never empty)."""
    def alerts(tier: str) -> str:
        return f'ALERTS{{{sel_alerts}, alertstate="firing", {c.LABEL_TIER}="{tier}"}}'

    return (f"max by ({by}) ({alerts('page')} * 2 or {alerts('ticket')}"
            f" or {c.OBJECTIVE}{{{sel_objective}}} * 0)")


def period_sli_expr(sel: str) -> str:
    """SLI over each SLO's own period, uniform across periods: 1 - burn x budget."""
    return f"1 - {c.PERIOD_BURN_RATE}{sel} * ignoring ({c.LABEL_WINDOW}) {c.ERROR_BUDGET}{sel}"


def remaining_steps(consumed: tuple[float, ...] = DEFAULT_CONSUMED) -> tuple[Step, ...]:
    """Budget remaining coloured like the budget-policy zones: green above the
    first policy level (50% left by default), orange/red below the next ones,
    dark red once the budget is spent."""
    levels = sorted({round(1 - x, 6) for x in consumed})  # remaining, ascending
    colors = ["green"] + _middle(len(levels) - 1) + ["dark-red" if levels[0] <= 0 else "red"]
    colors.reverse()  # lowest zone first
    return (Step(None, colors[0]),) + tuple(Step(v, col) for v, col in zip(levels, colors[1:], strict=False))


def _middle(n: int) -> list[str]:
    return ["orange", "red"][:n] if n <= 2 else (["yellow"] * (n - 2) + ["orange", "red"] if n else [])


def burn_steps(slo: Slo) -> tuple[Step, ...]:
    """The alert tiers' burn-rate factors, coloured by tier (page wins a tie)."""
    by_value: dict[float, str] = {}
    for tier in reversed(c.TIERS):
        for pair in slo.alerting.active_pairs(tier):
            by_value[round(pair.factor, 4)] = TIER_COLOR[tier]
    return (Step(None, "green"),) + tuple(Step(v, by_value[v]) for v in sorted(by_value))


def consumed_steps(slo: Slo) -> tuple[Step, ...]:
    policy = {round(p.consumed, 6): TIER_COLOR[p.tier] for p in slo.alerting.budget if p.consumed is not None}
    if not policy:
        policy = {x: color for x, color in zip(DEFAULT_CONSUMED, ("yellow", "orange", "red"), strict=False)}
    return (Step(None, "green"),) + tuple(Step(v, policy[v]) for v in sorted(policy))


def exhaustion_steps(slo: Slo) -> tuple[Step, ...]:
    """Time left coloured by the policy's forecast horizons: red (page) or orange (ticket) below
    each, green above the longest; a horizon of both tiers is red."""
    horizons = [(p.exhausts_within or 0, p.tier) for p in slo.alerting.exhaustion_policies()] or DEFAULT_HORIZONS
    color: dict[float, str] = {}
    for seconds, tier in sorted(horizons, key=lambda h: h[1] == "page"):
        color[float(seconds)] = TIER_COLOR[tier]
    levels = sorted(color)
    return ((Step(None, color[levels[0]]),) + tuple(Step(v, color[n]) for v, n in zip(levels, levels[1:], strict=False))
            + (Step(levels[-1], "green"),))


def objective_steps(slo: Slo) -> tuple[Step, ...]:
    return (Step(None, "red"), Step(slo.target, "green"))


def service_dashboard(service: Service) -> Dashboard:
    items: list[Panel | Row] = list(summary(service))
    y = STAT_H
    for slo in service.slos:
        row, y = slo_row(slo, y)
        items.extend(row)
    owner = f" (team {service.owner})" if service.owner else ""
    links = [Link("SLO overview", f"/d/{c.OVERVIEW_DASHBOARD_UID}", new_tab=False)]
    links += [Link(f"Runbook: {s.name}", s.runbook_url) for s in service.slos if s.runbook_url]
    return Dashboard(
        uid=c.dashboard_uid(service.name),
        title=f"SLO / {service.name}",
        description=(f"Service level objectives of {service.name}{owner}. Generated by sloforge "
                     f"from {service.source}; edit the spec, not this dashboard."),
        tags=("sloforge", "slo", f"service:{service.name}"),
        time_from=TIME_RANGE, refresh=REFRESH,
        variables=(Variable(SLO_VARIABLE, "SLO",
                            f'label_values({c.INFO}{{{c.LABEL_SERVICE}="{service.name}"}}, {c.LABEL_SLO})'),),
        items=tuple(items), links=tuple(dict.fromkeys(links)))


def summary(service: Service) -> list[Panel]:
    sel = matchers(service.name)
    inner = sel[1:-1]
    legend = "{{" + c.LABEL_SLO + "}}"
    pages = [p.factor for s in service.slos for p in s.alerting.active_pairs("page")]
    width = 6
    return [
        Panel("stat", "Error budget remaining", Grid(0, 0, width, STAT_H),
              (Query(f"{c.PERIOD_BUDGET_REMAINING}{sel}", legend),), unit=PERCENT, decimals=1,
              steps=remaining_steps(),
              description="Share of each SLO's error budget left over its period. "
                          "Green above 50%, orange above 25%, red above 0%, dark red when spent."),
        Panel("stat", "Burn rate now (5m)", Grid(width, 0, width, STAT_H),
              (Query(f"{c.CURRENT_BURN_RATE}{sel}", legend),), unit=TIMES, decimals=2,
              steps=(Step(None, "green"), Step(1, "orange"), Step(round(min(pages, default=10), 4), "red")),
              description="Error ratio over the last 5m divided by the error budget: above 1× the budget "
                          "runs out before the period ends; red at the lowest paging factor."),
        Panel("stat", "SLI over the SLO period", Grid(2 * width, 0, width, STAT_H),
              (Query(period_sli_expr(sel), legend),), unit=PERCENT, decimals=3,
              steps=(Step(None, "blue"),),
              description="Good events (or good time) over each SLO's whole period."),
        Panel("stat", "Firing alerts", Grid(3 * width, 0, width, STAT_H),
              (Query(alert_state_expr(inner, inner, c.LABEL_SLO), legend),),
              mappings=ALERT_STATE, steps=(Step(None, "green"),),
              description="Highest tier of the SLO's firing alerts (ALERTS): page, ticket or OK."),
    ]


def slo_row(slo: Slo, y: int) -> tuple[list[Panel | Row], int]:
    period = _duration(slo.period)
    sel = matchers(slo.service, slo.name)
    sel_base = matchers(slo.service, slo.name, BASE)
    sel_period = matchers(slo.service, slo.name, period)
    about = f"{slo.description.strip()} " if slo.description.strip() else ""
    about += f"Objective {slo.objective:g}% over a rolling {period} ({slo.sli.kind} SLI)."
    links = (Link("Runbook", slo.runbook_url),) if slo.runbook_url else ()
    title = f"{slo.name}: {slo.objective:g}% over {period}"
    stats_y, graphs_y = y + 1, y + 1 + STAT_H
    consumed = tuple(p.consumed for p in slo.alerting.budget if p.consumed is not None) or DEFAULT_CONSUMED
    objective, burn = objective_steps(slo), burn_steps(slo)  # each shared by two panels

    def stat(i: int, title: str, expr: str, instant: bool = False, **kw: Any) -> Panel:
        return Panel("stat", title, Grid(STAT_X[i], stats_y, STAT_W[i], STAT_H), (Query(expr, instant=instant),),
                     **kw)

    items: list[Panel | Row] = [
        Row(title, y),
        stat(0, "Objective", f"{c.OBJECTIVE}{sel}", unit=PERCENT, decimals=3,
             steps=(Step(None, "blue"),), description=about, links=links),
        stat(1, "SLI now (5m)", f"1 - {c.error_ratio(BASE)}{sel_base}", unit=PERCENT, decimals=3,
             steps=objective, description="Good share over the last 5 minutes; red below "
             "the objective.", links=links),
        stat(2, f"SLI over {period}", f"1 - {c.error_ratio(period)}{sel_period}", unit=PERCENT,
             decimals=3, steps=objective, description=f"Good share over the rolling {period}."),
        stat(3, "Error budget remaining", f"{c.PERIOD_BUDGET_REMAINING}{sel_period}", unit=PERCENT,
             decimals=1, steps=remaining_steps(consumed),
             description="Budget left over the period; zones follow the spec's budget policy."),
        stat(4, "Budget runs out in", f"{c.PERIOD_BUDGET_EXHAUSTION}{sel_period}", instant=True, unit=SECONDS,
             decimals=1,
             steps=exhaustion_steps(slo), mappings=(Mapping("0", "out", "dark-red"),), no_value=NOT_AT_THIS_BURN,
             description="The earliest the period's budget can run out if the last day's burn rate holds "
                         f"(R x {period} / b); '{NOT_AT_THIS_BURN}' when that burn cannot exhaust what is left "
                         "(or there is no data), 'out' once it is spent. Red/orange: the budget policy's "
                         "exhausts_within horizons (page/ticket), else 1d and 3d."),
        stat(5, "Burn rate now (5m)", f"{c.CURRENT_BURN_RATE}{sel_base}", unit=TIMES, decimals=2,
             steps=burn, description="Orange/red from the lowest ticket/page burn factor."),
        stat(6, "Alert state", alert_state_expr(sel[1:-1], sel[1:-1], c.LABEL_SLO),
             mappings=ALERT_STATE, steps=(Step(None, "green"),),
             description="Highest tier of this SLO's firing alerts.", links=links),
    ]
    items.extend(slo_graphs(slo, graphs_y, period, sel, burn))
    return items, graphs_y + GRAPH_H


def slo_graphs(slo: Slo, y: int, period: str, sel: str, burn_thresholds: tuple[Step, ...]) -> list[Panel]:
    """`period`, `sel` and `burn_thresholds`: slo_row's, computed once per SLO."""
    windows = [_duration(w) for w in slo.windows if w != slo.period]
    sli = [Query(f"1 - {c.error_ratio(BASE)}{matchers(slo.service, slo.name, BASE)}", f"SLI ({BASE})")]
    if "1h" in windows:
        sli.append(Query(f"1 - {c.error_ratio('1h')}{matchers(slo.service, slo.name, '1h')}", "SLI (1h)"))
    sli.append(Query(f"{c.OBJECTIVE}{sel}", "objective"))
    burn = tuple(Query(f"{c.error_ratio(w)}{matchers(slo.service, slo.name, w)}"
                       f" / ignoring ({c.LABEL_WINDOW}) {c.ERROR_BUDGET}{sel}", w) for w in windows)
    thresholds = ", ".join(f"{s.value:g}×" for s in burn_thresholds[1:])
    return [
        Panel("timeseries", "SLI vs objective", Grid(0, y, 8, GRAPH_H), tuple(sli), unit=PERCENT,
              decimals=3, dashed=("objective",), description="Good share over 5m (and 1h) against "
              "the objective (dashed)."),
        Panel("timeseries", "Burn rate per alert window", Grid(8, y, 8, GRAPH_H), burn, unit=TIMES,
              decimals=2, steps=burn_thresholds, threshold_style="dashed",
              description=("Error ratio per window / error budget. Dashed lines: the alert "
                           f"thresholds ({thresholds or 'alerting disabled'}); orange = ticket, "
                           "red = page. A tier fires when its long and short window are both above.")),
        Panel("timeseries", f"Error budget consumed ({period})", Grid(16, y, 8, GRAPH_H),
              (Query(f"{c.PERIOD_BURN_RATE}{matchers(slo.service, slo.name, period)}", "consumed"),),
              unit=PERCENT, decimals=1, steps=consumed_steps(slo), threshold_style="dashed",
              description="Share of the period's error budget spent; dashed lines are the budget "
                          "policy levels."),
    ]
