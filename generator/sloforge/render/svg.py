"""Inline SVG charts for the HTML pages: no library, no script, deterministic, labels escaped.

Two kinds, both over time (unix seconds, UTC ticks):
- `line_chart`: a time series (burn rate) with labelled horizontal thresholds and shaded
  vertical bands (alert firings, coloured per tier);
- `burndown_chart`: the error budget left, from 100% down past 0, with the 0 line, zone
  shading, hatched no-data gaps and a dashed curve across them.

Every string that reaches the SVG goes through `_el`/`_text`, which escape it; coordinates
are printed with one decimal, so the same input gives the same bytes (golden-testable).
A chart returns `Markup` so a template embeds it as markup, not as escaped text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

HOUR, DAY = 3600, 86400
TICK_STEPS = (HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 28 * DAY)
MOST_TICKS = 10
NAMESPACE = "http://www.w3.org/2000/svg"
# Burn down: the zones of the budget left (the report's zones), top to bottom.
ZONES = ((1.0, 0.5, "#eafaf1", "healthy: over 50% left"), (0.5, 0.25, "#fef5e7", "concerning"),
         (0.25, 0.0, "#fdedec", "critical: under 25%"), (0.0, -math.inf, "#f2d7d5", "exhausted"))
# A log axis needs a floor: burn below it is drawn on it (0.01x spends 1% of the pace the budget
# allows; nothing a reader needs to tell from 0).
LOG_FLOOR = 0.01


@dataclass(frozen=True, slots=True)
class Frame:
    """The chart's size and margins: the plot spans x in [left, width - right], y in [top, height - bottom]."""

    width: int = 880
    height: int = 270
    left: int = 70
    right: int = 78
    top: int = 12
    bottom: int = 46

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def base(self) -> int:
        return self.height - self.bottom


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


class TimeAxis:
    """Time -> x over [start, end]."""

    def __init__(self, frame: Frame, start: float, end: float):
        self.frame, self.start, self.end, self.span = frame, start, end, (end - start) or 1.0

    def x(self, t: float) -> float:
        return self.frame.left + (t - self.start) / self.span * self.frame.plot_w


