"""How fast the generated alerts fire and reset: the arithmetic behind `explain`.

Model (what the rules in compile/ compute, at steady traffic):

* the SLI is recorded as 5m rates (B = 300 s), so right after a change the 5m
  error ratio ramps linearly for 5 minutes: e5(x) = e * clamp(x / B, 0, 1);
* a window W longer than B is the sum of those 5m rates over W, i.e. the
  average of e5 over (t - W, t]; a window of B or less is read directly and
  ramps over W itself;
* a window pair fires when both of its windows exceed the threshold
  factor x budget, and then after the tier's `for:`; it resets as soon as
  either window is back at or below the threshold (`for:` does not delay a
  resolve).

With A(x) = integral of e5 from 0 to x (e x^2 / 2B up to B, e (x - B/2) after),
a summed window reads (A(t) - A(t - W)) / W after a step from 0 to e. So on a
full outage a 1h window crosses 14.4 x 0.1% once A(t) = 51.8 s, at
t = sqrt(2 B 51.8 s) = 176 s, later than the textbook W x threshold / e = 52 s;
on a burn just above the factor it needs W + B (the whole window filled with
saturated 5m rates), five minutes more than the textbook W. Recovery is the
mirror image: the ratio after a saturated outage is e minus the step-up curve.

All times are continuous; Prometheus adds up to one evaluation interval (1m,
3m for rules in the long group) and the scrape interval on top, and checks
`for:` only at evaluations, so a `for:` takes whole intervals (`effective_for`).
Everything here is pure and unit-tested against hand-computed tables (tests/budgets/test_budget_math.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sloforge.conventions import BASE_WINDOW_SECONDS
from sloforge.model.policy import WindowPair

BASE = float(BASE_WINDOW_SECONDS)
DAY, WEEK = 86400, 7 * 86400
EVALUATION_INTERVAL = 60
# "A burn just above the factor": the limit of a burn that approaches the threshold from above.
JUST_ABOVE = 1 + 1e-9


def effective_for(for_seconds: int, interval_seconds: int) -> int:
    """What `for:` takes in a rule group evaluated every `interval_seconds`.

    Prometheus marks an alert pending at the first evaluation that sees its condition and fires
    it at the first evaluation at least `for` later, so `for` rounds up to whole intervals:
    `for: 5m` in a 3m group fires 6m after that first evaluation (which itself comes up to 3m
    after the condition turns true in the data: 6 to 9 minutes in all)."""
    return -(-for_seconds // interval_seconds) * interval_seconds


@dataclass(frozen=True, slots=True)
class Budget:
    """Allowed errors of an SLO, as a ratio and as fully bad time."""

    error_budget: float  # 0.001 for 99.9%
    period: int  # seconds

    def bad_seconds(self, span: int) -> float:
        """Seconds of full outage the budget allows per `span` of time (99.9% of 30d: 43.2 min)."""
        return self.error_budget * span

    @property
    def per_day(self) -> float:
        return self.bad_seconds(DAY)

    @property
    def per_week(self) -> float:
        return self.bad_seconds(WEEK)

    @property
    def per_period(self) -> float:
        return self.bad_seconds(self.period)

    def bad_events(self, span: int, events_per_second: float) -> float:
        return self.error_budget * span * events_per_second


def ramp_integral(x: float, error_ratio: float) -> float:
    """A(x): the integral of the recorded 5m error ratio x seconds after a step to error_ratio."""
    if x <= 0:
        return 0.0
    if x <= BASE:
        return error_ratio * x * x / (2 * BASE)
    return error_ratio * (x - BASE / 2)


def window_ratio(window: int, error_ratio: float, elapsed: float) -> float:
    """A window's recorded error ratio `elapsed` seconds after a step from 0 to error_ratio."""
    if elapsed <= 0:
        return 0.0
    if window <= BASE:  # read directly from raw metrics at this window
        return error_ratio * min(elapsed, window) / window
    return (ramp_integral(elapsed, error_ratio) - ramp_integral(elapsed - window, error_ratio)) / window


def saturation(window: int) -> float:
    """Seconds after a step until the window reads the full new ratio."""
    return float(window) if window <= BASE else window + BASE


def _first_time(predicate: Callable[[float], bool], upper: float) -> float:
    """Smallest t in [0, upper] with predicate(t) true (predicate monotone), by bisection."""
    low, high = 0.0, upper
    for _ in range(200):
        middle = (low + high) / 2
        if predicate(middle):
            high = middle
        else:
            low = middle
        if high - low < 1e-6:
            break
    return high


def crossing(window: int, error_ratio: float, threshold: float) -> float | None:
    """Seconds until a window's ratio exceeds `threshold` after a step to error_ratio; None if never."""
    if error_ratio <= threshold:
        return None
    return _first_time(lambda t: window_ratio(window, error_ratio, t) > threshold, saturation(window))


def detection(pair: WindowPair, error_budget: float, error_ratio: float,
              for_seconds: int = 0) -> float | None:
    """Seconds from the start of a sustained error ratio (clean history) until the pair fires."""
    threshold = pair.threshold(error_budget)
    long = crossing(pair.long, error_ratio, threshold)
    short = crossing(pair.short, error_ratio, threshold)
    if long is None or short is None:
        return None
    return max(long, short) + for_seconds


def at_factor(pair: WindowPair, error_budget: float, for_seconds: int = 0) -> float | None:
    """Detection of a burn just above the factor: the long window must fill up."""
    return detection(pair, error_budget, min(pair.threshold(error_budget) * JUST_ABOVE, 1.0), for_seconds)


def reset(pair: WindowPair, error_budget: float, error_ratio: float = 1.0) -> float | None:
    """Seconds after recovery from a saturated outage at error_ratio until the pair stops firing.

    Either window at or below the threshold ends the `and`; the short one is first.
    """
    threshold = pair.threshold(error_budget)
    if error_ratio <= threshold:
        return None
    def recovered(window: int) -> float:
        return _first_time(lambda t: error_ratio - window_ratio(window, error_ratio, t) <= threshold,
                           saturation(window))

    return min(recovered(pair.long), recovered(pair.short))


def budget_spent(error_ratio: float, seconds: float, budget: Budget) -> float:
    """Share of the period's budget a steady error ratio spends in `seconds`."""
    return error_ratio * seconds / (budget.error_budget * budget.period)


def textbook_detection(pair: WindowPair, error_budget: float, error_ratio: float) -> float:
    """The SRE Workbook's estimate: long window x threshold / error ratio (no lag, no `for:`)."""
    return pair.long * pair.threshold(error_budget) / error_ratio
