"""`plan --prometheus`: the change measured against the last period's data (the backtest engine).

For every SLO the change touches (and every SLO it adds): the budget remaining now under
the old and the new spec, and how many pages and tickets the old and the new rules would
have raised over the last period. Both sides are replayed over the same data, each with
its own SLI queries, windows, factors and `for:`, so "the new objective would have paged
three times last month" is measured, not estimated.
"""

from __future__ import annotations

import numpy as np

from sloforge.history import rates
from sloforge.history.replay import Replay, alert_firings
from sloforge.model.catalog import Slo
from sloforge.plan.changes import Change, Plan, slo_key
from sloforge.prometheus_api import Client


def _measure(client: Client, slo: Slo, end: int, span: int) -> tuple[float | None, int, int]:
    """(budget remaining at `end`, pages, tickets over (end - span, end]) of one SLO, summed over groups:
    remaining is the lowest group's (the one that alerts first)."""
    start = end - span
    groups = rates.fetch(client, slo, start, end)
    remaining: list[float] = []
    pages = tickets = 0
    for group in groups:
        replay = Replay(slo, group)
        left = float(replay.budget_remaining(replay.index(np.array([end], dtype=np.int64)))[0])
        if not np.isnan(left):
            remaining.append(left)
        for rule, _, _ in alert_firings(replay, start, end):
            pages += rule.tier == "page"
            tickets += rule.tier == "ticket"
    return (min(remaining) if remaining else None), pages, tickets


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{value * 100:.1f}%"


def measure_changes(plan: Plan, pairs: list[tuple[Slo | None, Slo]], client: Client, end: int) -> None:
    """Adds one `history` change per SLO to `plan`: before -> after, measured over the new period."""
    for old, new in pairs:
        span = new.period
        after = _measure(client, new, end, span)
        if old is None:
            plan.changes.append(Change("history", slo_key(new), f"over the last {new.period_text}: budget left "
                                       f"{_percent(after[0])}, {after[1]} pages, {after[2]} tickets"))
            continue
        before = _measure(client, old, end, span)
        plan.changes.append(Change(
            "history", slo_key(new),
            f"over the last {new.period_text}: budget left {_percent(before[0])} -> {_percent(after[0])}; "
            f"pages {before[1]} -> {after[1]}; tickets {before[2]} -> {after[2]}",
            (f"replayed over the same data with each side's own rules ({old.objective:g}% -> "
             f"{new.objective:g}%)",)))
