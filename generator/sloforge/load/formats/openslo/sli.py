"""OpenSLO indicators -> sloforge SLI kinds.

  ratioMetric good|bad / total, Occurrences    -> EventsSli (errors = total - good, or bad;
                                                  each query summed to one series first)
  ratioMetric good|bad / total, RatioTimeslices -> RatioSli (average of 5m ratios, time-weighted)
  ratioMetric raw (rawType success|failure)    -> RatioSli
  thresholdMetric + objective op/value          -> ProbeSli over `query <op> bool value` (1 = good)
Prometheus sources only (`type: Prometheus`, `spec.query` or Nobl9's `spec.promql`;
v1alpha `source: prometheus`). `counter: true` (v1alpha `incremental: true`)
marks a raw counter: sloforge applies rate() itself, inside any sum().
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sloforge import promql
from sloforge.load.documents import FieldPath
from sloforge.load.formats.openslo.objects import Obj, ObjReader
from sloforge.load.reader import scalar_text
from sloforge.model.sli import EventsSli, ProbeSli, RatioSli, Sli
from sloforge.promql.labels import aggregated

WINDOW = "{{ window }}"
OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_GROUPING = r"((?:by|without)\s*\([^)]*\))?"
_SUM = re.compile(rf"^\s*(sum)\s*{_GROUPING}\s*\((.*)\)\s*{_GROUPING}\s*$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Indicator:
    """An SLI object's parsed spec, before an objective picks the SLI kind."""

    kind: str  # "ratio" | "raw" | "threshold"
    queries: tuple[tuple[str, str], ...]  # (role, PromQL with {{ window }} where it needs one)

    def query(self, role: str) -> str:
        return dict(self.queries)[role]


def indicator(reader: ObjReader, spec: dict[str, Any], path: FieldPath, sources: dict[str, Obj]) -> Indicator | None:
    """A v1 SLI spec: {ratioMetric | thresholdMetric}."""
    reader.known(spec, path, {"description", "ratioMetric", "thresholdMetric"})
    if ("ratioMetric" in spec) == ("thresholdMetric" in spec):
        reader.fail(path, "give exactly one of ratioMetric or thresholdMetric")
        return None
    if "thresholdMetric" in spec:
        body = reader.get(spec, path, "thresholdMetric", dict, required=True) or {}
        query = _source(reader, body, path + ("thresholdMetric",), sources, counter=None)
        return Indicator("threshold", (("value", query),)) if query else None
    at = path + ("ratioMetric",)
    body = reader.get(spec, path, "ratioMetric", dict, required=True) or {}
    reader.known(body, at, {"counter", "good", "bad", "total", "raw", "rawType"})
    counter = reader.get(body, at, "counter", bool, default=False)
    if "raw" in body:
        raw_type = reader.get(body, at, "rawType", str, required=True)
        if raw_type not in (None, "success", "failure"):
            reader.fail(at + ("rawType",), f"{raw_type!r} must be success or failure")
        query = _source(reader, body["raw"], at + ("raw",), sources, counter=None)
        if query is None or raw_type is None:
            return None
        return Indicator("raw", (("error_ratio", query if raw_type == "failure" else f"1 - ({query})"),))
    return _ratio(reader, body, at, lambda part, where: _source(reader, part, where, sources, counter))


def alpha_indicator(reader: ObjReader, body: dict[str, Any], path: FieldPath, threshold: bool) -> Indicator | None:
    """v1alpha (as Sloth reads it): thresholdMetric {source, query} or ratioMetrics {good|bad, total}."""
    if threshold:
        query = _alpha_source(reader, body, path, incremental=None)
        return Indicator("threshold", (("value", query),)) if query else None
    reader.known(body, path, {"incremental", "good", "bad", "total"})
    incremental = reader.get(body, path, "incremental", bool, default=False)
    return _ratio(reader, body, path, lambda part, where: _alpha_source(reader, part, where, incremental))


def sli_for(reader: ObjReader, found: Indicator, method: str, objective: dict[str, Any],
            path: FieldPath) -> Sli | None:
    """The SLI kind an objective and budgeting method make of an indicator."""
    if found.kind == "threshold":
        op, value = objective.get("op"), objective.get("value")
        if not isinstance(op, str) or op not in OPS or isinstance(value, bool) or not isinstance(value, (int, float)):
            reader.fail(path, "a thresholdMetric objective needs op (lt, lte, gt or gte: how a good value "
                        "compares) and a numeric value (the threshold)")
            return None
        return ProbeSli(f"({found.query('value')}) {OPS[op]} bool {scalar_text(value)}")
    if "op" in objective or "value" in objective:
        reader.warn(path + ("op" if "op" in objective else "value",), "op and value apply only to a "
                    "thresholdMetric; on a ratio indicator they are invalid and ignored")
    if found.kind == "raw":
        return RatioSli(found.query("error_ratio"))
    # OpenSLO SLOs are not grouped: each query is summed to one series first, so that
    # `total - good` and `good / total` match whatever labels the two queries keep.
    total = aggregated(found.query("total"), ())
    if "good" in dict(found.queries):
        good = aggregated(found.query("good"), ())
        errors = f"clamp_min(({total}) - ({good}), 0)"
        ratio = f"1 - (({good}) / ({total}))"
    else:
        errors = aggregated(found.query("bad"), ())
        ratio = f"({errors}) / ({total})"
    if method == "RatioTimeslices":
        return RatioSli(ratio)
    if method == "Timeslices":
        reader.fail(path, "budgetingMethod Timeslices on a ratio indicator (a slice is good when its ratio "
                    "meets timeSliceTarget) is not supported: use Occurrences (every request counts) or "
                    "RatioTimeslices (the average of slice ratios)")
        return None
    return EventsSli(errors, total)


