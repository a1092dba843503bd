"""`sloforge backtest`: the generated rules replayed over an SLO's past, SLO by SLO.

One SLO's failure (Prometheus refused a query, no data, a query that cannot be split
by label) is one line in `problems`; the other SLOs are still replayed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from sloforge import durations
from sloforge.errors import SloforgeError
from sloforge.history import attribution, rates
from sloforge.history.replay import replay
from sloforge.history.result import GroupHistory
from sloforge.model.catalog import Slo
from sloforge.model.journey import Journey
from sloforge.prometheus_api import Client


@dataclass(frozen=True, slots=True)
class Options:
    start: int  # unix seconds, a multiple of 60
    end: int
    by: tuple[str, ...] = ()  # attribution labels


@dataclass(slots=True)
class Outcome:
    histories: list[GroupHistory] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line per SLO that could not be replayed
    notes: list[str] = field(default_factory=list)  # partial data and the like


def requests_per_slo(slo: Slo, options: Options) -> int:
    """Range queries one SLO needs: what the progress bar counts."""
    return rates.requests(slo, options.start, options.end) + (len(rates.chunks(options.start + 60, options.end))
                                                              if options.by else 0)


def check_retention(client: Client, options: Options, now: float) -> None:
    """SloforgeError when the range starts before the oldest data the server keeps.

    A server that keeps 15d has nothing of a 30d range's first half: replaying it would report a
    quiet fortnight that was never measured."""
    text = client.retention()
    try:
        kept = durations.parse(text.split(" or ")[0].strip()) if text else None
    except durations.DurationError:
        kept = None  # a size-only retention (`10GiB`): nothing to compare
    if kept is None:
        return
    oldest = now - kept
    if options.start < oldest:
        raise SloforgeError(f"the range starts {_iso(options.start)}, before the oldest data Prometheus keeps "
                            f"(retention {text}: {_iso(oldest)}); shorten --range or move --end")


def run(slos: Sequence[Slo], client: Client, options: Options,
        progress: Callable[[int], None] | None = None, now: float | None = None,
        journeys: Sequence[tuple[Journey, list[Slo]]] = ()) -> Outcome:
    """`journeys`: each with its step SLOs, replayed from the steps' rates (history/journey.py)."""
    outcome = Outcome()
    check_retention(client, options, time.time() if now is None else now)
    for journey, steps in journeys:
        try:
            outcome.histories.append(_journey(journey, steps, client, options, progress))
        except SloforgeError as exc:
            outcome.problems.append(f"journey/{journey.name}: {exc}")
    for slo in slos:
        name = f"{slo.service}/{slo.name}"
        try:
            outcome.histories.extend(_one(slo, client, options, progress, outcome.notes))
        except SloforgeError as exc:
            message = str(exc)
            outcome.problems.append(message if message.startswith(name) else f"{name}: {message}")
    return outcome


def _one(slo: Slo, client: Client, options: Options, progress: Callable[[int], None] | None,
         notes: list[str]) -> list[GroupHistory]:
    name = f"{slo.service}/{slo.name}"
    groups = rates.fetch(client, slo, options.start, options.end, progress)
    groups = [g for g in groups if np.any(~np.isnan(g.total[(options.start - g.start) // rates.STEP:]))]
    if not groups:
        raise SloforgeError(f"{name}: no data: its SLI queries returned nothing between "
                            f"{_iso(options.start)} and {_iso(options.end)} (sloforge lint shows why)")
    split = attribution.bad_events(client, slo, options.by, options.start, options.end) if options.by else {}
    if options.by and progress is not None:
        progress(len(rates.chunks(options.start + 60, options.end)))
    out = []
    for group in groups:
        seen = np.flatnonzero(~np.isnan(group.total))
        if seen.size and group.start + rates.STEP * int(seen[0]) > options.start:
            label = f"{name}{_labels_text(group.labels)}"
            notes.append(f"{label}: data only from {_iso(group.start + rates.STEP * int(seen[0]))}: "
                         "the range before it counts no events")
        history = replay(slo, group, options.start, options.end)
        if options.by:
            budget = slo.error_budget * history.total_events * slo.period / (options.end - options.start)
            key = tuple(sorted(group.labels.items()))
            history = replace(history, attribution=attribution.shares(split.get(key, {}), budget))
        out.append(history)
    return out


def _journey(journey: Journey, steps: list[Slo], client: Client, options: Options,
             progress: Callable[[int], None] | None) -> GroupHistory:
    from sloforge.history.journey import merged, replay_journey

    step_rates = []
    for slo in steps:
        groups = rates.fetch(client, slo, options.start, options.end, progress)
        if groups:
            step_rates.append((slo, merged(groups)))
    if not step_rates:
        raise SloforgeError(f"no data: none of its steps' SLI queries returned anything between "
                            f"{_iso(options.start)} and {_iso(options.end)}")
    # A step without data counts as succeeding, as the journey's rules count it.
    return replay_journey(journey, [s for s, _ in step_rates], [r for _, r in step_rates], options.start,
                          options.end)


def _labels_text(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else ""


def _iso(moment: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
