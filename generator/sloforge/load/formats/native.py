"""Native `sloforge/v1` ServiceLevels documents -> model.Service."""

from __future__ import annotations

from typing import Any

from sloforge import conventions, durations, promql
from sloforge.errors import Problem
from sloforge.load.budget_items import budget_policies
from sloforge.load.documents import Document, FieldPath
from sloforge.load.options import LoadOptions
from sloforge.load.reader import Reader, percent, scalar_text
from sloforge.model import policy
from sloforge.model.catalog import Alerting, Service, Slo, Tier
from sloforge.model.journey import Dependency
from sloforge.model.policy import WindowPair
from sloforge.model.sli import EventsSli, LatencySli, ProbeSli, RatioSli, Sli
from sloforge.promql import labels as grouping
from sloforge.schema.validate import check

NAME = "sloforge/v1"
EXPECTED = "apiVersion: sloforge/v1, kind: ServiceLevels"
TITLE = "sloforge"
API_GROUPS = ("sloforge",)
API_VERSION = "sloforge/v1"
KIND = "ServiceLevels"
RESERVED_LABELS = {conventions.LABEL_SERVICE, conventions.LABEL_SLO, conventions.LABEL_WINDOW,
                   conventions.LABEL_TIER, conventions.LABEL_ALERT_KIND, "__name__"}
# Not groups: a histogram bucket bound, and labels every alert sets itself (a page and a
# ticket of one group would differ in them, which also breaks their inhibition).
GROUP_BY_RESERVED = {"le"} | conventions.ALERT_LABELS
# A latency SLI names the histogram; these are its series.
HISTOGRAM_SERIES = ("_bucket", "_count", "_sum")
# The unit in a histogram's name -> how many of it make a second (its bucket bounds' unit).
# The keys of an `sli` mapping that are words about it, not its kind.
SLI_WORDS = ("definition", "exclusions")
TIME_UNITS = {"_seconds": 1.0, "_milliseconds": 1e3, "_ms": 1e3, "_microseconds": 1e6, "_us": 1e6,
              "_nanoseconds": 1e9, "_ns": 1e9}


def claims(document: Document) -> bool:
    data = document.data
    return isinstance(data, dict) and data.get("apiVersion") == API_VERSION and data.get("kind") == KIND


def services_from(documents: list[Document],
                  options: LoadOptions = LoadOptions()) -> tuple[list[Service], list[Problem]]:
    """One service per document (no options apply to native specs).

    A document with problems still gives the service made of its valid parts, so that
    the overlays check it too (its owner against the routing spec): every problem of
    every stage in one run. The catalog is never built while any problem is an error."""
    services, problems = [], []
    for document in documents:
        service, found = service_from_document(document)
        problems.extend(found)
        if service is not None:
            services.append(service)
    return services, problems


def service_from_document(document: Document) -> tuple[Service | None, list[Problem]]:
    """The service (None when even its name is unusable) and every problem: the schema's,
    then the semantic checks of each part the schema found valid."""
    problems, invalid, keys = check(document)
    # The document and each SLO are read key by key (a missing objective or an unknown field
    # there still lets the SLI be checked); any other mapping with a key problem is not read.
    invalid |= {path for path in keys if path and not (len(path) == 2 and path[0] == "slos")}
    reader = _Reader(document, invalid=invalid)
    service = reader.service()
    return service, problems + reader.problems


