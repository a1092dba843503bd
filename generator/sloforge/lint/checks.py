"""The live checks of each SLO's SLI, run with its own queries over a recent range.

Static checks (JSON Schema, PromQL parsing, promtool) cannot see that a query matches
nothing in production: a threshold that is not a bucket boundary, a label the metric
does not have, a status label spelled `status_code`. Such an SLO compiles, ships, and
never alerts. Each check here asks the live Prometheus and reports one located finding:

  total     the total query has no series, or saw no traffic over the range (error)
  buckets   a latency threshold that is not a bucket boundary of the histogram (error)
  errors    the errors query matches no series while total has traffic: "matches nothing"
            (a label or value the metric never had: error) or "no errors yet" (warning)
  groups    a group_by label missing from the series (error); more groups than expected (warning)
  bounds    the error ratio above 1 or below 0 at some point (error: errors is not a subset of total)
  recorded  no recorded sloforge series for the SLO (rules not loaded), or series recorded
            with other static labels than the spec gives now (warning)

Queries run in parallel (a thread pool): each SLO needs 2 to 6 requests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sloforge import conventions as c
from sloforge import durations, promql
from sloforge.errors import Problem
from sloforge.lint.locate import Locator
from sloforge.lint.selectors import Selector, selectors
from sloforge.model.catalog import Slo
from sloforge.model.sli import EventsSli, LatencySli, RatioSli
from sloforge.prometheus_api import Client, Sample

BASE = "5m"
PARALLEL = 8
# The identity and window labels every recorded series carries; the rest are the spec's labels.
_RECORDED_OWN = {"__name__", c.LABEL_SERVICE, c.LABEL_SLO, c.LABEL_WINDOW}


@dataclass(frozen=True, slots=True)
class Options:
    at: float
    range_seconds: int = 86400
    max_groups: int = 100


@dataclass(frozen=True, slots=True)
class Finding:
    slo: str  # service/name
    problem: Problem

    @property
    def severity(self) -> str:
        return "warning" if self.problem.warning else "error"

    def to_json(self) -> dict[str, object]:
        p = self.problem
        return {"slo": self.slo, "severity": self.severity, "path": p.path, "line": p.line,
                "field": p.field, "message": p.message}


@dataclass(frozen=True, slots=True)
class _Raw:
    field: tuple[str, ...]  # below the SLO's `sli.<kind>`, or ("name",) for the SLO itself
    message: str
    warning: bool = False


def lint(slos: Iterable[Slo], client: Client, options: Options) -> list[Finding]:
    """Every finding of every SLO, in the SLOs' order."""
    chosen = list(slos)
    recorded = _recorded(client, options)
    with ThreadPoolExecutor(PARALLEL) as pool:
        raws = list(pool.map(lambda slo: _check(slo, client, options, recorded), chosen))
    locator = Locator()
    return [Finding(f"{slo.service}/{slo.name}", locator.problem(slo, raw.field, raw.message, raw.warning))
            for slo, found in zip(chosen, raws, strict=True) for raw in found]


