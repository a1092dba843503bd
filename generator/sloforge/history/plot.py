"""`backtest --plot F.png`: one SLO's (one group's) backtest as a picture.

Two panels sharing the time axis: the burn rate on a log axis with the alert thresholds
(dashed, one per active window pair) and the would-be firings as shaded bands (red page,
amber ticket), and below it the error budget left, from 100% down past the 0 line.
The same picture as the HTML page's two charts, for a ticket or a chat message.
matplotlib is an optional extra: `pip install 'sloforge[plot]'`.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from sloforge.errors import SloforgeError
from sloforge.history.html import THRESHOLD_COLOURS, TIER_COLOURS, TIERS, burn_window, group_name, weekly
from sloforge.history.result import GroupHistory, Spec
from sloforge.render.charts import LOG_FLOOR as FLOOR


def plot_history(history: GroupHistory, slo: Spec, path: Path) -> None:
    """Write the PNG to `path`; a SloforgeError (one line) without matplotlib or when it cannot write."""
    plt = _pyplot()
    figure = history_figure(history, slo)
    try:
        figure.savefig(path, dpi=110)
    except OSError as exc:
        raise SloforgeError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        plt.close(figure)


def history_figure(history: GroupHistory, slo: Spec) -> Any:
    """The matplotlib Figure (burn-rate axes first, budget axes second); the caller closes it."""
    plt = _pyplot()
    import matplotlib.dates as mdates

    figure, (burn, budget) = plt.subplots(2, 1, figsize=(11, 7.5), sharex=True,
                                          gridspec_kw={"height_ratios": [3, 2]})
    _burn_panel(burn, history, slo)
    _budget_panel(budget, history)
    budget.set_xlim(_when(history.start), _when(history.end))
    locator = mdates.AutoDateLocator(tz=dt.UTC, maxticks=10)
    budget.xaxis.set_major_locator(locator)
    budget.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=dt.UTC))
    budget.set_xlabel("time (UTC)")
    sli = history.sli
    figure.suptitle(f"{_plain(group_name(history))}: SLI {'-' if sli is None else f'{sli * 100:.5g}%'} "
                    f"(objective {slo.objective:g}% over {slo.period_text}), "
                    f"{history.budget_consumed * 100:.3g}% of a budget consumed, "
                    f"{weekly(history.per_week('page'))} pages and {weekly(history.per_week('ticket'))} tickets a week",
                    fontsize=10)
    figure.tight_layout()
    return figure


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SloforgeError("--plot needs matplotlib: pip install 'sloforge[plot]'") from None
    return plt


def _burn_panel(ax: Any, history: GroupHistory, slo: Spec) -> None:
    """Log axis (as on the HTML page): one outage's 1000x must not flatten the 1x..14.4x thresholds."""
    times = [_when(t) for t, _ in history.burn_rate]
    values = [max(v, FLOOR) if math.isfinite(v) else math.nan for _, v in history.burn_rate]
    # a band at least 1/400 of the range wide (~3 px): a 20-minute page on 30 days is otherwise a hairline
    least = (history.end - history.start) / 400
    for tier in reversed(TIERS):  # tickets first, pages on top
        firings = [f for f in history.firings if f.tier == tier]
        for index, firing in enumerate(firings):
            until = max(history.end if firing.end is None else firing.end, firing.start + least)
            ax.axvspan(_when(firing.start), _when(min(until, history.end)),
                       color=TIER_COLOURS[tier], alpha=0.3 if tier == "ticket" else 0.6, linewidth=0,
                       label=f"{tier} firing ({len(firings)})" if index == 0 else None)
    ax.plot(times, values, color="#1f3a93", linewidth=1, label="burn rate")
    for tier in TIERS:
        for rank, pair in enumerate(sorted(slo.alerting.active_pairs(tier), key=lambda p: p.long)):
            ax.axhline(pair.factor, color=THRESHOLD_COLOURS[tier][min(rank, 1)], linestyle="--", linewidth=1,
                       label=f"{tier} {pair.long_text} {pair.factor:.3g}x")
    ax.set_yscale("log")
    top = max([*(v for v in values if math.isfinite(v)), *(p.factor for p in slo.alerting.pairs), 1.0])
    ax.set_ylim(FLOOR, 10 ** math.ceil(math.log10(top) - 1e-9) * 1.3)  # a little room above a full outage
    ax.set_ylabel(f"burn rate over {burn_window(slo)} (x budget pace)")
    ax.grid(True, which="major", alpha=0.3)
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:g}x")
    # above the panel, not on it: a legend inside would hide the peaks it explains
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.01, 1, 0.2), mode="expand", ncol=4,
              frameon=False)
    if not values:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="#566573")


def _budget_panel(ax: Any, history: GroupHistory) -> None:
    from matplotlib import patheffects

    times = [_when(t) for t, _ in history.budget_remaining]
    left = [v * 100 for _, v in history.budget_remaining]
    ax.axhspan(50, 100, color="#eafaf1")
    ax.axhspan(25, 50, color="#fef5e7")
    ax.axhspan(0, 25, color="#fdedec")
    lowest = min([0.0, *left])
    if lowest < 0:
        ax.axhspan(lowest * 1.1, 0, color="#f2d7d5")
    ax.axhline(0, color="#566573", linewidth=1)
    ax.plot(times, left, color="#1e8449" if not left or left[-1] > 50 else "#c0392b", linewidth=2,
            label="error budget left")
    if left:
        ax.annotate(f"{left[-1]:.3g}% left", (times[-1], left[-1]), xytext=(-4, 8), textcoords="offset points",
                    ha="right", fontsize=9, fontweight="bold",
                    path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
    ax.set_ylim(min(lowest * 1.1, -5), 105)
    ax.set_ylabel("error budget left (%)")
    ax.grid(True, alpha=0.3)


def _plain(text: str) -> str:
    """User text as matplotlib draws it literally: a `$` would start mathtext (and an odd one fails)."""
    return text.replace("$", r"\$")


def _when(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)
