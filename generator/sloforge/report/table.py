"""The `sloforge report` table (Rich), rendered to text."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from sloforge.report.status import Status

ZONE_STYLE = {"healthy": "green", "concerning": "yellow", "critical": "red", "exhausted": "bold red",
              "no data": "dim"}


def table_text(statuses: list[Status]) -> str:
    table = Table(title="SLO error budgets", title_justify="left")
    for name in ("SLO", "objective", "window", "SLI", "budget left", "burn now", "burn (window)",
                 "zone", "firing"):
        table.add_column(name, justify="left" if name in ("SLO", "window", "zone", "firing") else "right")
    for s in statuses:
        table.add_row(s.name, f"{s.objective:g}%", s.window, _pct(s.sli, 5), _pct(s.budget_remaining),
                      _num(s.current_burn_rate), _num(s.period_burn_rate),
                      f"[{ZONE_STYLE[s.zone]}]{s.zone}[/]", ", ".join(s.firing) or "-")
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def _pct(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value * 100:.{digits}g}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"