def _check(slo: Slo, client: Client, options: Options,
           recorded: dict[tuple[str, str], list[dict[str, str]]]) -> list[_Raw]:
    found: list[_Raw] = []
    window = durations.format(options.range_seconds)
    sli = slo.sli
    if isinstance(sli, LatencySli):
        found += _buckets(sli, client, options, window)
    total_query = sli.total_rate(window)
    if total_query is not None:
        total = client.query(total_query, options.at)
        events = sum(s.value for s in total if math.isfinite(s.value)) * options.range_seconds
        if not total:
            field = ("total",) if isinstance(sli, EventsSli) else ("metric",) if isinstance(sli, LatencySli) else ()
            why = _nothing(client, selectors(total_query), options)[1]
            found.append(_Raw(field, f"the total query matches no series in the last {window}{why}"))
            return found + _recorded_finding(slo, recorded, window)
        if events <= 0:  # nothing else can be told from no traffic
            found.append(_Raw(("total",) if isinstance(sli, EventsSli) else (),
                              f"no traffic in the last {window}: the total query's series are all 0"))
            return found + _recorded_finding(slo, recorded, window)
        found += _groups(sli.group_by, total, options)
    elif isinstance(sli, RatioSli):
        probe = f"count(count_over_time(({promql.with_window(sli.query, BASE)})[{window}:{BASE}]))"
        if not client.query(probe, options.at):
            why = _nothing(client, selectors(promql.with_window(sli.query, BASE)), options)[1]
            found.append(_Raw((), f"the ratio query has no value in the last {window}{why}"))
            return found + _recorded_finding(slo, recorded, window)
    if isinstance(sli, EventsSli):
        errors_query = promql.with_window(sli.errors, window)
        if not client.query(errors_query, options.at):
            nothing, why = _nothing(client, selectors(errors_query), options)
            if nothing:
                found.append(_Raw(("errors",), f"the errors query matches nothing in the last {window}{why}"))
            else:
                found.append(_Raw(("errors",), f"no errors yet: the errors query has no series in the last "
                                  f"{window}, but every label value it asks for exists{why}", warning=True))
    found += _bounds(slo, client, options, window)
    return found + _recorded_finding(slo, recorded, window)


def _buckets(sli: LatencySli, client: Client, options: Options, window: str) -> list[_Raw]:
    series = f"{sli.metric}_bucket{promql.merge_selector(sli.selector, '')}"
    values = client.label_values("le", [series], options.at - options.range_seconds, options.at)
    if not values:
        return [_Raw(("metric",), f"{series} has no series in the last {window}")]
    bounds = sorted(float(v) for v in values)
    threshold = sli.threshold_seconds
    if any(math.isclose(b, threshold, rel_tol=1e-9) for b in bounds):
        return []
    below = [b for b in bounds if b < threshold]
    above = [b for b in bounds if b > threshold]
    near = ", ".join(_seconds_text(b) for b in ([below[-1]] if below else []) + ([above[0]] if above else []))
    return [_Raw(("threshold",), f"{_seconds_text(threshold)} is not a bucket of {sli.metric}, so good events "
                 f"are never counted; buckets near it: {near} (all: "
                 f"{', '.join(_seconds_text(b) for b in bounds)})")]


def _groups(group_by: tuple[str, ...], total: list[Sample], options: Options) -> list[_Raw]:
    if not group_by:
        return []
    found: list[_Raw] = []
    missing = [label for label in group_by if all(label not in s.labels for s in total)]
    if missing:
        found.append(_Raw(("group_by",), f"group_by {', '.join(missing)}: no series of the total query has "
                          f"{'this label' if len(missing) == 1 else 'these labels'} "
                          f"(they carry: {', '.join(sorted({k for s in total for k in s.labels})) or 'no labels'})"))
    if len(total) > options.max_groups:
        values = sorted((s.value for s in total if math.isfinite(s.value)), reverse=True)
        share = sum(values[:10]) / sum(values) if sum(values) > 0 else 0.0
        found.append(_Raw(("group_by",), f"{len(total)} groups (more than --max-groups {options.max_groups}); "
                          f"the 10 largest carry {share:.0%} of the events: is every group worth an SLO "
                          "and its alerts?", warning=True))
    return found


