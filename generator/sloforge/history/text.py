"""`sloforge backtest` as a person reads it (Rich tables) and as a program reads it (JSON)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from sloforge import durations
from sloforge.history.result import GroupHistory, Spec
from sloforge.history.suggest import Suggestion

TOP_INCIDENTS = 5


def when(moment: float | None) -> str:
    if moment is None:
        return "still firing"
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%d %H:%M")


def span(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds / 60) * 60)
    return durations.format(seconds) if seconds > 0 else "0m"


def name(history: GroupHistory) -> str:
    labels = ", ".join(f"{k}={v}" for k, v in sorted(history.labels.items()))
    return f"{history.service}/{history.slo}" + (f" {{{labels}}}" if labels else "")


def percent(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def tables(histories: list[GroupHistory], slos: Mapping[tuple[str, str], Spec], width: int = 160) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    summary = Table(title="Backtest: what the generated rules would have done", title_justify="left")
    for column in ("SLO", "objective", "SLI achieved", "budget used", "pages", "tickets", "pages/week",
                   "tickets/week", "incidents"):
        summary.add_column(column, justify="left" if column == "SLO" else "right")
    for h in histories:
        slo = slos[(h.service, h.slo)]
        pages = sum(1 for f in h.firings if f.tier == "page")
        tickets = sum(1 for f in h.firings if f.tier == "ticket")
        summary.add_row(name(h), f"{slo.objective:g}%", percent(h.sli), percent(h.budget_consumed, 1),
                        str(pages), str(tickets), f"{h.per_week('page'):.2f}", f"{h.per_week('ticket'):.2f}",
                        str(h.incidents_seen))
    console.print(summary)
    for h in histories:
        if h.firings:
            alerts = Table(title=f"{name(h)}: alerts", title_justify="left")
            for column in ("tier", "alert", "kind", "start (UTC)", "end (UTC)", "budget burned"):
                alerts.add_column(column)
            for f in h.firings:
                alerts.add_row(f.tier, f.alert, f.kind, when(f.start), when(f.end), percent(f.budget_burned, 2))
            console.print(alerts)
        if h.incidents:
            top = Table(title=f"{name(h)}: top incidents by budget (of {h.incidents_seen})", title_justify="left")
            for column in ("start (UTC)", "duration", "peak burn", "budget", "first page after"):
                top.add_column(column)
            for i in h.incidents[:TOP_INCIDENTS]:
                top.add_row(when(i.start), span(i.duration), f"{i.peak_burn_rate:.1f}x", percent(i.budget_consumed, 2),
                            span(i.time_to_page) if i.first_page is not None else "no page")
            console.print(top)
        if h.attribution:
            spent = Table(title=f"{name(h)}: budget by {', '.join(h.attribution[0].labels)}", title_justify="left")
            for column in (*h.attribution[0].labels, "bad events", "share", "budget"):
                spent.add_column(column)
            for a in h.attribution:
                spent.add_row(*a.labels.values(), f"{a.bad_events:.0f}", percent(a.share, 1),
                              percent(a.budget_consumed, 2))
            console.print(spent)
    return console.export_text()


def to_json(history: GroupHistory, slo: Spec) -> dict[str, Any]:
    out = asdict(history)
    # the pictures' series (with NaN for gaps, which JSON has no spelling for) stay out
    out.pop("burn_rate")
    out.pop("budget_remaining")
    out["sli"] = history.sli
    out["objective"] = slo.objective
    out["period"] = slo.period_text
    out["pages_per_week"] = history.per_week("page")
    out["tickets_per_week"] = history.per_week("ticket")
    for firing in out["firings"]:
        firing["start_iso"], firing["end_iso"] = _iso(firing["start"]), _iso(firing["end"])
    for incident in out["incidents"]:
        incident["start_iso"], incident["end_iso"] = _iso(incident["start"]), _iso(incident["end"])
        incident["duration"] = incident["end"] - incident["start"]
        incident["time_to_page"] = (None if incident["first_page"] is None
                                    else incident["first_page"] - incident["start"])
    return out


def _iso(moment: float | None) -> str | None:
    return None if moment is None else dt.datetime.fromtimestamp(moment, dt.UTC).isoformat().replace("+00:00", "Z")


def suggestions_table(found: list[Suggestion], max_pages: float, width: int = 160) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    table = Table(title=f"Objectives the history supports (at most {max_pages:g} pages a month)",
                  title_justify="left")
    for column in ("SLO", "spec", "worst period", "median period", "spec ran out", "spec pages/month",
                   "highest", "set by", "usual", "its pages/month"):
        table.add_column(column, justify="left" if column in ("SLO", "set by") else "right")
    for s in found:
        labels = ", ".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
        table.add_row(f"{s.service}/{s.slo}" + (f" {{{labels}}}" if labels else ""), f"{s.objective:g}%",
                      percent(s.worst_sli), percent(s.median_sli), f"{s.exhausted_periods} of {s.periods}",
                      f"{s.pages_per_month:.2f}", "-" if s.highest is None else f"{s.highest:.3f}%",
                      s.binding, "-" if s.usual is None else f"{s.usual:g}%",
                      "-" if s.usual_pages_per_month is None else f"{s.usual_pages_per_month:.2f}")
    console.print(table)
    return console.export_text()
