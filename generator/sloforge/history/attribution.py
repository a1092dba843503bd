"""Who spent the budget: an SLO's bad events split by label values (`backtest --by route`).

The split query is the SLI's own errors query with its outer aggregation rewritten to keep
the `--by` labels too (in the parsed PromQL, not by string surgery): `sum(rate(x[5m]))`
becomes `sum by (route) (rate(x[5m]))`, `sum by (code) (...)` becomes `sum by (code, route)
(...)`, `sum without (pod) (...)` stops removing a label asked for, and a query without an
outer aggregation is summed by the labels. Any other outer shape (a division, `max`, a
ratio SLI's average) has no per-label share of events, and says so.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sloforge import durations, promql
from sloforge.conventions import BASE_WINDOW_SECONDS
from sloforge.errors import SloforgeError
from sloforge.history.rates import STEP, Key, chunks
from sloforge.history.result import Attribution
from sloforge.model.catalog import Slo
from sloforge.model.sli import EventsSli, LatencySli, ProbeSli, RatioSli
from sloforge.prometheus_api import Client


class SplitError(SloforgeError):
    """An SLI whose errors cannot be split by label."""


def split_query(slo: Slo, by: tuple[str, ...]) -> str:
    """The SLI's 5m error rate, per group and per value of the `by` labels."""
    sli = slo.sli
    window = durations.format(BASE_WINDOW_SECONDS)
    keep = tuple(dict.fromkeys((*sli.group_by, *by)))
    if isinstance(sli, (LatencySli, ProbeSli)):
        # These kinds write their own `sum by (<group labels>)`: the labels join the group.
        return dataclasses.replace(sli, group_by=keep).error_rate(window)
    if isinstance(sli, RatioSli):
        raise SplitError(f"{slo.service}/{slo.name}: a ratio SLI counts time, not events: its errors "
                         "cannot be split by label (--by); split the metric behind the ratio instead")
    assert isinstance(sli, EventsSli)
    return _rewrite(promql.with_window(sli.errors, window), keep, f"{slo.service}/{slo.name}")


def _rewrite(query: str, keep: tuple[str, ...], name: str) -> str:
    node = promql.parse(query)
    while type(node).__name__ == "ParenExpr":
        node = node.expr
    kind = type(node).__name__
    labels = ", ".join(keep)
    if kind == "AggregateExpr":
        op = str(node.op)
        if op != "sum" and op != "count":
            raise SplitError(f"{name}: the errors query's outer aggregation is {op}(): only a sum of "
                             f"events has a share per label (--by {labels})")
        modifier = node.modifier
        inner = str(node.expr)
        if modifier is None or not list(modifier.labels):
            return f"{op} by ({labels}) ({inner})"
        current = list(modifier.labels)
        if str(modifier.type).lower().endswith("without"):
            dropped = [label for label in current if label not in keep]
            return f"{op} without ({', '.join(dropped)}) ({inner})" if dropped else f"{op} ({inner})"
        grouped = ", ".join(dict.fromkeys((*current, *keep)))
        return f"{op} by ({grouped}) ({inner})"
    if kind == "BinaryExpr":
        raise SplitError(f"{name}: the errors query is a {node.op} of two expressions: rewrite it as one "
                         f"sum (e.g. sum(rate(errors[5m]))) to split it by {labels}")
    return f"sum by ({labels}) ({query})"


def bad_events(client: Client, slo: Slo, by: tuple[str, ...], start: int, end: int) -> dict[Key, dict[Key, float]]:
    """Bad events over (start, end]: group labels -> `by` values -> count, one query per chunk."""
    query = split_query(slo, by)
    found: dict[Key, dict[Key, float]] = {}
    for first, last in chunks(start + STEP, end):
        for series in client.query_range(query, first, last, STEP):
            group = tuple(sorted((k, series.labels.get(k, "")) for k in slo.sli.group_by))
            key = tuple((label, series.labels.get(label, "")) for label in by)
            values = np.asarray([v for _, v in series.points], dtype=np.float64)
            per_group = found.setdefault(group, {})
            per_group[key] = per_group.get(key, 0.0) + float(np.nansum(values)) * STEP
    if found and all(value == "" for per_group in found.values() for key in per_group for _, value in key):
        raise SplitError(f"{slo.service}/{slo.name}: the errors query's series have no label "
                         f"{', '.join(by)}: pick a label its metric has (sloforge lint shows them)")
    return found


def shares(bad: dict[Key, float], period_budget: float) -> tuple[Attribution, ...]:
    """One group's bad events by value, largest first, as shares of its bad events and its budget."""
    total = sum(bad.values())
    out = [Attribution(dict(key), value, value / period_budget if period_budget else 0.0,
                       value / total if total else 0.0) for key, value in bad.items() if value > 0]
    out.sort(key=lambda a: (-a.bad_events, sorted(a.labels.items())))
    return tuple(out)
