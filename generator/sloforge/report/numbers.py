"""How the report's table and HTML page print numbers: one place, so they agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sloforge.report.status import Status


def percent(value: float | None, digits: int = 3) -> str:
    """A ratio as a percentage with `digits` significant digits; "-" for no data."""
    return "-" if value is None else f"{value * 100:.{digits}g}%"


def number(value: float | None) -> str:
    """A burn rate or other plain number, 3 significant digits; "-" for no data."""
    return "-" if value is None else f"{value:.3g}"


def burn(value: float | None) -> str:
    """A burn rate with its unit: 200x, 0.905x (1x spends exactly the budget over the window)."""
    return "-" if value is None else f"{value:.3g}x"


def runs_out(status: Status) -> str:
    """When the budget runs out at the last day's burn: "3d 4h", "out" (spent), "not at this burn"
    (the forecast is absent: that burn cannot exhaust what is left), "-" without data or in
    calendar mode (the recorded forecast is of the rolling period)."""
    if not status.has_data or status.window.startswith("calendar"):
        return "-"
    if status.runs_out_in is None:
        return "not at this burn"
    if status.runs_out_in <= 0:
        return "out"
    return duration(status.runs_out_in)


def runs_out_phrase(status: Status) -> str:
    """The forecast as a phrase among other facts: "runs out in 3d 4h", "already out", "does not
    run out at this burn"; "" where the table shows "-"."""
    text = runs_out(status)
    return {"-": "", "out": "already out", "not at this burn": "does not run out at this burn"}.get(
        text, f"runs out in {text}")


def duration(seconds: float) -> str:
    """The two largest units: 12d 3h, 5h 20m, 14m, under a minute "<1m"."""
    minutes = int(seconds // 60)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else "<1m"