class _Reader(Reader):
    """Reads the parts of a document the schema has checked: what remains are semantic problems.

    `invalid` holds the paths of the values the schema rejected; a part at, under or
    above one of them is not read (the schema's message covers it), every other part is."""

    def __init__(self, doc: Document, invalid: set[FieldPath]):
        super().__init__(doc)
        self.invalid = invalid

    def valid(self, path: FieldPath) -> bool:
        """No rejected value at, under or above `path`: the part can be read whole."""
        return self.usable(path) and not any(bad[: len(path)] == path for bad in self.invalid)

    def usable(self, path: FieldPath) -> bool:
        """No rejected value at or above `path`: its own type is right, its parts may not be."""
        return not any(path[: len(bad)] == bad for bad in self.invalid)

    def service(self) -> Service | None:
        spec: dict[str, Any] = self.doc.data  # type: ignore[assignment]
        name = spec.get("service")
        if not isinstance(name, str) or not self.valid(("service",)):
            return None
        labels = self.spec_labels(spec.get("labels", {}), ("labels",)) if self.valid(("labels",)) else ()
        links = spec.get("links", {}) if self.valid(("links",)) else {}
        owner = spec.get("owner") if self.valid(("owner",)) else None
        raw_slos = spec.get("slos") if self.usable(("slos",)) else None
        slos = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_slos or []):
            at = ("slos", index)
            if not self.usable(at) or "name" not in raw or not self.valid(at + ("name",)):
                continue  # not a mapping, or no usable name
            if raw["name"] in seen:
                self.fail(("slos", index, "name"), f"SLO '{raw['name']}' is defined twice in this service")
            seen.add(raw["name"])
            slo = self.slo(raw, at, name, owner, labels, links)
            if slo is not None:
                slos.append(slo)
        version = spec.get("version") if self.valid(("version",)) else None
        review_every, review_last = self.review(spec.get("review"))
        return Service(name=name, source=self.doc.path, slos=tuple(slos),
                       owner=owner, labels=labels,
                       owner_line=self.doc.lines.get(("owner",)) or self.doc.line(("service",)),
                       dependencies=self.dependencies(spec.get("dependencies", []), name),
                       version=None if version is None else scalar_text(version),
                       review_every=review_every, review_last=review_last,
                       review_line=self.doc.lines.get(("review",)))

    def review(self, raw: object) -> tuple[int | None, str | None]:
        """`review: {every: 90d, last: 2026-10-01}`: (seconds, ISO date). YAML reads an unquoted
        date as text here (load/values.py), so the schema's pattern saw what was written;
        the calendar says whether the date exists."""
        if not isinstance(raw, dict) or not self.valid(("review",)):
            return None, None
        every = self.duration(raw["every"], ("review", "every"))
        last = raw.get("last")
        if last is not None:
            import datetime

            try:
                datetime.date.fromisoformat(last)
            except ValueError:
                self.fail(("review", "last"), f"{last!r} is not a date of the calendar; write it like 2026-10-01")
                last = None
        return every, last

    def dependencies(self, raw: object, service: str) -> tuple[Dependency, ...]:
        """The dependencies as written; whether they name real services and SLOs is a question
        about the whole catalog (load/relations.py)."""
        if not isinstance(raw, list) or not self.usable(("dependencies",)):
            return ()
        found: list[Dependency] = []
        for index, item in enumerate(raw):
            at: FieldPath = ("dependencies", index)
            if not self.valid(at):
                continue
            dependency = Dependency(item["service"], item.get("slo"), item.get("kind", "hard"),
                                    line=self.doc.line(at))
            if dependency.service == service:
                self.fail(at + ("service",), f"service '{service}' cannot depend on itself")
            elif any((d.service, d.slo) == (dependency.service, dependency.slo) for d in found):
                self.fail(at, f"{dependency.text} is listed twice; keep one entry")
            else:
                found.append(dependency)
        return tuple(found)

    def spec_labels(self, raw: dict[str, str], path: FieldPath) -> tuple[tuple[str, str], ...]:
        """A label map the schema has checked; a name sloforge sets itself is a problem."""
        for key in raw:
            if key in RESERVED_LABELS or key.startswith("__"):
                self.fail(path + (key,), f"label '{key}' is set by sloforge itself; choose another name")
        return tuple(sorted(raw.items()))

    def slo(self, raw: dict[str, Any], path: FieldPath, service: str, owner: str | None,
            service_labels: tuple[tuple[str, str], ...], links: dict[str, str]) -> Slo | None:
        """The SLO, or None after recording problems; every part the schema passed is checked."""
        period = self.duration(raw.get("window", "30d"), path + ("window",)) if self.valid(path + ("window",)) else None
        sli = self.sli(raw["sli"], path + ("sli",)) if "sli" in raw and self.usable(path + ("sli",)) else None
        has_objective = "objective" in raw and self.valid(path + ("objective",))
        objective = float(raw["objective"]) if has_objective else None
        slo_labels = dict(service_labels)
        if self.valid(path + ("labels",)):
            slo_labels.update(self.spec_labels(raw.get("labels", {}), path + ("labels",)))
        alerting = None
        if period is not None and objective is not None and self.valid(path + ("alerting",)):
            alerting = self.alerting(raw.get("alerting", {}), path + ("alerting",), service, raw["name"],
                                     period, 1 - objective / 100, sli)
        if sli is None or alerting is None or objective is None or period is None:
            return None
        clashing = sorted(set(sli.group_by) & set(slo_labels))
        if clashing:
            self.fail(path + ("labels", clashing[0]) if clashing[0] in raw.get("labels", {}) else ("labels",),
                      f"label '{clashing[0]}' is also in the SLI's group_by: a fixed value would merge "
                      "every group into one series; remove one of them")
            return None
        context = {"service": service, "slo": raw["name"]}
        return Slo(
            service=service, name=raw["name"], objective=objective, period=period, sli=sli,
            alerting=alerting, description=raw.get("description", ""), owner=owner,
            labels=tuple(sorted(slo_labels.items())),
            runbook_url=_fill(links.get("runbook"), context),
            dashboard_url=_fill(links.get("dashboard"), context),
            source=self.doc.path,
            rationale=raw.get("rationale", "") if self.valid(path + ("rationale",)) else "",
            sli_definition=raw["sli"].get("definition", "") if self.valid(path + ("sli", "definition")) else "",
            sli_exclusions=tuple(raw["sli"].get("exclusions", ())) if self.valid(path + ("sli", "exclusions"))
            else (),
        )

    def sli(self, raw: dict[str, Any], path: FieldPath) -> Sli | None:
        kind, body = next((k, v) for k, v in raw.items() if k not in SLI_WORDS)
        at = path + (kind,)
        if kind == "events" and self.usable(at):
            # each query the schema passed is checked, even when the other one was rejected
            ok = self.valid(at)
            for query in ("errors", "total"):
                if query in body and self.valid(at + (query,)):
                    ok &= self.windowed_query(body[query], at + (query,))
            if not ok:
                return None
            group_by = tuple(body.get("group_by", ()))
            ok = ok and self.keeps_groups(body["errors"], group_by, at + ("errors",), at)
            ok = ok and self.keeps_groups(body["total"], group_by, at + ("total",), at)
            return EventsSli(body["errors"], body["total"], group_by) if ok else None
        if kind == "latency" and self.usable(at):
            return self.latency(body, at)
        if not self.valid(at):
            return None
        if kind == "ratio":
            query, group_by, qpath = _query_and_group(body, at)
            ok = self.windowed_query(query, qpath) and self.keeps_groups(query, group_by, qpath, at)
            return RatioSli(query, group_by) if ok else None
        if kind == "probe":
            query, group_by, qpath = _query_and_group(body, at)
            ok = self.plain_query(query, qpath) and self.keeps_groups(query, group_by, qpath, at)
            return ProbeSli(query, group_by) if ok else None
        return None  # an unknown kind: the schema has said so

    def group_labels_allowed(self, group_by: tuple[str, ...], at: FieldPath) -> bool:
        for label in group_by:
            if label in RESERVED_LABELS or label in GROUP_BY_RESERVED or label.startswith("__"):
                self.fail(at + ("group_by",), f"cannot group by '{label}': it is set by sloforge or "
                          "Prometheus itself; choose another label")
                return False
        return True

    def keeps_groups(self, query: str, group_by: tuple[str, ...], path: FieldPath, at: FieldPath) -> bool:
        """A grouped SLO needs every query to keep the grouped labels."""
        if not self.group_labels_allowed(group_by, at):
            return False
        expr = promql.with_window(query, "5m")
        lost = grouping.dropped_labels(expr, group_by)
        if lost:
            names = ", ".join(lost)
            kept = grouping.exact_labels(expr)
            result = "" if kept is None else f" (its result has {_label_set(kept)}, the group needs " \
                f"{_label_set(frozenset(group_by))})"
            self.fail(path, f"the query drops the grouped label(s) {names}{result}; aggregate with "
                      f"`by ({', '.join(group_by)})` (or leave them out of `without`) so each group "
                      "keeps its labels")
            return False
        return True

    def latency(self, body: dict[str, Any], at: FieldPath) -> Sli | None:
        metric = body.get("metric")
        series = next((s for s in HISTOGRAM_SERIES if metric.endswith(s)), None) if isinstance(metric, str) else None
        if isinstance(metric, str) and series is not None and self.valid(at + ("metric",)):
            self.fail(at + ("metric",), f"'{metric}' names one series of the histogram; write its base name "
                      f"'{metric.removesuffix(series)}' (sloforge reads its _bucket and _count series)")
        if not self.valid(at) or series is not None:
            return None
        try:
            threshold = durations.parse_threshold_seconds(body["threshold"])
        except durations.DurationError as exc:
            self.fail(at + ("threshold",), str(exc))
            return None
        assert metric is not None  # required by the schema
        selector = body.get("selector", "{}") or "{}"
        sli = LatencySli(metric, selector, threshold, tuple(body.get("group_by", ())), _per_second(metric))
        if not self.group_labels_allowed(sli.group_by, at):
            return None
        probe = f"{body['metric']}_count{promql.merge_selector(selector, '')}"
        error = promql.parse_error(probe)
        if error is None and not promql.is_plain_selector(probe):
            error = "it must be only label matchers in braces, like {job=\"api\"}"
        if error:
            self.fail(at + ("selector",), f"{selector!r} is not a valid label selector: {error}")
            return None
        return sli

    def windowed_query(self, query: str, path: FieldPath) -> bool:
        return self.plain_query(query, path, windowed=True)

    def plain_query(self, query: str, path: FieldPath, windowed: bool = False) -> bool:
        problem = promql.query_problem(query, windowed)
        if problem:
            self.fail(path, problem)
        return problem is None

    def alerting(self, raw: dict[str, Any], path: FieldPath, service: str, slo: str, period: int,
                 error_budget: float, sli: Sli | None) -> Alerting | None:
        low, high = policy.DEFAULT_PERIOD_RANGE
        if raw.get("disable") and raw.get("windows") is None and not low <= period <= high:
            pairs: tuple[WindowPair, ...] | None = ()  # no alerts: any period will do
        else:
            pairs = self.pairs(raw.get("windows"), path, period)
        if pairs is None:
            return None
        for index, pair in enumerate(pairs):
            if not pair.can_fire(error_budget):
                where = path + ("windows", index) if raw.get("windows") else path
                self.warn(where, f"the {pair.tier} alert on the {pair.long_text}/{pair.short_text} windows "
                          f"can never fire: it needs an error ratio of {pair.threshold(error_budget):.3g} "
                          "(above 100%); lower the factor or raise the objective")
        tiers = []
        for name in conventions.TIERS:
            tier_raw = raw.get(name, {})
            labels = dict(tier_raw.get("labels", {}))
            severity = labels.pop(conventions.LABEL_SEVERITY, conventions.DEFAULT_SEVERITY[name])
            for_seconds = self.duration(tier_raw.get("for", durations.format(policy.DEFAULT_FOR[name])),
                                        path + (name, "for"))
            tiers.append(Tier(name, severity, for_seconds or 0,
                              self.spec_labels(labels, path + (name, "labels")),
                              tuple(sorted(tier_raw.get("annotations", {}).items())),
                              bool(tier_raw.get("disable", False))))
        min_events = raw.get("min_events")
        if min_events is not None and sli is not None and sli.time_based:
            self.fail(path + ("min_events",), f"min_events needs a request-based SLI; a {sli.kind} SLI "
                      "counts time, not events")
        absent = self.duration(raw["absent"], path + ("absent",)) if "absent" in raw else None
        budget, budget_problems = budget_policies(self.doc, raw.get("budget", []), path + ("budget",))
        self.problems.extend(budget_problems)
        return Alerting(
            name=raw.get("name") or conventions.alert_name(service, slo),
            pairs=pairs, tiers=tuple(tiers),
            labels=self.spec_labels(raw.get("labels", {}), path + ("labels",)),
            annotations=tuple(sorted(raw.get("annotations", {}).items())),
            disabled=bool(raw.get("disable", False)), min_events=min_events,
            absent_seconds=absent, budget=budget, budget_explicit="budget" in raw,
        )

    def pairs(self, raw: list[dict[str, Any]] | None, path: FieldPath,
              period: int) -> tuple[WindowPair, ...] | None:
        if raw is None:
            low, high = policy.DEFAULT_PERIOD_RANGE
            if not low <= period <= high:
                self.fail(path[:-1] + ("window",), f"{durations.format(period)} is outside 7d..90d, where "
                          "the default alert windows apply; set alerting.windows whose long windows fit inside it")
                return None
            return policy.default_pairs(period)
        pairs = []
        for index, item in enumerate(raw):
            at = path + ("windows", index)
            long = self.duration(item["long"], at + ("long",))
            short = self.duration(item["short"], at + ("short",)) if "short" in item else None
            if long is None or ("short" in item and short is None):
                return None
            if long > period:
                self.fail(at + ("long",), f"{item['long']} is longer than the SLO window {durations.format(period)}")
                return None
            if short is not None and short >= long:
                self.fail(at + ("short",), f"{item['short']} must be shorter than the long window {item['long']}")
                return None
            if ("budget" in item) == ("factor" in item):
                self.fail(at, "give exactly one of budget (share of the period's budget) or factor")
                return None
            fraction = percent(item["budget"]) if "budget" in item else None
            pairs.append(policy.pair(item["severity"], long, short, period,
                                     budget_fraction=fraction, factor=item.get("factor")))
        return tuple(pairs)


def _per_second(metric: str) -> float:
    """How many of the histogram's units make a second, read from the unit in its name.

    Prometheus histograms are in seconds (`_seconds`), but exporters that count in
    milliseconds name it (`_milliseconds`, `_ms`): their bucket bounds are in that unit,
    so a 250ms threshold is le="250" there, not le="0.25". A name without a unit is
    taken to be in seconds, the Prometheus convention."""
    for suffix, scale in TIME_UNITS.items():
        if metric.endswith(suffix):
            return scale
    return 1.0


def _query_and_group(body: object, at: FieldPath) -> tuple[str, tuple[str, ...], FieldPath]:
    if isinstance(body, dict):
        return body["query"], tuple(body.get("group_by", ())), at + ("query",)
    return str(body), (), at


def _label_set(labels: frozenset[str]) -> str:
    return "labels {" + ", ".join(sorted(labels)) + "}" if labels else "no labels"


def _fill(link: str | None, context: dict[str, str]) -> str | None:
    """Replace `{{ service }}` / `{{ slo }}` in a link; user text is never template source."""
    if link is None:
        return None
    import re

    return re.sub(r"\{\{\s*(service|slo)\s*\}\}", lambda m: context[m.group(1)], link)
