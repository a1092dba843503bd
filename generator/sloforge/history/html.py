"""`backtest --format html`: one self-contained page, a section per SLO (per group of a grouped SLO).

Each section: the facts (SLI achieved against the objective, budget consumed, pages and
tickets a week), a timeline of the burn rate with the alert thresholds and the bands where
the generated alerts would have fired, the budget burn-down, and the incidents, firings and
attribution tables. The page is `backtest.html.j2` (extending `base.html.j2`, autoescaped);
this module formats the numbers and draws the charts (render/charts.py).

    page = render_page(histories, {(slo.service, slo.name): slo for slo in slos},
                       prometheus="http://prometheus:9090", start=start, end=end)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from sloforge import durations
from sloforge.history.result import Firing, GroupHistory, Spec
from sloforge.render import charts, svg
from sloforge.render.templates import render_html

# a wider right margin than the report: the threshold labels ("ticket 3d 0.933x") sit there;
# both charts of a section share it, so their time axes line up
FRAME = svg.Frame(right=118)
TIERS = ("page", "ticket")
TIER_COLOURS = {"page": "#c0392b", "ticket": "#d68910"}
# thresholds: the tier's colour, darker for its faster (shorter-window) pair
THRESHOLD_COLOURS = {"page": ("#922b21", "#c0392b"), "ticket": ("#9a7d0a", "#d68910")}
BURN_COLOUR = "#1f3a93"
WEEK = 7 * 86400


@dataclass(frozen=True, slots=True)
class _Section:
    anchor: str
    name: str
    window: str
    facts: list[str]
    below_objective: bool
    timeline: Markup
    timeline_legend: list[tuple[str, str, str]]
    burndown: Markup
    burndown_legend: list[tuple[str, str, str]]
    incidents: list[tuple[str, ...]]
    firings: list[tuple[str, ...]]
    firing_tiers: list[str]
    attribution_labels: list[str]
    attribution: list[tuple[str, ...]]
    summary: tuple[str, ...]


def render_page(histories: Sequence[GroupHistory], slos: Mapping[tuple[str, str], Spec], *, prometheus: str,
                start: float, end: float, problems: Sequence[str] = (), notes: Sequence[str] = ()) -> str:
    """The whole page, as text (ends with a newline); the same input gives the same bytes.

    `slos` maps (service, SLO name) to the model SLO of every history (its objective, period,
    budget and alert windows); `start`/`end` is the backtested range (unix seconds);
    `problems` (SLOs that could not be backtested, and why) and `notes` (partial data and
    the like) are one line each, shown above the summary. Histories are drawn in the order given.
    """
    sections = [_section(index, history, slos[(history.service, history.slo)])
                for index, history in enumerate(histories)]
    span = f"{svg.utc(start, '%Y-%m-%d %H:%M')} to {svg.utc(end, '%Y-%m-%d %H:%M UTC')} ({_span(end - start)})"
    return render_html("backtest.html.j2", sections=sections, prometheus=prometheus, span=span,
                       problems=list(problems), notes=list(notes))


def group_name(history: GroupHistory) -> str:
    labels = ",".join(f"{key}=\"{value}\"" for key, value in sorted(history.labels.items()))
    return f"{history.service}/{history.slo}" + (f"{{{labels}}}" if labels else "")


def _section(index: int, history: GroupHistory, slo: Spec) -> _Section:
    name = group_name(history)
    sli = history.sli
    pages, tickets = history.per_week("page"), history.per_week("ticket")
    facts = [f"SLI {_percent(sli, 5)} (objective {slo.objective:g}%)",
             f"{_percent(history.budget_consumed)} of a {slo.period_text} budget consumed",
             f"{weekly(pages)} pages and {weekly(tickets)} tickets a week",
             f"{history.incidents_seen} incident{'' if history.incidents_seen == 1 else 's'}",
             f"over {_span(history.end - history.start)}"]
    remaining = history.budget_remaining
    colour = _zone_colour(remaining[-1][1] if remaining else None)
    burndown = charts.burndown_chart(
        remaining, history.start, history.end, title=f"{name}: error budget left", chart_id=str(index),
        colour=colour, end_label=f"{_percent(remaining[-1][1])} left" if remaining else None, frame=FRAME)
    burndown_legend = [("line", colour, "budget left")] + [
        ("box", fill, text) for top, _, fill, text in charts.ZONES
        if top > 0 or any(v < 0 for _, v in remaining)]
    attribution_labels = sorted({key for a in history.attribution for key in a.labels})
    ranked = sorted(history.incidents, key=lambda i: (-i.budget_consumed, i.start))
    return _Section(
        anchor=f"slo-{index}", name=name, window=burn_window(slo), facts=facts,
        below_objective=sli is not None and sli < slo.target,
        timeline=_timeline(history, slo, name), timeline_legend=_timeline_legend(history, slo),
        burndown=burndown, burndown_legend=burndown_legend,
        incidents=[(str(rank), _time(i.start), _span(i.duration), f"{i.peak_burn_rate:.3g}x",
                    _percent(i.budget_consumed), "no page" if i.time_to_page is None else _span(i.time_to_page))
                   for rank, i in enumerate(ranked, 1)],
        firings=[(f.tier, f.alert, f.kind, _time(f.start), "still firing" if f.end is None else _time(f.end),
                  _span((history.end if f.end is None else f.end) - f.start), _percent(f.budget_burned))
                 for f in sorted(history.firings, key=lambda f: (f.start, f.tier, f.alert))],
        firing_tiers=[f.tier for f in sorted(history.firings, key=lambda f: (f.start, f.tier, f.alert))],
        attribution_labels=attribution_labels,
        attribution=[(*(a.labels.get(key, "") for key in attribution_labels), _count(a.bad_events),
                      _percent(a.budget_consumed), _percent(a.share))
                     for a in sorted(history.attribution, key=lambda a: -a.budget_consumed)],
        summary=(name, f"{slo.objective:g}%", _percent(sli, 5), _percent(history.budget_consumed),
                 weekly(pages), weekly(tickets), str(history.incidents_seen)),
    )


def burn_window(slo: Spec) -> str:
    """The window of GroupHistory.burn_rate: the shortest long window of the SLO's pairs (1h by
    default), as history/replay.py's _burn_curve computes it. Keep the two in step."""
    return durations.format(min((p.long for p in slo.alerting.pairs), default=3600))


