"""The `sloforge report` table (Rich), rendered to text."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from sloforge.report.numbers import burn, percent, runs_out
from sloforge.report.status import Status

ZONE_STYLE = {"healthy": "green", "concerning": "yellow", "critical": "red", "exhausted": "bold red",
              "no data": "dim"}


def table_text(statuses: list[Status]) -> str:
    table = Table(title="SLO error budgets", title_justify="left")
    for name in ("SLO", "objective", "window", "SLI", "budget left", "burn now (5m)", "burn (window)",
                 "runs out in", "zone", "firing"):
        table.add_column(name, justify="left" if name in ("SLO", "window", "zone", "firing") else "right")
    for s in statuses:
        table.add_row(s.name, f"{s.objective:g}%", s.window, percent(s.sli, 5), percent(s.budget_remaining),
                      burn(s.current_burn_rate), burn(s.period_burn_rate), runs_out(s),
                      f"[{ZONE_STYLE[s.zone]}]{s.zone}[/]", ", ".join(s.firing) or "-")
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()
