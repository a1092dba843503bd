"""`report --format html`: one self-contained page, a budget burn-down chart per SLO.

Inline SVG and CSS only: no scripts, fonts or network, so the file opens
anywhere (mail attachment, wiki upload, CI artifact).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from sloforge.report.numbers import number, percent
from sloforge.report.status import Status

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD = 640, 220, 48, 28, 12
ZONE_COLOURS = {"healthy": "#1e8449", "concerning": "#b9770e", "critical": "#c0392b",
                "exhausted": "#7b241c", "no data": "#7f8c8d"}
STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1c2833;background:#fbfcfc}
h1{font-size:22px;margin:0 0 4px} .meta{color:#566573;margin-bottom:18px;font-size:13px}
table.summary{border-collapse:collapse;margin-bottom:24px;font-size:13px}
table.summary th,table.summary td{padding:5px 10px;border-bottom:1px solid #d5dbdb;text-align:right}
table.summary th:first-child,table.summary td:first-child,
table.summary td:last-child,table.summary th:last-child{text-align:left}
.card{background:#fff;border:1px solid #d5dbdb;border-radius:6px;padding:12px 16px;margin:0 0 16px;
display:inline-block;vertical-align:top;margin-right:12px}
.card h2{font-size:15px;margin:0 0 6px} .zone{font-weight:600;padding:1px 8px;border-radius:10px;color:#fff}
.facts{font-size:12px;color:#34495e;margin-bottom:4px} svg text{font-size:10px;fill:#566573}
"""


def render(statuses: list[Status], prometheus: str, at: float) -> str:
    when = _time(at, "%Y-%m-%d %H:%M UTC")
    cards = "\n".join(_card(s) for s in statuses)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>SLO error budgets {escape(when)}</title><style>{STYLE}</style></head><body>\n"
            f"<h1>SLO error budgets</h1>\n<div class=\"meta\">{len(statuses)} SLOs from "
            f"{escape(prometheus)} at {escape(when)}. Zones: healthy &gt; 50% budget left, concerning, "
            f"critical &lt; 25%, exhausted &le; 0.</div>\n{_summary(statuses)}\n{cards}\n</body></html>\n")


def _summary(statuses: list[Status]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("SLO", "objective", "window", "SLI", "budget left",
                                             "burn now", "burn (window)", "zone", "firing"))
    rows = []
    for s in statuses:
        cells = [escape(s.name), f"{s.objective:g}%", escape(s.window), percent(s.sli, 5),
                 percent(s.budget_remaining), number(s.current_burn_rate), number(s.period_burn_rate),
                 _zone(s.zone), escape(", ".join(s.firing)) or "-"]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table class=\"summary\"><tr>{head}</tr>\n" + "\n".join(rows) + "</table>"


def _card(s: Status) -> str:
    facts = (f"SLI {percent(s.sli, 5)} (objective {s.objective:g}%) · budget left {percent(s.budget_remaining)}"
             + f" · burn now {number(s.current_burn_rate)}x · {escape(s.window)}")
    firing = f"<div class=\"facts\">firing: {escape(', '.join(s.firing))}</div>" if s.firing else ""
    return (f"<div class=\"card\"><h2>{escape(s.name)} {_zone(s.zone)}</h2>"
            f"<div class=\"facts\">{facts}</div>{firing}{_chart(s)}</div>")


def _chart(s: Status) -> str:
    title = f"<title>{escape(s.name)}: error budget remaining over {escape(s.window)}</title>"
    if len(s.burndown) < 2:
        return (f"<svg class=\"burndown\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\">{title}"
                f"<text x=\"{WIDTH // 2}\" y=\"{HEIGHT // 2}\" text-anchor=\"middle\">no data</text></svg>")
    low = min(0.0, *(v for _, v in s.burndown))
    x0, x1 = s.start, s.end
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD, HEIGHT - PAD_BOTTOM - PAD

    def x(t: float) -> float:
        return PAD_LEFT + (t - x0) / (x1 - x0 or 1) * plot_w

    def y(v: float) -> float:
        return PAD + (1 - (v - low) / (1 - low or 1)) * plot_h

    opening = (f"<svg class=\"burndown\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" "
               f"role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">{title}")
    parts = [opening]
    bands = [(1.0, 0.5, "#eafaf1"), (0.5, 0.25, "#fef5e7"), (0.25, 0.0, "#fdedec"), (0.0, low, "#f2d7d5")]
    for top, bottom, colour in bands:
        if top > bottom:
            parts.append(f"<rect x=\"{PAD_LEFT}\" y=\"{y(top):.1f}\" width=\"{plot_w}\" "
                         f"height=\"{y(bottom) - y(top):.1f}\" fill=\"{colour}\"/>")
    for level in sorted({1.0, 0.5, 0.25, 0.0, round(low, 2)}):
        parts.append(f"<line x1=\"{PAD_LEFT}\" x2=\"{WIDTH - PAD}\" y1=\"{y(level):.1f}\" y2=\"{y(level):.1f}\" "
                     f"stroke=\"#aab7b8\" stroke-width=\"0.5\"/><text x=\"{PAD_LEFT - 4}\" y=\"{y(level) + 3:.1f}\" "
                     f"text-anchor=\"end\">{level * 100:.0f}%</text>")
    for t, anchor in ((x0, "start"), ((x0 + x1) / 2, "middle"), (x1, "end")):
        parts.append(f"<text x=\"{x(t):.1f}\" y=\"{HEIGHT - 8}\" text-anchor=\"{anchor}\">"
                     f"{escape(_time(t, '%Y-%m-%d %H:%M'))}</text>")
    points = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in s.burndown)
    colour = ZONE_COLOURS.get(s.zone, "#2e4053")
    parts.append(f"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>")
    parts.append("</svg>")
    return "".join(parts)


def _zone(name: str) -> str:
    return f"<span class=\"zone\" style=\"background:{ZONE_COLOURS.get(name, '#7f8c8d')}\">{escape(name)}</span>"




def _time(at: float, fmt: str) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime(fmt)