def _ratio(reader: ObjReader, body: dict[str, Any], path: FieldPath, source: Any) -> Indicator | None:
    if not isinstance(body, dict):
        reader.fail(path, "must be a mapping with total and one of good or bad")
        return None
    if ("good" in body) == ("bad" in body) or "total" not in body:
        reader.fail(path, "a ratio needs total and exactly one of good or bad")
        return None
    role = "good" if "good" in body else "bad"
    first, total = source(body[role], path + (role,)), source(body["total"], path + ("total",))
    if first is None or total is None:
        return None
    return Indicator("ratio", ((role, first), ("total", total)))


def _source(reader: ObjReader, part: object, path: FieldPath, sources: dict[str, Obj],
            counter: bool | None) -> str | None:
    """{metricSource: {metricSourceRef, type, spec: {query | promql}}} -> PromQL."""
    if not isinstance(part, dict) or not isinstance(part.get("metricSource"), dict):
        reader.fail(path, "needs a metricSource mapping")
        return None
    source, at = part["metricSource"], path + ("metricSource",)
    reader.known(part, path, {"metricSource"})
    reader.known(source, at, {"metricSourceRef", "type", "spec"})
    kind = source.get("type")
    ref = source.get("metricSourceRef")
    if kind is None and ref is not None:
        if ref not in sources:
            reader.fail(at + ("metricSourceRef",), f"no DataSource named {ref!r} among the inputs, and no type")
            return None
        kind = sources[ref].data.get("spec", {}).get("type")
    if not reader.prometheus(kind, at + ("type",)):
        return None
    spec = reader.get(source, at, "spec", dict, required=True) or {}
    key = "promql" if "promql" in spec and "query" not in spec else "query"
    query = reader.get(spec, at + ("spec",), key, str, required=True)
    return _prepared(reader, query, at + ("spec", key), counter) if query else None


def _alpha_source(reader: ObjReader, part: dict[str, Any], path: FieldPath, incremental: bool | None) -> str | None:
    reader.known(part, path, {"source", "queryType", "query", "metadata"})
    if not reader.prometheus(reader.get(part, path, "source", str, required=True), path + ("source",)):
        return None
    query = reader.get(part, path, "query", str, required=True)
    return _prepared(reader, query, path + ("query",), incremental) if query else None


def _prepared(reader: ObjReader, query: str, path: FieldPath, counter: bool | None) -> str | None:
    """Give the query a window: Sloth-style placeholders are kept, raw counters get
    rate(), gauges are averaged over the window. `counter` is None for values used as-is."""
    query = query.strip()
    if promql.has_window(query):
        if counter:
            reader.warn(path, "counter: true ignored: the query has its own {{.window}}, so it already rates")
        return query if reader.query(query, path, windowed=True) else None
    if not reader.query(query, path, windowed=False):
        return None
    if counter is None:
        return query
    if counter:
        if re.search(r"\b(rate|irate|increase)\s*\(", query):
            reader.fail(path, "counter: true means a raw counter selector, but the query already applies "
                        "rate()/increase(); set counter: false or drop the function")
            return None
        if promql.is_plain_selector(query):
            return f"sum(rate({query}[{WINDOW}]))"
        match = _SUM.match(query)
        if match and promql.is_plain_selector(match.group(3).strip()):
            grouping = f" {match.group(2) or match.group(4)}" if (match.group(2) or match.group(4)) else ""
            return f"sum{grouping}(rate({match.group(3).strip()}[{WINDOW}]))"
        reader.fail(path, "counter: true needs a counter selector such as http_requests_total{job=\"x\"} "
                    "or sum(...) of one, so that sloforge can apply rate() before summing")
        return None
    averaged = f"avg_over_time(({query})[{WINDOW}:])"
    problem = promql.parse_error(promql.with_window(averaged, "5m"))
    if problem:
        # `0` or `vector(1) * 2`-like scalars parse alone but cannot be averaged over a window.
        reader.fail(path, f"a gauge query is averaged over each window (avg_over_time), which PromQL "
                    f"refuses here: {problem}; write a query that returns series, e.g. a selector")
        return None
    return averaged
