"""Inline SVG charts for the HTML pages (report, backtest): no library, no script.

Two kinds, both over time (unix seconds, UTC ticks):
- `line_chart`: a time series (burn rate) with labelled horizontal thresholds and shaded
  vertical bands (alert firings, coloured per tier);
- `burndown_chart`: the error budget left, from 100% down past 0, with the 0 line, zone
  shading, hatched no-data gaps and a dashed curve across them.

The primitives (frame, axes, ticks, escaped elements) are in render/svg.py. A chart returns
`Markup` so a template embeds it as markup, not as escaped text; every label in it was escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from sloforge.render.svg import Frame, TimeAxis, ValueAxis, decimate, el, num, opening, runs, text, time_axis, utc

# Burn down: the zones of the budget left (the report's zones), top to bottom.
ZONES = ((1.0, 0.5, "#eafaf1", "healthy: over 50% left"), (0.5, 0.25, "#fef5e7", "concerning"),
         (0.25, 0.0, "#fdedec", "critical: under 25%"), (0.0, -math.inf, "#f2d7d5", "exhausted"))
# A log axis needs a floor: burn below it is drawn on it (0.01x spends 1% of the pace the budget
# allows; nothing a reader needs to tell from 0).
LOG_FLOOR = 0.01



@dataclass(frozen=True, slots=True)
class Threshold:
    """A labelled horizontal line (an alert's burn-rate factor)."""

    value: float
    label: str
    colour: str


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded vertical band from `start` to `end` (an alert firing, a no-data gap)."""

    start: float
    end: float
    fill: str
    title: str
    css_class: str = "band"
    opacity: float = 0.35


# -- the two kinds of chart ----------------------------------------------------------------------

def line_chart(points: Sequence[tuple[float, float]], start: float, end: float, *, title: str, y_title: str,
               thresholds: Sequence[Threshold] = (), bands: Sequence[Band] = (), log: bool = True,
               unit: str = "x", colour: str = "#2e4053", css_class: str = "timeline",
               frame: Frame = Frame()) -> Markup:
    """A time series with thresholds and bands. NaN values break the line (no data).

    `log` (the default for burn rates): a burn rate spans 0 to 1/budget (1000x for 99.9%), while
    the alert thresholds sit between 1x and ~14x. On a linear axis one outage flattens every
    threshold onto the floor; on a log axis each decade gets the same height, so the thresholds
    stay apart and readable whatever the peak. Burn below LOG_FLOOR is drawn on the floor.
    """
    finite = [v for _, v in points if math.isfinite(v)]
    top = max([*finite, *(t.value for t in thresholds), 1.0])
    if log:
        # the decade at or above the peak: a full outage of a 99.9% SLO is exactly 1000x, on the top line
        low, high = LOG_FLOOR, 10 ** math.ceil(math.log10(top) - 1e-9)
        levels = [10.0 ** k for k in range(round(math.log10(low)), round(math.log10(high)) + 1)]
    else:
        low, high, levels = 0.0, *_linear_levels(top * 1.05)
    times, values = TimeAxis(frame, start, end), ValueAxis(frame, low, high, log)
    parts = [opening(frame, css_class, title)]
    for band in bands:
        parts.append(_band(band, times, frame))
    for level in levels:
        y = values.y(level)
        parts.append(el("line", x1=frame.left, x2=frame.width - frame.right, y1=num(y), y2=num(y),
                         stroke="#aab7b8", stroke_width="0.5"))
        parts.append(el("text", text(f"{level:g}{unit}"), class_="level", x=frame.left - 5, y=num(y + 4),
                         text_anchor="end"))
    parts.extend(time_axis(frame, times, y_title))
    parts.extend(_thresholds(thresholds, values, frame))
    for run in runs(decimate(points, times, frame)):
        if len(run) > 1:
            parts.append(el("polyline", class_="series", fill="none", stroke=colour, stroke_width="1.5",
                             stroke_linejoin="round",
                             points=" ".join(f"{times.x(t):.1f},{values.y(v):.1f}" for t, v in run)))
        else:
            t, v = run[0]
            parts.append(el("circle", class_="series", cx=num(times.x(t)), cy=num(values.y(v)), r="1.5", fill=colour))
    if not finite:
        parts.append(el("text", text("no data"), x=frame.left + frame.plot_w // 2, y=frame.top + frame.plot_h // 2,
                         text_anchor="middle"))
    parts.append("</svg>")
    return Markup("".join(parts))


def burndown_chart(points: Sequence[tuple[float, float]], start: float, end: float, *, title: str,
                   chart_id: str, colour: str, end_label: str | None, gaps: Sequence[tuple[float, float]] = (),
                   bands: Sequence[Band] = (), y_title: str = "error budget left", css_class: str = "burndown",
                   frame: Frame = Frame()) -> Markup:
    """The budget left over time: zones, the 0 line, gaps hatched (the curve dashed across them).

    `chart_id` makes the hatch pattern's id unique on the page (ids are document-wide).
    """
    head = opening(frame, css_class, title)
    if len(points) < 2 and not gaps:
        return Markup(head + el("text", text("no data"), x=frame.width // 2, y=frame.height // 2,
                                    text_anchor="middle") + "</svg>")
    levels = burndown_levels(min([0.0, *(v for _, v in points)]))
    times, values = TimeAxis(frame, start, end), ValueAxis(frame, levels[0], 1.0)
    hatch = f"gap-hatch-{chart_id}"
    parts = [head, f"<defs><pattern id=\"{escape(hatch)}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
             "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eaeded\"/>"
             "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#95a5a6\" stroke-width=\"2.5\"/></pattern></defs>"]
    for zone_top, zone_bottom, fill, _ in ZONES:
        top, bottom = min(zone_top, 1.0), max(zone_bottom, levels[0])
        if top > bottom:
            parts.append(el("rect", x=frame.left, y=num(values.y(top)), width=frame.plot_w,
                             height=num(values.y(bottom) - values.y(top)), fill=fill))
    for band in bands:
        parts.append(_band(band, times, frame))
    for gap_start, gap_end in gaps:
        left, right = times.x(max(gap_start, start)), times.x(min(gap_end, end))
        if right > left:
            what = f"no data {utc(gap_start, '%Y-%m-%d %H:%M')} to {utc(gap_end, '%Y-%m-%d %H:%M UTC')}"
            parts.append(el("rect", el("title", text(what)), class_="gap", x=num(left), y=frame.top,
                             width=num(right - left), height=frame.plot_h, fill=f"url(#{hatch})", opacity="0.9"))
    for level in levels:
        y = values.y(level)
        parts.append(el("line", x1=frame.left, x2=frame.width - frame.right, y1=num(y), y2=num(y),
                         stroke="#566573" if level == 0 else "#aab7b8", stroke_width="1" if level == 0 else "0.5"))
        parts.append(el("text", text(f"{level * 100:g}%"), x=frame.left - 5, y=num(y + 4), text_anchor="end"))
    parts.extend(time_axis(frame, times, y_title))
    parts.extend(_curve(points, gaps, times, values, colour, end_label))
    parts.append("</svg>")
    return Markup("".join(parts))


def burndown_levels(lowest: float) -> list[float]:
    """The budget axis' labelled levels: the zone edges, and below 0 a round step down past `lowest`."""
    levels = [0.0, 0.25, 0.5, 0.75, 1.0]
    if lowest < 0:
        step = next(step for step in (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 1e9) if -lowest / step <= 3)
        levels = [-step * k for k in range(math.ceil(-lowest / step - 1e-9), 0, -1)] + levels
    return levels


def _linear_levels(top: float) -> tuple[float, list[float]]:
    """A round top at or above `top` and 4 to 6 evenly spaced levels from 0 to it."""
    magnitude = 10 ** math.floor(math.log10(top)) if top > 0 else 1.0
    step = next(m * magnitude for m in (0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10) if top / (m * magnitude) <= 5)
    count = math.ceil(top / step - 1e-9)
    return step * count, [step * k for k in range(count + 1)]


# -- marks --------------------------------------------------------------------------------------

def _band(band: Band, times: TimeAxis, frame: Frame) -> str:
    left, right = times.x(max(band.start, times.start)), times.x(min(band.end, times.end))
    if right <= left:
        return ""
    # at least two pixels wide and nearly opaque when narrow: a 20-minute page on a 30-day
    # chart is a fraction of a pixel, and a faint hairline reads as nothing
    width = max(right - left, 2.0)
    opacity = band.opacity if width >= 4 else 0.85
    return el("rect", el("title", text(band.title)), class_=band.css_class, x=num(left), y=frame.top,
               width=num(width), height=frame.plot_h, fill=band.fill, fill_opacity=f"{opacity:g}")


def _thresholds(thresholds: Sequence[Threshold], values: ValueAxis, frame: Frame) -> list[str]:
    """Dashed lines across the plot, each labelled in the right margin; labels pushed 12 px apart."""
    parts: list[str] = []
    placed: list[float] = []
    for threshold in sorted(thresholds, key=lambda t: -t.value):
        y = values.y(threshold.value)
        parts.append(el("line", class_="threshold", x1=frame.left, x2=frame.width - frame.right,
                         y1=num(y), y2=num(y), stroke=threshold.colour, stroke_width="1.2",
                         stroke_dasharray="6 3"))
        label_y = max(y + 4, placed[-1] + 12) if placed else y + 4
        placed.append(label_y)
        parts.append(el("text", text(threshold.label), class_="threshold", x=frame.width - frame.right + 4,
                         y=num(label_y), fill=threshold.colour))
    return parts


def _curve(points: Sequence[tuple[float, float]], gaps: Sequence[tuple[float, float]], times: TimeAxis,
           values: ValueAxis, colour: str, end_label: str | None) -> list[str]:
    """The burn-down line: solid where every step has data, dashed grey across a gap."""
    pieces: list[list[tuple[float, float]]] = []
    dashed: list[tuple[tuple[float, float], tuple[float, float]]] = []
    previous: tuple[float, float] | None = None
    for point in decimate(points, times, times.frame):
        if gaps and previous is not None and any(start < point[0] and end > previous[0] for start, end in gaps):
            dashed.append((previous, point))
            pieces.append([point])
        elif pieces:
            pieces[-1].append(point)
        else:
            pieces.append([point])
        previous = point
    parts = [el("line", class_="across-gap", x1=num(times.x(a[0])), y1=num(values.y(a[1])), x2=num(times.x(b[0])),
                 y2=num(values.y(b[1])), stroke="#7f8c8d", stroke_width="2", stroke_dasharray="4 3")
             for a, b in dashed]
    for run in pieces:
        if len(run) > 1:
            parts.append(el("polyline", fill="none", stroke=colour, stroke_width="2",
                             points=" ".join(f"{times.x(t):.1f},{values.y(v):.1f}" for t, v in run)))
    if points and end_label is not None:
        t, v = points[-1]
        parts.append(el("circle", cx=num(times.x(t)), cy=num(values.y(v)), r="3.5", fill=colour))
        parts.append(el("text", text(end_label), class_="now", x=num(times.x(t) + 7), y=num(values.y(v) + 4),
                         style=f"fill:{colour};font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:4px"))
    return parts


