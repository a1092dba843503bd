"""Rich tables for `sloforge explain`."""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from sloforge.explain.slo import Explanation, TierRow, duration_text, minutes, percent


def print_tables(explanations: list[Explanation], notes: str, console: Console | None = None) -> None:
    """One block per SLO, fitted to the terminal: a table too wide for it (the tiers have
    eleven columns) is printed turned, one row per column, instead of wrapping every cell."""
    console = console or Console()
    for e in explanations:
        if e.steps:
            console.print(f"[bold]{e.name}[/bold]: {e.objective:.10g}% over {e.period}, every step of "
                          f"{' x '.join(e.steps)} succeeds; a full outage is any one step failing every "
                          "request")
        else:
            console.print(f"[bold]{e.name}[/bold]: {e.objective:g}% over {e.period}, {e.sli_kind} SLI "
                          f"(counts {e.unit})")
        for table in (_budget(e), _tiers(e)):
            console.print(table if _fits(console, table) else _turned(table))
        if e.budget_policy:  # few columns: its action text wraps well where it is
            console.print(_policy(e))
        if e.absent_seconds:
            console.print(f"No data: a ticket {minutes(e.absent_fire_seconds)} after the SLI's metrics "
                          f"vanish (absent {duration_text(e.absent_seconds)} + the 5m rate window).")
        if e.alerting_disabled:
            console.print("[yellow]Alerting is disabled for this SLO: nothing fires.[/yellow]")
        console.print()
    console.print(notes, style="dim")


def _fits(console: Console, table: Table) -> bool:
    """Whether the table's natural width (no cell wrapped) fits the terminal."""
    natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
    return natural <= console.width


def _turned(table: Table) -> Table:
    """The table with rows and columns swapped: one line per column, one column per row."""
    rows = [[cell for cell in column.cells] for column in table.columns]
    turned = Table(title=table.title, title_justify="left", show_header=False)
    for _ in range(1 + table.row_count):
        turned.add_column()
    for column, cells in zip(table.columns, rows, strict=True):
        turned.add_row(str(column.header), *cells)
    return turned


def _budget(e: Explanation) -> Table:
    table = Table(title="Error budget", title_justify="left")
    table.add_column("allowed error ratio", justify="right")
    for span in ("day", "week", e.period):
        table.add_column(f"bad minutes per {span}", justify="right")
    row = [percent(e.error_budget, 4)] + [f"{s / 60:.4g}" for s in (
        e.bad_seconds_per_day, e.bad_seconds_per_week, e.bad_seconds_per_period)]
    table.add_row(*row)
    if e.bad_events is not None:
        table.add_row("bad events", *(f"{e.bad_events[k]:,.0f}" for k in ("day", "week", "period")))
    return table


def _tiers(e: Explanation) -> Table:
    table = Table(title="Alert tiers", title_justify="left")
    for name in ("tier", "windows", "factor", "threshold", "budget at trip", "for",
                 "full outage: fires", "budget spent", "at factor: fires", "resets after", "note"):
        table.add_column(name, justify="left" if name in ("tier", "windows", "note") else "right")
    for t in e.tiers:
        table.add_row(t.tier, f"{t.long}/{t.short}", f"{t.factor:.4g}", percent(t.threshold),
                      percent(t.budget_share), _for(t.for_seconds, t.effective_for_seconds, t.interval_seconds),
                      minutes(t.outage_fire), percent(t.outage_spent), minutes(t.factor_fire),
                      minutes(t.reset), _note(t, e.unit), style="dim" if t.dead or t.disabled else None)
    return table


def _note(t: TierRow, unit: str) -> str:
    notes = []
    if t.dead:
        notes.append(f"NEVER FIRES: needs {percent(t.threshold)} errors (above 100%)")
    if t.disabled:
        notes.append("disabled")
    if t.min_events:
        notes.append(f"quiet below {t.min_events} {unit}/{t.long}")
    return "; ".join(notes)


def _for(written: int, effective: int, interval: int) -> str:
    """`15m`, or `5m (6m)` when the interval of the alert's group (3m) does not divide it."""
    text = duration_text(written)
    if effective != written:
        text += f" ({duration_text(effective)})"
    return text


def _policy(e: Explanation) -> Table:
    every = duration_text(e.budget_policy[0].interval_seconds)
    table = Table(title="Budget policy", title_justify="left",
                  caption=f"Budget alerts are evaluated every {every}: `for:` counts whole evaluations, "
                          f"and the first one past a threshold comes up to {every} after the crossing.",
                  caption_justify="left")
    forecast = any(p.exhausts_within_seconds is not None for p in e.budget_policy)
    when = "consumed / runs out in" if forecast else "consumed"
    for name in (when, "severity", "for", "fires after crossing", f"bad minutes per {e.period}", "action"):
        table.add_column(name, justify="left" if name in ("severity", "action") else "right")
    for p in e.budget_policy:
        # A forecast entry fires on the time left, not on a share: it has no bad minutes of its own.
        at = (percent(p.consumed) if p.consumed is not None
              else f"<= {duration_text(p.exhausts_within_seconds or 0)}")
        table.add_row(at, p.severity,
                      _for(p.for_seconds, p.effective_for_seconds, p.interval_seconds),
                      _fires_after(p.effective_for_seconds, p.interval_seconds),
                      "" if p.bad_seconds is None else f"{p.bad_seconds / 60:.4g}", p.action)
    return table


def _fires_after(effective: int, interval: int) -> str:
    """6-9 min: for: 5m evaluated every 3m, after the crossing."""
    return f"{effective / 60:g}-{(effective + interval) / 60:g} min"
