"""`report --format html`: one self-contained page, a budget burn-down chart per SLO.

Inline SVG and CSS only: no scripts, fonts or network, so the file opens
anywhere (mail attachment, wiki upload, CI artifact).

Each chart plots the error budget left over the window: the errors counted from the
window's start, against the budget of the whole window (the objective applied to
all of the window's traffic), so it starts at 100% and ends at the budget left the
table shows. Steps of the recorded series with no sample (Status.gaps) are drawn as
hatched bands: the curve counts nothing there, which would otherwise look clean.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape

from sloforge.report.numbers import burn, percent
from sloforge.report.status import JOURNEY, Status

# The chart's geometry: the plot spans x in [PAD_LEFT, WIDTH - PAD_RIGHT], y in [PAD_TOP, HEIGHT - PAD_BOTTOM].
WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 880, 270, 70, 78, 12, 46
PLOT_W, PLOT_H = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
HOUR, DAY = 3600, 86400
TICK_STEPS = (HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 28 * DAY)
MOST_TICKS = 10
ZONE_COLOURS = {"healthy": "#1e8449", "concerning": "#b9770e", "critical": "#c0392b",
                "exhausted": "#7b241c", "no data": "#7f8c8d"}
BANDS = ((1.0, 0.5, "#eafaf1", "healthy: over 50% left"), (0.5, 0.25, "#fef5e7", "concerning"),
         (0.25, 0.0, "#fdedec", "critical: under 25%"), (0.0, -math.inf, "#f2d7d5", "exhausted"))
HATCH = "repeating-linear-gradient(135deg,#95a5a6 0 2px,#eaeded 2px 6px)"
STYLE = f"""
body{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1c2833;background:#fbfcfc}}
h1{{font-size:22px;margin:0 0 4px}} .meta{{color:#566573;margin-bottom:14px;font-size:13px}}
.notice{{background:#fef9e7;border:1px solid #f1c40f;border-left:5px solid #d4ac0d;border-radius:4px;
padding:8px 12px;margin:0 0 16px;font-size:13px;max-width:900px}}
table.summary{{border-collapse:collapse;margin-bottom:6px;font-size:13px}}
table.summary th,table.summary td{{padding:5px 10px;border-bottom:1px solid #d5dbdb;text-align:right}}
table.summary th{{vertical-align:bottom}} table.summary td,table.summary th{{white-space:nowrap}}
table.summary td:last-child{{white-space:normal;max-width:320px}}
table.summary th:first-child,table.summary td:first-child,
table.summary td:last-child,table.summary th:last-child{{text-align:left}}
.note{{font-size:12px;color:#566573;margin:0 0 20px;max-width:900px}}
.card{{background:#fff;border:1px solid #d5dbdb;border-radius:6px;padding:12px 16px;margin:0 12px 16px 0;
display:inline-block;vertical-align:top}}
.card h2{{font-size:15px;margin:0 0 6px}} .zone{{font-weight:600;padding:1px 8px;border-radius:10px;color:#fff}}
.facts{{font-size:12px;color:#34495e;margin-bottom:4px}}
.caption{{font-size:12px;color:#566573;margin:2px 0 4px;max-width:{WIDTH}px}}
svg text{{font-size:11px;fill:#566573}} svg text.axis{{font-size:12px;fill:#34495e}}
.legend{{font-size:11px;color:#566573;margin-left:{PAD_LEFT}px;max-width:{WIDTH - PAD_LEFT}px;line-height:18px}}
.legend span{{margin-right:14px;white-space:nowrap}}
.legend i{{display:inline-block;width:18px;height:10px;vertical-align:-1px;margin-right:4px;border:1px solid #d5dbdb}}
.legend i.line{{height:0;border:0;border-top:2px solid #2e4053;vertical-align:3px}}
.legend i.gap{{background:{HATCH}}}
"""


def render(statuses: list[Status], prometheus: str, at: float, notice: str | None = None) -> str:
    when = _time(at, "%Y-%m-%d %H:%M UTC")
    cards = "\n".join(_card(s, index) for index, s in enumerate(statuses))
    warning = f"<div class=\"notice\"><b>Alerts may be missing.</b> {escape(notice)}</div>\n" if notice else ""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>SLO error budgets {escape(when)}</title><style>{STYLE}</style></head><body>\n"
            f"<h1>SLO error budgets</h1>\n<div class=\"meta\">{len(statuses)} SLOs from "
            f"{escape(prometheus)} at {escape(when)}. Zones: healthy &gt; 50% budget left, concerning, "
            f"critical &lt; 25%, exhausted &le; 0.</div>\n{warning}{_summary(statuses)}\n{cards}\n</body></html>\n")


def _summary(statuses: list[Status]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("SLO", "objective", "window", "SLI", "budget left",
                                             "burn now (5m)", "burn (window)", "zone", "firing"))
    rows = []
    for s in statuses:
        cells = [escape(s.name), f"{s.objective:g}%", escape(s.window), percent(s.sli, 5),
                 percent(s.budget_remaining), burn(s.current_burn_rate), burn(s.period_burn_rate),
                 _zone(s.zone), escape(", ".join(s.firing)) or "-"]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    note = ("<p class=\"note\">Burn rate: how fast the error budget is spent, as a multiple of the pace "
            "that spends exactly the whole budget over the window (1x); above 1x the budget runs out before "
            "the window ends. <i>burn now</i> is over the last 5 minutes, <i>burn (window)</i> over the whole "
            "window. The charts show the budget left over the window: the errors counted from the window's "
            "start against the budget of the whole window, so each ends at the budget left above.</p>")
    return f"<table class=\"summary\"><tr>{head}</tr>\n" + "\n".join(rows) + "</table>\n" + note


def _card(s: Status, index: int) -> str:
    facts = (f"SLI {percent(s.sli, 5)} (objective {s.objective:g}%) · budget left {percent(s.budget_remaining)}"
             + f" · burn now {burn(s.current_burn_rate)} · {escape(s.window)}")
    firing = f"<div class=\"facts\">firing: {escape(', '.join(s.firing))}</div>" if s.firing else ""
    ending = (f"it ends at the budget left, {percent(s.budget_remaining)}." if s.has_data
              else "no recorded data, so no budget to show.")
    caption = (f"<div class=\"caption\">Error budget left: errors since {_time(s.start, '%Y-%m-%d %H:%M')} "
               f"counted against the budget of the whole window ({escape(s.window)}); {ending}</div>")
    if s.service == JOURNEY:
        # A journey counts no events of its own (its ratio is the product of its steps'), so there
        # is nothing to count from the window's start; its budget over time is on the dashboard.
        caption = ("<div class=\"caption\">A user journey: its error ratio is the product of its steps' "
                   "(1 − ∏(1 − step ratio)), with no events of its own to count from the window's start, so "
                   "no burn-down chart here; the overview dashboard's journey row shows its budget over "
                   "time.</div>")
        return (f"<div class=\"card\"><h2>{escape(s.name)} {_zone(s.zone)}</h2>"
                f"<div class=\"facts\">{facts}</div>{firing}{caption}</div>")
    return (f"<div class=\"card\"><h2>{escape(s.name)} {_zone(s.zone)}</h2>"
            f"<div class=\"facts\">{facts}</div>{firing}{caption}{_chart(s, index)}{_legend(s)}</div>")


class _Axes:
    """Time -> x and budget left -> y, the plot's two scales."""

    def __init__(self, start: float, end: float, low: float):
        self.start, self.span, self.low = start, (end - start) or 1.0, low

    def x(self, t: float) -> float:
        return PAD_LEFT + (t - self.start) / self.span * PLOT_W

    def y(self, v: float) -> float:
        return PAD_TOP + (1 - (v - self.low) / (1 - self.low)) * PLOT_H


def _chart(s: Status, index: int) -> str:
    title = f"<title>{escape(s.name)}: error budget left over {escape(s.window)}</title>"
    opening = (f"<svg class=\"burndown\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" "
               f"role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">{title}")
    if len(s.burndown) < 2 and not s.gaps:
        return (f"{opening}<text x=\"{WIDTH // 2}\" y=\"{HEIGHT // 2}\" text-anchor=\"middle\">"
                "no data</text></svg>")
    levels = _levels(min([0.0, *(v for _, v in s.burndown)]))
    axes = _Axes(s.start, s.end, levels[0])
    hatch = f"gap-hatch-{index}"
    parts = [opening, f"<defs><pattern id=\"{hatch}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
             "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eaeded\"/>"
             "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#95a5a6\" stroke-width=\"2.5\"/></pattern></defs>"]
    for band_top, band_bottom, colour, _ in BANDS:
        top, bottom = min(band_top, 1.0), max(band_bottom, axes.low)
        if top > bottom:
            parts.append(f"<rect x=\"{PAD_LEFT}\" y=\"{axes.y(top):.1f}\" width=\"{PLOT_W}\" "
                         f"height=\"{axes.y(bottom) - axes.y(top):.1f}\" fill=\"{colour}\"/>")
    for start, end in s.gaps:
        left, right = axes.x(max(start, s.start)), axes.x(min(end, s.end))
        if right > left:
            what = f"no data {_time(start, '%Y-%m-%d %H:%M')} to {_time(end, '%Y-%m-%d %H:%M UTC')}"
            parts.append(f"<rect class=\"gap\" x=\"{left:.1f}\" y=\"{PAD_TOP}\" width=\"{right - left:.1f}\" "
                         f"height=\"{PLOT_H}\" fill=\"url(#{hatch})\" opacity=\"0.9\"><title>{what}</title></rect>")
    for level in levels:
        parts.append(f"<line x1=\"{PAD_LEFT}\" x2=\"{WIDTH - PAD_RIGHT}\" y1=\"{axes.y(level):.1f}\" "
                     f"y2=\"{axes.y(level):.1f}\" stroke=\"#aab7b8\" stroke-width=\"0.5\"/>"
                     f"<text x=\"{PAD_LEFT - 5}\" y=\"{axes.y(level) + 4:.1f}\" text-anchor=\"end\">"
                     f"{level * 100:g}%</text>")
    bottom = HEIGHT - PAD_BOTTOM
    for tick, label in _ticks(s.start, s.end):
        x = axes.x(tick)
        anchor = "start" if x - PAD_LEFT < 24 else "end" if WIDTH - PAD_RIGHT - x < 24 else "middle"
        parts.append(f"<line class=\"tick\" x1=\"{x:.1f}\" x2=\"{x:.1f}\" y1=\"{PAD_TOP}\" y2=\"{bottom + 4}\" "
                     f"stroke=\"#d5dbdb\" stroke-width=\"0.5\"/><text class=\"tick\" x=\"{x:.1f}\" "
                     f"y=\"{bottom + 16}\" text-anchor=\"{anchor}\">{escape(label)}</text>")
    parts.append(f"<line x1=\"{PAD_LEFT}\" x2=\"{WIDTH - PAD_RIGHT}\" y1=\"{bottom}\" y2=\"{bottom}\" "
                 "stroke=\"#7f8c8d\" stroke-width=\"1\"/>")
    parts.append(f"<text class=\"axis\" x=\"{PAD_LEFT + PLOT_W / 2:.0f}\" y=\"{HEIGHT - 6}\" "
                 "text-anchor=\"middle\">time (UTC)</text>")
    middle = PAD_TOP + PLOT_H / 2
    parts.append(f"<text class=\"axis\" x=\"16\" y=\"{middle:.0f}\" text-anchor=\"middle\" "
                 f"transform=\"rotate(-90 16 {middle:.0f})\">error budget left</text>")
    parts.extend(_curve(s, axes))
    parts.append("</svg>")
    return "".join(parts)


def _curve(s: Status, axes: _Axes) -> list[str]:
    """The burn-down line: solid where every step has data, dashed grey across a gap."""
    colour = ZONE_COLOURS.get(s.zone, "#2e4053")
    runs: list[list[tuple[float, float]]] = []
    dashed: list[tuple[tuple[float, float], tuple[float, float]]] = []
    previous: tuple[float, float] | None = None
    for point in s.burndown:
        if previous is not None and any(start < point[0] and end > previous[0] for start, end in s.gaps):
            dashed.append((previous, point))
            runs.append([point])
        elif runs:
            runs[-1].append(point)
        else:
            runs.append([point])
        previous = point
    parts = [f"<line class=\"across-gap\" x1=\"{axes.x(a[0]):.1f}\" y1=\"{axes.y(a[1]):.1f}\" "
             f"x2=\"{axes.x(b[0]):.1f}\" y2=\"{axes.y(b[1]):.1f}\" stroke=\"#7f8c8d\" stroke-width=\"2\" "
             "stroke-dasharray=\"4 3\"/>" for a, b in dashed]
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{axes.x(t):.1f},{axes.y(v):.1f}" for t, v in run)
            parts.append(f"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>")
    if s.burndown:
        t, v = s.burndown[-1]
        parts.append(f"<circle cx=\"{axes.x(t):.1f}\" cy=\"{axes.y(v):.1f}\" r=\"3.5\" fill=\"{colour}\"/>")
        parts.append(f"<text class=\"now\" x=\"{axes.x(t) + 7:.1f}\" y=\"{axes.y(v) + 4:.1f}\" "
                     f"style=\"fill:{colour};font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:4px\">"
                     f"{percent(v)} left</text>")
    return parts


def _legend(s: Status) -> str:
    colour = ZONE_COLOURS.get(s.zone, "#2e4053")
    items = [f"<span><i class=\"line\" style=\"border-top-color:{colour}\"></i>budget left</span>"
             ] if len(s.burndown) > 1 else []
    below_zero = any(v < 0 for _, v in s.burndown)
    items += [f"<span><i style=\"background:{colour_}\"></i>{escape(text)}</span>"
              for top, _, colour_, text in BANDS if top > 0 or below_zero]
    if s.gaps:
        hours = sum(end - start for start, end in s.gaps) / HOUR
        items.append(f"<span class=\"gap\"><i class=\"gap\"></i>no data ({hours:.3g} h in {len(s.gaps)} "
                     f"gap{'s' if len(s.gaps) > 1 else ''}): no samples recorded "
                     "(a scrape gap, or the series did not exist yet), so nothing is counted there</span>")
    return f"<div class=\"legend\">{''.join(items)}</div>"


def _levels(lowest: float) -> list[float]:
    """The y axis' labelled levels: the zone edges, and below 0 a round step down past `lowest`."""
    levels = [0.0, 0.25, 0.5, 0.75, 1.0]
    if lowest < 0:
        step = next(step for step in (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 1e9) if -lowest / step <= 3)
        levels = [-step * k for k in range(math.ceil(-lowest / step - 1e-9), 0, -1)] + levels
    return levels


def _ticks(start: float, end: float) -> list[tuple[float, str]]:
    """Time ticks at round UTC times, at most MOST_TICKS of them, with their labels."""
    span = max(end - start, 1.0)
    step = next((step for step in TICK_STEPS if span / step <= MOST_TICKS), TICK_STEPS[-1])
    first = math.ceil(start / step) * step
    ticks = []
    moment = first
    while moment <= end:
        if step >= DAY:
            label = _time(moment, "%b %d")
        elif moment % DAY == 0 or moment == first:
            label = _time(moment, "%b %d %H:%M")
        else:
            label = _time(moment, "%H:%M")
        ticks.append((float(moment), label))
        moment += step
    return ticks


def _zone(name: str) -> str:
    return f"<span class=\"zone\" style=\"background:{ZONE_COLOURS.get(name, '#7f8c8d')}\">{escape(name)}</span>"


def _time(at: float, fmt: str) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime(fmt)
