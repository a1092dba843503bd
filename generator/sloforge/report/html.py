"""`report --format html`: one self-contained page, a budget burn-down chart per SLO.

The page is the Jinja2 template `report.html.j2` (extending `base.html.j2`, autoescaped):
this module formats the numbers and draws the charts (render/charts.py), the template lays
them out, so no user text (SLO names, notices) is ever written into markup unescaped.

Each chart plots the error budget left over the window: the errors counted from the
window's start, against the budget of the whole window (the objective applied to
all of the window's traffic), so it starts at 100% and ends at the budget left the
table shows. Steps of the recorded series with no sample (Status.gaps) are drawn as
hatched bands: the curve counts nothing there, which would otherwise look clean.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from sloforge.render import charts, svg
from sloforge.render.templates import render_html
from sloforge.report.numbers import burn, percent, runs_out, runs_out_phrase
from sloforge.report.status import JOURNEY, Status

FRAME = svg.Frame()
WIDTH, PAD_LEFT, PAD_RIGHT = FRAME.width, FRAME.left, FRAME.right  # where the tests find a time's x
HOUR = 3600
ZONE_COLOURS = {"healthy": "#1e8449", "concerning": "#b9770e", "critical": "#c0392b",
                "exhausted": "#7b241c", "no data": "#7f8c8d"}
HEADINGS = ("SLO", "objective", "window", "SLI", "budget left", "burn now (5m)", "burn (window)",
            "budget runs out in", "zone", "firing")


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[str, ...]
    zone: str
    colour: str
    firing: str


@dataclass(frozen=True, slots=True)
class _Card:
    name: str
    zone: str
    colour: str
    facts: str
    firing: str
    since: str
    window: str
    ending: str
    chart: Markup
    legend: list[tuple[str, str, str]]
    # A user journey counts no events of its own (its ratio is the product of its steps'), so it
    # has no burn-down from the window's start: its card says so instead of drawing an empty chart.
    journey: bool = False


def render(statuses: list[Status], prometheus: str, at: float, notice: str | None = None) -> str:
    return render_html("report.html.j2", when=svg.utc(at, "%Y-%m-%d %H:%M UTC"), prometheus=prometheus,
                       notice=notice, headings=HEADINGS, rows=[_row(s) for s in statuses],
                       cards=[_card(s, index) for index, s in enumerate(statuses)])


def _row(s: Status) -> _Row:
    cells = (s.name, f"{s.objective:g}%", s.window, percent(s.sli, 5), percent(s.budget_remaining),
             burn(s.current_burn_rate), burn(s.period_burn_rate), runs_out(s))
    return _Row(cells, s.zone, _colour(s), ", ".join(s.firing) or "-")


def _card(s: Status, index: int) -> _Card:
    facts = (f"SLI {percent(s.sli, 5)} (objective {s.objective:g}%) · budget left {percent(s.budget_remaining)}"
             f" · burn now {burn(s.current_burn_rate)}"
             + (f" · {runs_out_phrase(s)}" if runs_out_phrase(s) else "") + f" · {s.window}")
    ending = (f"it ends at the budget left, {percent(s.budget_remaining)}." if s.has_data
              else "no recorded data, so no budget to show.")
    chart = charts.burndown_chart(s.burndown, s.start, s.end, title=f"{s.name}: error budget left over {s.window}",
                               chart_id=str(index), colour=_colour(s), gaps=s.gaps,
                               end_label=f"{percent(s.burndown[-1][1])} left" if s.burndown else None,
                               frame=FRAME)
    return _Card(s.name, s.zone, _colour(s), facts, ", ".join(s.firing), svg.utc(s.start, "%Y-%m-%d %H:%M"),
                 s.window, ending, chart, _legend(s), journey=s.service == JOURNEY)


def _legend(s: Status) -> list[tuple[str, str, str]]:
    items = [("line", _colour(s), "budget left")] if len(s.burndown) > 1 else []
    below_zero = any(v < 0 for _, v in s.burndown)
    items += [("box", colour, text) for top, _, colour, text in charts.ZONES if top > 0 or below_zero]
    if s.gaps:
        hours = sum(end - start for start, end in s.gaps) / HOUR
        items.append(("gap", "", f"no data ({hours:.3g} h in {len(s.gaps)} gap{'s' if len(s.gaps) > 1 else ''}): "
                      "no samples recorded (a scrape gap, or the series did not exist yet), so nothing is "
                      "counted there"))
    return items


def _colour(s: Status) -> str:
    return ZONE_COLOURS.get(s.zone, "#2e4053")
