"""How the report's table and HTML page print numbers: one place, so they agree."""

from __future__ import annotations


def percent(value: float | None, digits: int = 3) -> str:
    """A ratio as a percentage with `digits` significant digits; "-" for no data."""
    return "-" if value is None else f"{value * 100:.{digits}g}%"


def number(value: float | None) -> str:
    """A burn rate or other plain number, 3 significant digits; "-" for no data."""
    return "-" if value is None else f"{value:.3g}"


def burn(value: float | None) -> str:
    """A burn rate with its unit: 200x, 0.905x (1x spends exactly the budget over the window)."""
    return "-" if value is None else f"{value:.3g}x"
