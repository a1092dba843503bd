"""Burn-rate alert windows and factors.

Google SRE Workbook, "Alerting on SLOs", section 6 (multiwindow, multi-burn-rate):
page when 2% of the period's budget is spent in 1h or 5% in 6h, ticket when 10%
is spent in 1d or in 3d. Each long window is paired with a short one of 1/12 its
length so an alert resets within minutes after recovery.

    burn rate  = error ratio / (1 - objective)
    factor     = budget fraction spent x period / long window
    threshold  = factor x (1 - objective)       (an error ratio)

For a 30d period the factors are 14.4, 6, 3 and 1; for 28d 13.44, 5.6, 2.8 and
0.93 — they are derived from the period, never copied as 30d constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sloforge import durations

HOUR = 3600
DAY = 24 * HOUR

# (tier, long window, budget fraction)
DEFAULT_PAIRS: tuple[tuple[str, int, float], ...] = (
    ("page", 1 * HOUR, 0.02),
    ("page", 6 * HOUR, 0.05),
    ("ticket", 1 * DAY, 0.10),
    ("ticket", 3 * DAY, 0.10),
)
# The periods the default pairs make sense for: below 7d the 3d window is most
# of the period, above 90d a 2%-in-1h page needs an absurd burn.
DEFAULT_PERIOD_RANGE = (7 * DAY, 90 * DAY)
DEFAULT_PERIOD = 30 * DAY
SHORT_WINDOW_DIVISOR = 12

# How long a condition must hold before the alert fires; short so one odd
# scrape does not page, see `explain` for the effect on detection time.
DEFAULT_FOR = {"page": 2 * 60, "ticket": 15 * 60}


@dataclass(frozen=True, slots=True)
class WindowPair:
    tier: str  # "page" | "ticket"
    long: int  # seconds
    short: int  # seconds
    factor: float  # burn-rate factor
    period: int  # the SLO period the factor was derived for

    @property
    def budget_fraction(self) -> float:
        """Share of the period's budget spent when the long window trips."""
        return self.factor * self.long / self.period

    def threshold(self, error_budget: float) -> float:
        """The error ratio both windows must exceed."""
        return self.factor * error_budget

    def can_fire(self, error_budget: float) -> bool:
        # An error ratio above 1 is impossible, so such a tier is dead (sloth#341).
        return self.threshold(error_budget) < 1

    @property
    def long_text(self) -> str:
        return durations.format(self.long)

    @property
    def short_text(self) -> str:
        return durations.format(self.short)


def factor_for(budget_fraction: float, period: int, long_window: int) -> float:
    return round(budget_fraction * period / long_window, 10)


def short_for(long_window: int) -> int:
    return max(long_window // SHORT_WINDOW_DIVISOR, 60)


@lru_cache(maxsize=64)
def default_pairs(period: int) -> tuple[WindowPair, ...]:
    # Memoised: every SLO without its own windows asks again for one of a few periods;
    # the pairs are frozen, so SLOs can share them.
    return tuple(
        WindowPair(tier, long, short_for(long), factor_for(fraction, period, long), period)
        for tier, long, fraction in DEFAULT_PAIRS
    )


def pair(tier: str, long: int, short: int | None, period: int, *,
         budget_fraction: float | None = None, factor: float | None = None) -> WindowPair:
    if factor is None:
        if budget_fraction is None:
            raise ValueError("a window pair needs a budget fraction or a factor")
        factor = factor_for(budget_fraction, period, long)
    return WindowPair(tier, long, short if short is not None else short_for(long), factor, period)
