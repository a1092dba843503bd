"""SVG primitives for the charts (render/charts.py): the frame, the two axes, UTC time ticks,
and elements whose attributes and text are always escaped.

Coordinates are printed with one decimal, so the same input gives the same bytes (golden-testable).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

HOUR, DAY = 3600, 86400
TICK_STEPS = (HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 28 * DAY)
MOST_TICKS = 10
NAMESPACE = "http://www.w3.org/2000/svg"


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


def time_axis(frame: Frame, times: TimeAxis, y_title: str) -> list[str]:
    parts = []
    for tick, label in time_ticks(times.start, times.end):
        x = times.x(tick)
        anchor = "start" if x - frame.left < 24 else "end" if frame.width - frame.right - x < 24 else "middle"
        parts.append(el("line", class_="tick", x1=num(x), x2=num(x), y1=frame.top, y2=frame.base + 4,
                         stroke="#d5dbdb", stroke_width="0.5"))
        parts.append(el("text", text(label), class_="tick", x=num(x), y=frame.base + 16, text_anchor=anchor))
    parts.append(el("line", x1=frame.left, x2=frame.width - frame.right, y1=frame.base, y2=frame.base,
                     stroke="#7f8c8d", stroke_width="1"))
    parts.append(el("text", text("time (UTC)"), class_="axis", x=f"{frame.left + frame.plot_w / 2:.0f}",
                     y=frame.height - 6, text_anchor="middle"))
    middle = f"{frame.top + frame.plot_h / 2:.0f}"
    parts.append(el("text", text(y_title), class_="axis", x="16", y=middle, text_anchor="middle",
                     transform=f"rotate(-90 16 {middle})"))
    return parts


def decimate(points: Sequence[tuple[float, float]], times: TimeAxis, frame: Frame) -> list[tuple[float, float]]:
    """At most four points per pixel column (first, lowest, highest, last), in time order.

    30 days at a 1m step is 43,200 samples for ~730 columns; keeping each column's extremes
    draws the same picture (peaks included) in a twentieth of the bytes. Short series pass as they are.
    """
    if len(points) <= 2 * frame.plot_w:
        return list(points)
    # one pass, no per-point calls: this runs over every sample of every SLO on the page
    scale, origin = frame.plot_w / times.span, times.start
    kept: list[tuple[float, float]] = []
    column: int | None = None
    first = low = high = last = points[0]
    for point in points:
        offset = (point[0] - origin) * scale
        index = int(offset) if offset >= 0 else math.floor(offset)  # int() is floor for >= 0, and faster
        if index != column:
            if column is not None:
                kept.extend(_extremes(first, low, high, last))
            column, first, low, high, last = index, point, point, point, point
            continue
        last = point
        value = point[1]
        if value == value:  # not NaN (a hole stays a first or last point, never an extreme)
            if not low[1] <= value:  # also true while low is NaN
                low = point
            if not high[1] >= value:
                high = point
    kept.extend(_extremes(first, low, high, last))
    return kept


def _extremes(*points: tuple[float, float]) -> list[tuple[float, float]]:
    """The distinct points of one column, in time order."""
    return sorted(set(points), key=lambda p: p[0])


def runs(points: Sequence[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Split a series at its NaN values (no data), so the line does not bridge them."""
    runs: list[list[tuple[float, float]]] = [[]]
    for t, v in points:
        if math.isfinite(v):
            runs[-1].append((t, v))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


# -- markup ---------------------------------------------------------------------------------------

def opening(frame: Frame, css_class: str, title: str) -> str:
    return (f"<svg class=\"{escape(css_class)}\" width=\"{frame.width}\" height=\"{frame.height}\" "
            f"viewBox=\"0 0 {frame.width} {frame.height}\" role=\"img\" xmlns=\"{NAMESPACE}\">"
            + el("title", text(title)))


def el(name: str, *children: str, **attributes: object) -> str:
    """An element; attribute names drop a trailing `_` and use `-` for `_` (class_, stroke_width)."""
    attrs = "".join(f" {key.rstrip('_').replace('_', '-')}=\"{escape(str(value))}\""
                    for key, value in attributes.items())
    return f"<{name}{attrs}>{''.join(children)}</{name}>" if children else f"<{name}{attrs}/>"


def text(value: str) -> str:
    """Text content, escaped (quotes may stay: they mean nothing outside an attribute)."""
    return escape(value, quote=False)


def num(value: float) -> str:
    return f"{value:.1f}"


def utc(at: float, fmt: str) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime(fmt)