class ValueAxis:
    """Value -> y over [low, high], linear or log10 (values at or below the floor sit on it)."""

    def __init__(self, frame: Frame, low: float, high: float, log: bool = False):
        self.frame, self.log = frame, log
        self.low, self.high = (math.log10(low), math.log10(high)) if log else (low, high)

    def y(self, value: float) -> float:
        v = math.log10(max(value, 10 ** self.low)) if self.log else value
        return self.frame.top + (1 - (v - self.low) / ((self.high - self.low) or 1.0)) * self.frame.plot_h


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
        low, high = LOG_FLOOR, 10 ** math.ceil(math.log10(top * 1.05))
        levels = [10.0 ** k for k in range(round(math.log10(low)), round(math.log10(high)) + 1)]
    else:
        low, high, levels = 0.0, *_linear_levels(top * 1.05)
    times, values = TimeAxis(frame, start, end), ValueAxis(frame, low, high, log)
    parts = [_opening(frame, css_class, title)]
    for band in bands:
        parts.append(_band(band, times, frame))
    for level in levels:
        y = values.y(level)
        parts.append(_el("line", x1=frame.left, x2=frame.width - frame.right, y1=_f(y), y2=_f(y),
                         stroke="#aab7b8", stroke_width="0.5"))
        parts.append(_el("text", _text(f"{level:g}{unit}"), class_="level", x=frame.left - 5, y=_f(y + 4),
                         text_anchor="end"))
    parts.extend(_time_axis(frame, times, y_title))
    parts.extend(_thresholds(thresholds, values, frame))
    for run in _runs(_decimate(points, times, frame)):
        if len(run) > 1:
            parts.append(_el("polyline", class_="series", fill="none", stroke=colour, stroke_width="1.5",
                             stroke_linejoin="round",
                             points=" ".join(f"{times.x(t):.1f},{values.y(v):.1f}" for t, v in run)))
        else:
            t, v = run[0]
            parts.append(_el("circle", class_="series", cx=_f(times.x(t)), cy=_f(values.y(v)), r="1.5", fill=colour))
    if not finite:
        parts.append(_el("text", _text("no data"), x=frame.left + frame.plot_w // 2, y=frame.top + frame.plot_h // 2,
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
    opening = _opening(frame, css_class, title)
    if len(points) < 2 and not gaps:
        return Markup(opening + _el("text", _text("no data"), x=frame.width // 2, y=frame.height // 2,
                                    text_anchor="middle") + "</svg>")
    levels = burndown_levels(min([0.0, *(v for _, v in points)]))
    times, values = TimeAxis(frame, start, end), ValueAxis(frame, levels[0], 1.0)
    hatch = f"gap-hatch-{chart_id}"
    parts = [opening, f"<defs><pattern id=\"{escape(hatch)}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
             "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eaeded\"/>"
             "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#95a5a6\" stroke-width=\"2.5\"/></pattern></defs>"]
    for zone_top, zone_bottom, fill, _ in ZONES:
        top, bottom = min(zone_top, 1.0), max(zone_bottom, levels[0])
        if top > bottom:
            parts.append(_el("rect", x=frame.left, y=_f(values.y(top)), width=frame.plot_w,
                             height=_f(values.y(bottom) - values.y(top)), fill=fill))
    for band in bands:
        parts.append(_band(band, times, frame))
    for gap_start, gap_end in gaps:
        left, right = times.x(max(gap_start, start)), times.x(min(gap_end, end))
        if right > left:
            what = f"no data {utc(gap_start, '%Y-%m-%d %H:%M')} to {utc(gap_end, '%Y-%m-%d %H:%M UTC')}"
            parts.append(_el("rect", _el("title", _text(what)), class_="gap", x=_f(left), y=frame.top,
                             width=_f(right - left), height=frame.plot_h, fill=f"url(#{hatch})", opacity="0.9"))
    for level in levels:
        y = values.y(level)
        parts.append(_el("line", x1=frame.left, x2=frame.width - frame.right, y1=_f(y), y2=_f(y),
                         stroke="#566573" if level == 0 else "#aab7b8", stroke_width="1" if level == 0 else "0.5"))
        parts.append(_el("text", _text(f"{level * 100:g}%"), x=frame.left - 5, y=_f(y + 4), text_anchor="end"))
    parts.extend(_time_axis(frame, times, y_title))
    parts.extend(_curve(points, gaps, times, values, colour, end_label))
    parts.append("</svg>")
    return Markup("".join(parts))


# -- axes ---------------------------------------------------------------------------------------

def time_ticks(start: float, end: float, most: int = MOST_TICKS) -> list[tuple[float, str]]:
    """Ticks at round UTC times, at most `most` of them, with their labels (a day's first tick names the day)."""
    span = max(end - start, 1.0)
    step = next((step for step in TICK_STEPS if span / step <= most), TICK_STEPS[-1])
    first = math.ceil(start / step) * step
    ticks = []
    moment = first
    while moment <= end:
        if step >= DAY:
            label = utc(moment, "%b %d")
        elif moment % DAY == 0 or moment == first:
            label = utc(moment, "%b %d %H:%M")
        else:
            label = utc(moment, "%H:%M")
        ticks.append((float(moment), label))
        moment += step
    return ticks


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


def _time_axis(frame: Frame, times: TimeAxis, y_title: str) -> list[str]:
    parts = []
    for tick, label in time_ticks(times.start, times.end):
        x = times.x(tick)
        anchor = "start" if x - frame.left < 24 else "end" if frame.width - frame.right - x < 24 else "middle"
        parts.append(_el("line", class_="tick", x1=_f(x), x2=_f(x), y1=frame.top, y2=frame.base + 4,
                         stroke="#d5dbdb", stroke_width="0.5"))
        parts.append(_el("text", _text(label), class_="tick", x=_f(x), y=frame.base + 16, text_anchor=anchor))
    parts.append(_el("line", x1=frame.left, x2=frame.width - frame.right, y1=frame.base, y2=frame.base,
                     stroke="#7f8c8d", stroke_width="1"))
    parts.append(_el("text", _text("time (UTC)"), class_="axis", x=f"{frame.left + frame.plot_w / 2:.0f}",
                     y=frame.height - 6, text_anchor="middle"))
    middle = f"{frame.top + frame.plot_h / 2:.0f}"
    parts.append(_el("text", _text(y_title), class_="axis", x="16", y=middle, text_anchor="middle",
                     transform=f"rotate(-90 16 {middle})"))
    return parts


# -- marks --------------------------------------------------------------------------------------

def _band(band: Band, times: TimeAxis, frame: Frame) -> str:
    left, right = times.x(max(band.start, times.start)), times.x(min(band.end, times.end))
    if right <= left:
        return ""
    # at least two pixels wide and nearly opaque when narrow: a 20-minute page on a 30-day
    # chart is a fraction of a pixel, and a faint hairline reads as nothing
    width = max(right - left, 2.0)
    opacity = band.opacity if width >= 4 else 0.85
    return _el("rect", _el("title", _text(band.title)), class_=band.css_class, x=_f(left), y=frame.top,
               width=_f(width), height=frame.plot_h, fill=band.fill, fill_opacity=f"{opacity:g}")


def _thresholds(thresholds: Sequence[Threshold], values: ValueAxis, frame: Frame) -> list[str]:
    """Dashed lines across the plot, each labelled in the right margin; labels pushed 12 px apart."""
    parts: list[str] = []
    placed: list[float] = []
    for threshold in sorted(thresholds, key=lambda t: -t.value):
        y = values.y(threshold.value)
        parts.append(_el("line", class_="threshold", x1=frame.left, x2=frame.width - frame.right,
                         y1=_f(y), y2=_f(y), stroke=threshold.colour, stroke_width="1.2",
                         stroke_dasharray="6 3"))
        label_y = max(y + 4, placed[-1] + 12) if placed else y + 4
        placed.append(label_y)
        parts.append(_el("text", _text(threshold.label), class_="threshold", x=frame.width - frame.right + 4,
                         y=_f(label_y), fill=threshold.colour))
    return parts


def _curve(points: Sequence[tuple[float, float]], gaps: Sequence[tuple[float, float]], times: TimeAxis,
           values: ValueAxis, colour: str, end_label: str | None) -> list[str]:
    """The burn-down line: solid where every step has data, dashed grey across a gap."""
    runs: list[list[tuple[float, float]]] = []
    dashed: list[tuple[tuple[float, float], tuple[float, float]]] = []
    previous: tuple[float, float] | None = None
    for point in _decimate(points, times, times.frame):
        if previous is not None and any(start < point[0] and end > previous[0] for start, end in gaps):
            dashed.append((previous, point))
            runs.append([point])
        elif runs:
            runs[-1].append(point)
        else:
            runs.append([point])
        previous = point
    parts = [_el("line", class_="across-gap", x1=_f(times.x(a[0])), y1=_f(values.y(a[1])), x2=_f(times.x(b[0])),
                 y2=_f(values.y(b[1])), stroke="#7f8c8d", stroke_width="2", stroke_dasharray="4 3")
             for a, b in dashed]
    for run in runs:
        if len(run) > 1:
            parts.append(_el("polyline", fill="none", stroke=colour, stroke_width="2",
                             points=" ".join(f"{times.x(t):.1f},{values.y(v):.1f}" for t, v in run)))
    if points and end_label is not None:
        t, v = points[-1]
        parts.append(_el("circle", cx=_f(times.x(t)), cy=_f(values.y(v)), r="3.5", fill=colour))
        parts.append(_el("text", _text(end_label), class_="now", x=_f(times.x(t) + 7), y=_f(values.y(v) + 4),
                         style=f"fill:{colour};font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:4px"))
    return parts


def _decimate(points: Sequence[tuple[float, float]], times: TimeAxis, frame: Frame) -> list[tuple[float, float]]:
    """At most four points per pixel column (first, lowest, highest, last), in time order.

    30 days at a 1m step is 43,200 samples for ~730 columns; keeping each column's extremes
    draws the same picture (peaks included) in a twentieth of the bytes. Short series pass as they are.
    """
    if len(points) <= 2 * frame.plot_w:
        return list(points)
    kept: list[tuple[float, float]] = []
    column: list[tuple[float, float]] = []
    current = None
    for point in [*points, (math.inf, math.nan)]:
        index = math.floor(times.x(point[0])) if math.isfinite(point[0]) else None
        if index != current and column:
            finite = [p for p in column if math.isfinite(p[1])]
            chosen = {column[0], column[-1]}
            if finite:
                chosen |= {min(finite, key=lambda p: p[1]), max(finite, key=lambda p: p[1])}
            kept.extend(sorted(chosen, key=lambda p: p[0]))
            column = []
        current = index
        column.append(point)
    return kept


def _runs(points: Sequence[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Split a series at its NaN values (no data), so the line does not bridge them."""
    runs: list[list[tuple[float, float]]] = [[]]
    for t, v in points:
        if math.isfinite(v):
            runs[-1].append((t, v))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


# -- markup ---------------------------------------------------------------------------------------

def _opening(frame: Frame, css_class: str, title: str) -> str:
    return (f"<svg class=\"{escape(css_class)}\" width=\"{frame.width}\" height=\"{frame.height}\" "
            f"viewBox=\"0 0 {frame.width} {frame.height}\" role=\"img\" xmlns=\"{NAMESPACE}\">"
            + _el("title", _text(title)))


def _el(name: str, *children: str, **attributes: object) -> str:
    """An element; attribute names drop a trailing `_` and use `-` for `_` (class_, stroke_width)."""
    attrs = "".join(f" {key.rstrip('_').replace('_', '-')}=\"{escape(str(value))}\""
                    for key, value in attributes.items())
    return f"<{name}{attrs}>{''.join(children)}</{name}>" if children else f"<{name}{attrs}/>"


def _text(text: str) -> str:
    return escape(text, quote=False)


def _f(value: float) -> str:
    return f"{value:.1f}"


def utc(at: float, fmt: str) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime(fmt)