def _timeline(history: GroupHistory, slo: Spec, name: str) -> Markup:
    window = burn_window(slo)
    return charts.line_chart(history.burn_rate, history.start, history.end, title=f"{name}: burn rate over {window}",
                             y_title=f"burn rate ({window})", thresholds=_thresholds(slo),
                             bands=[_band(f) for f in _drawn(history)], colour=BURN_COLOUR, frame=FRAME)


def _drawn(history: GroupHistory) -> list[Firing]:
    """Tickets first, pages last: a page drawn over the ticket band it usually sits in stays visible."""
    return sorted(history.firings, key=lambda f: (f.tier == "page", f.start))


def _thresholds(slo: Spec) -> list[charts.Threshold]:
    """One line per active window pair: its burn-rate factor (threshold / error budget)."""
    lines = []
    for tier in TIERS:
        pairs = sorted(slo.alerting.active_pairs(tier), key=lambda p: p.long)
        for rank, pair in enumerate(pairs):
            colour = THRESHOLD_COLOURS[tier][min(rank, 1)]
            lines.append(charts.Threshold(pair.factor, f"{tier} {pair.long_text} {pair.factor:.3g}x", colour))
    return lines


def _band(firing: Firing) -> charts.Band:
    until = "the end of the range" if firing.end is None else _time(firing.end)
    title = (f"{firing.tier}: {firing.alert} ({firing.kind}) from {_time(firing.start)} to {until}, "
             f"{_percent(firing.budget_burned)} of the budget")
    return charts.Band(firing.start, firing.end if firing.end is not None else float("inf"),
                    TIER_COLOURS.get(firing.tier, "#7f8c8d"), title, css_class=f"band band-{firing.tier}",
                    opacity=0.4 if firing.tier == "page" else 0.25)


def _timeline_legend(history: GroupHistory, slo: Spec) -> list[tuple[str, str, str]]:
    items = [("line", BURN_COLOUR, "burn rate")]
    if slo.alerting.active_pairs("page") or slo.alerting.active_pairs("ticket"):
        items.append(("dash", THRESHOLD_COLOURS["page"][0], "alert thresholds (burn-rate factors, named at the right)"))
    for tier in TIERS:
        count = sum(1 for f in history.firings if f.tier == tier)
        # the swatch as translucent as the band (#rrggbbaa), so the two look alike
        items.append(("box", TIER_COLOURS[tier] + ("66" if tier == "page" else "40"), f"{tier} firing ({count})"))
    return items


def weekly(rate: float) -> str:
    """A count a week: two significant digits under 10 (0.23), whole numbers above (150, not 1.5e+02)."""
    return f"{rate:.0f}" if rate >= 10 else f"{rate:.2g}"


def _count(events: float) -> str:
    """Events: whole and grouped from 100 on (21,960), three digits below (rates make fractions)."""
    return f"{events:,.0f}" if events >= 100 else f"{events:.3g}"


def _zone_colour(left: float | None) -> str:
    if left is None:
        return "#7f8c8d"
    return "#1e8449" if left > 0.5 else "#b9770e" if left > 0.25 else "#c0392b" if left > 0 else "#7b241c"


def _percent(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value * 100:.{digits}g}%"


def _time(at: float) -> str:
    return svg.utc(at, "%Y-%m-%d %H:%M")


def _span(seconds: float) -> str:
    """A duration in its two largest units: 45s, 2m 5s, 3h 20m, 4d 6h (3d, not 3d 0h)."""
    left = max(0, round(seconds))
    parts: list[tuple[int, str]] = []
    for suffix, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size or parts:
            parts.append((left // size, suffix))
            left %= size
        if len(parts) == 2:
            break
    return " ".join(f"{count}{suffix}" for count, suffix in parts if count) or "0s"