def _bounds(slo: Slo, client: Client, options: Options, window: str) -> list[_Raw]:
    sli = slo.sli
    by = f" by ({', '.join(sli.group_by)})" if sli.group_by else ""
    if isinstance(sli, EventsSli):
        ratio = (f"sum{by}({promql.with_window(sli.errors, BASE)}) / "
                 f"sum{by}({promql.with_window(sli.total, BASE)})")
        field: tuple[str, ...] = ("errors",)
    elif isinstance(sli, RatioSli):
        ratio, field = promql.with_window(sli.query, BASE), ()
    else:
        return []
    found: list[_Raw] = []
    for function, wrong in (("max", lambda v: v > 1 + 1e-9), ("min", lambda v: v < -1e-9)):
        samples = client.query(f"{function}({function}_over_time(({ratio})[{window}:{BASE}]))", options.at)
        values = [s.value for s in samples if math.isfinite(s.value)]
        if values and wrong(values[0]):
            found.append(_Raw(field, f"the error ratio reaches {values[0]:.4g} in the last {window}, "
                              f"{'above 1' if function == 'max' else 'below 0'}: the errors query counts "
                              "events the total query does not (errors must be a subset of total)"))
    return found


def _nothing(client: Client, found: list[Selector], options: Options) -> tuple[bool, str]:
    """Why selectors match no series: (True, why) when some matcher names a label or value
    the metric never had in the range, else (False, a note that every part exists)."""
    start, end = options.at - options.range_seconds, options.at
    for selector in found:
        if not selector.metric:
            continue
        if not client.label_values("__name__", [selector.metric], start, end):
            return True, f": {selector.metric} has no series at all (a typo in the metric name?)"
        for matcher in selector.matchers:
            values = client.label_values(matcher.name, [selector.metric], start, end)
            if any(matcher.matches(v) for v in values) or (not values and matcher.matches("")):
                continue
            if not values:
                labels = client.series([selector.metric], start, end)[:1]
                names = sorted(set(labels[0]) - {"__name__"}) if labels else []
                return True, (f": {selector.metric} never has a label {matcher.name} "
                              f"(its labels: {', '.join(names) or 'none'})")
            seen = sorted(values)
            shown = ", ".join(seen[:12]) + (f", ... ({len(seen)} values)" if len(seen) > 12 else "")
            return True, f": no {selector.metric} series has {matcher} (values of {matcher.name}: {shown})"
    return False, " on some series (a counter not incremented yet is fine)"


def _recorded(client: Client, options: Options) -> dict[tuple[str, str], list[dict[str, str]]]:
    """The static labels of the recorded 5m error ratio of every SLO seen in the range."""
    window = durations.format(options.range_seconds)
    out: dict[tuple[str, str], list[dict[str, str]]] = {}
    for sample in client.query(f"last_over_time({c.error_ratio(BASE)}[{window}])", options.at):
        key = (sample.labels.get(c.LABEL_SERVICE, ""), sample.labels.get(c.LABEL_SLO, ""))
        out.setdefault(key, []).append({k: v for k, v in sample.labels.items() if k not in _RECORDED_OWN})
    return out


def _recorded_finding(slo: Slo, recorded: dict[tuple[str, str], list[dict[str, str]]], window: str) -> list[_Raw]:
    series = recorded.get((slo.service, slo.name))
    if not series:
        return [_Raw(("name",), f"no recorded sloforge series ({c.error_ratio(BASE)}) for this SLO in the last "
                     f"{window}: its rules are not loaded in this Prometheus, or were loaded under another "
                     "service or SLO name", warning=True)]
    # Only the spec's labels are compared: a query that keeps labels of its own (an
    # unaggregated `rate(...)`) adds others, which tell nothing about the spec's age.
    expected = dict(slo.labels)
    for labels in series:
        differ = {k: labels.get(k, "") for k in expected if labels.get(k) != expected[k]}
        if differ:
            return [_Raw(("name",), f"recorded series carry {_labels_text(differ)} where the spec now gives "
                         f"{_labels_text({k: expected[k] for k in differ})}: the rules loaded in this "
                         "Prometheus are older than the spec", warning=True)]
    return []


def _labels_text(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}={promql.string(v)}" for k, v in sorted(labels.items())) + "}"


def _seconds_text(seconds: float) -> str:
    if math.isinf(seconds):
        return "+Inf"
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"
