"""Can the report's `firing` column be trusted yet? Not right after Prometheus started.

`firing` reads the ALERTS series that Prometheus writes when it evaluates an
alerting rule. After a restart, each rule group writes nothing until its first
evaluation (up to one interval after start), its first evaluations see recorded
series with a hole over the downtime, and alerts with `for:` go through pending
again (or have their pending state restored at the first evaluation, firing at
the next). So an alert that should fire can be missing for a few evaluations:
with sloforge's 3m budget group, up to ~9 minutes.

The API has no "loaded at" time, so it is reasoned out: the server's start
(`/api/v1/status/runtimeinfo` startTime) and each group's `interval` and
`lastEvaluation` (`/api/v1/rules`) give the times of the evaluations since the
start (lastEvaluation - k * interval). A group is *warming* at time `at` while it
has been evaluated fewer than WARM_EVALUATIONS times since the start. Only groups
holding sloforge alerts (an alerting rule with an slo_service label) count.

A config reload does not reset this: Prometheus carries the alerts' state over to
the reloaded groups, so only a restart (startTime) is looked at.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sloforge import conventions as c
from sloforge.prometheus_api import Client, PrometheusError, RuleGroup

WARM_EVALUATIONS = 3


@dataclass(frozen=True, slots=True)
class Warming:
    """A rule group that had not yet been evaluated WARM_EVALUATIONS times at `at`."""

    group: str
    interval: float
    evaluations: int  # since the server started, up to `at`
    ready: float  # unix time of its WARM_EVALUATIONS-th evaluation (estimated if none yet)


def warming_groups(groups: list[RuleGroup], started: float | None, at: float) -> list[Warming]:
    """The sloforge alert groups still warming up at `at`, latest-ready first.

    Nothing when the start is unknown or after `at` (a report about a time before
    this server ran: its alerts came from an earlier process)."""
    if started is None or at < started:
        return []
    out = []
    for group in groups:
        if group.interval <= 0 or not any(c.LABEL_SERVICE in labels for labels in group.alert_labels):
            continue
        last = group.last_evaluation
        if last is None or last < started:  # not evaluated since the start: at most one interval away
            first = started + group.interval
            done = 0
        else:
            first = last - math.floor((last - started) / group.interval) * group.interval
            done = 0 if at < first else math.floor((min(at, last) - first) / group.interval) + 1
        ready = first + (WARM_EVALUATIONS - 1) * group.interval
        if done < WARM_EVALUATIONS and at < ready:
            out.append(Warming(group.name, group.interval, done, ready))
    return sorted(out, key=lambda w: (-w.ready, w.group))


def notice(warming: list[Warming], started: float, at: float) -> str | None:
    """One sentence for the page (and stderr) when alerts may still be missing."""
    if not warming:
        return None
    slowest = warming[0]
    minutes = round((at - started) / 60)
    since = f"{minutes} min before this report" if minutes >= 1 else "less than a minute before this report"
    others = f" (and {len(warming) - 1} more group{'s' if len(warming) > 2 else ''})" if len(warming) > 1 else ""
    return (f"Prometheus started at {_clock(started)}, {since}: its rule group "
            f"\"{slowest.group}\" (every {_duration(slowest.interval)}) had been evaluated "
            f"{slowest.evaluations} of the {WARM_EVALUATIONS} times it needs{others}, so alerts that "
            f"should fire may be missing from \"firing\" until about {_clock(slowest.ready)}.")


def check(client: Client, at: float) -> str | None:
    """The notice for this server at `at`, or None.

    A server that does not offer these endpoints (a Thanos or Mimir querier, an
    old proxy) answers with an error: the report then says nothing rather than fail,
    since the notice is advice, not data."""
    try:
        started = client.start_time()
        groups = client.rule_groups() if started is not None else []
    except PrometheusError:
        return None
    if started is None:
        return None
    return notice(warming_groups(groups, started, at), started, at)


def _clock(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%H:%M UTC")


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g}m" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:g}s"
