"""When does the error budget run out: the PromQL of `slo:period_error_budget_exhaustion:seconds`.

The forecast extrapolates the recent burn rate b (the error ratio over the last day / the
error budget) from the budget still left, R (`slo:period_error_budget_remaining:ratio`), in a
rolling period of P seconds.

Why a day: the ticket tier's long window records the 1d ratio already, so the forecast
usually costs one cheap rule; a day smooths the diurnal traffic cycle (a 1h or 6h window
would forecast from the night's quiet or the day's peak) and still sees this week's change.
A period shorter than a day is read over the period itself.

Rolling-window arithmetic: if b holds, the share of the budget the window has consumed
after x more seconds is at most (1 - R) + b x / P (the new errors come in at b; the errors
that leave the window can only lower it), and after a whole period it is exactly b. So:

  - b > R > 0: the earliest the budget can run out is x = R P / b, always under P;
  - R <= 0: it has run out: 0;
  - R >= b (a burn below what is left, no errors, or no traffic in the last day): it cannot
    run out at this burn, and the series is absent, never +Inf or NaN.

A burn below 1 can still exhaust a budget that is nearly spent (b = 0.9, R = 0.05:
0.05 / 0.9 P), or not (b = 0.5 never exhausts R = 0.6: after a period the window holds 0.5).
The value is the earliest exhaustion, a conservative forecast: errors leaving the window may
postpone it, never advance it.

In PromQL, without a NaN or an infinity on any path: `R P / b < P` holds exactly when
b > R > 0 (b = 0 gives +Inf and no traffic NaN, which no comparison keeps), with R clamped
at 0 so a spent budget with errors still coming gives 0 rather than a negative time; a
spent budget is 0 on its own branch, whatever the last day's traffic.
"""

from __future__ import annotations


def exhaustion_expr(remaining: str, recent_ratio: str, error_budget: str, period: int) -> str:
    """`remaining` and `recent_ratio`: PromQL of R and of the recent error ratio, each already
    aggregated to the SLO's identity (so `or` and the arithmetic match one series per identity)."""
    burn = f"({recent_ratio} / {error_budget})"
    return (f"clamp_min({remaining}, 0) * {period} / {burn} < {period}"
            f" or clamp_min({remaining} <= 0, 0)")
