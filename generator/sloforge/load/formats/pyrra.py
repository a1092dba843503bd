"""Pyrra `pyrra.dev/v1alpha1` ServiceLevelObjective objects -> model.Service.

Objects come one per document, several per file, or in a Kubernetes list
(`kind: List` or `ServiceLevelObjectiveList`, with `items`). Mapping (docs/importers.md
has the user's view; Pyrra's own meaning is in its kubernetes/api/v1alpha1 types and
slo/rules.go):
  metadata.namespace (else "default")  -> the service; every SLO of a namespace is one service
  metadata.name                        -> the SLO name, and Pyrra's `slo` label on every rule
  metadata.labels/annotations `pyrra.dev/<x>` -> label / alert annotation <x> (as Pyrra propagates them)
  indicator.ratio errors/total         -> EventsSli: sum by (grouping) (rate(selector[window]))
  indicator.latency success/total      -> LatencySli (same histogram) or EventsSli (total - success)
  indicator.bool_gauge / boolGauge     -> ProbeSli (count_over_time - sum_over_time, as Pyrra)
  target "99.5", window 4w             -> objective, period
  alerting                             -> Pyrra's four windows scaled from the period, factors 14/7/2/1
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from sloforge import conventions, durations, promql
from sloforge.errors import Problem
from sloforge.load.documents import Document, FieldPath
from sloforge.load.formats.native import RESERVED_LABELS
from sloforge.load.options import LoadOptions
from sloforge.load.reader import ALERT_NAME_PATTERN, Reader, agreed_owner, is_label_name, scalar_text
from sloforge.model import policy
from sloforge.model.catalog import Alerting, Service, Slo, Tier
from sloforge.model.sli import EventsSli, LatencySli, ProbeSli, Sli

NAME = "pyrra"
EXPECTED = "Pyrra apiVersion: pyrra.dev/v1alpha1, kind: ServiceLevelObjective (or a List of them)"
TITLE = "Pyrra"
API_GROUPS = ("pyrra.dev",)
GROUP = "pyrra.dev/"
API = "pyrra.dev/v1alpha1"
KIND = "ServiceLevelObjective"
LIST_KINDS = {"List", "ServiceLevelObjectiveList"}
DEFAULT_NAMESPACE = "default"  # where Kubernetes puts an object without one
PROPAGATE = "pyrra.dev/"  # Pyrra's prefix for labels and annotations copied onto rules
DEFAULT_ALERT = "ErrorBudgetBurn"
MIN_PERIOD, MAX_PERIOD = 5 * 86400, 366 * 86400
KUBERNETES_NAME = re.compile(r"[a-z0-9][-a-z0-9_.]*")
_SET_BY_SLOFORGE = RESERVED_LABELS | conventions.ALERT_LABELS
_SPEC_FIELDS = {"description", "target", "window", "indicator", "alerting", "partial_response_strategy",
                "performanceOverAccuracy", "ruleOutput"}
_METADATA_FIELDS = {"name", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation",
                    "creationTimestamp", "managedFields", "finalizers", "ownerReferences", "generateName",
                    "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}
_ALERTING_FIELDS = {"disabled", "burnrates", "absent", "name", "absentName", "severities"}
_SEVERITY_FIELDS = {"absent", "fastBurn", "mediumBurn", "slowBurn", "longTermBurn"}

# Pyrra's windows (slo/rules.go `Windows`): written for a 28d period and scaled to any
# other; the factors stay fixed. (tier, long, short, for, factor) as divisors of the period.
_DAY28 = 28 * 24
PYRRA_WINDOWS = (
    ("page", _DAY28, _DAY28 * 12, _DAY28 * 30, 14.0),       # 1h/5m, for 2m, at 28d
    ("page", 28 * 4, _DAY28 * 2, _DAY28 * 4, 7.0),          # 6h/30m, for 15m
    ("ticket", 28, 28 * 12, _DAY28, 2.0),                    # 1d/2h, for 1h
    ("ticket", 7, 28 * 4, 28 * 8, 1.0),                      # 4d/6h, for 3h
)


def _minutes(seconds: float) -> int:
    """Go's Duration.Round(time.Minute): to the nearest minute, halves away from zero."""
    return int(seconds / 60 + 0.5) * 60


def windows(period: int) -> tuple[tuple[policy.WindowPair, ...], dict[str, int]]:
    """Pyrra's window pairs for `period`, and the `for:` of each tier (its first window's)."""
    pairs: list[policy.WindowPair] = []
    fors: dict[str, int] = {}
    for tier, long, short, for_, factor in PYRRA_WINDOWS:
        fors.setdefault(tier, _minutes(period / for_))
        pairs.append(policy.WindowPair(tier, _minutes(period / long), max(_minutes(period / short), 60),
                                       factor, period))
    return tuple(pairs), fors


def is_pyrra(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and \
        data["apiVersion"].startswith(GROUP)


def _is_list(data: object) -> bool:
    # `kind` is checked for a string first: `kind: []` is unhashable, and `in` a set would raise
    return isinstance(data, dict) and isinstance(data.get("kind"), str) and data["kind"] in LIST_KINDS \
        and isinstance(data.get("items"), list) and bool(data["items"]) \
        and all(is_pyrra(item) for item in data["items"])


def claims(document: Document) -> bool:
    return is_pyrra(document.data) or _is_list(document.data)


def services_from(documents: list[Document],
                  options: LoadOptions = LoadOptions()) -> tuple[list[Service], list[Problem]]:
    """One service per namespace, holding that namespace's SLOs (no options apply to Pyrra)."""
    problems: list[Problem] = []
    by_service: dict[str, list[Slo]] = {}
    sources: dict[str, tuple[str, int | None]] = {}
    seen: dict[tuple[str, str], str] = {}
    for document in documents:
        data = document.data
        objects: list[tuple[FieldPath, Any]] = (
            [(("items", i), item) for i, item in enumerate(data["items"])]  # type: ignore[index]
            if _is_list(data) else [((), data)])
        for prefix, item in objects:
            reader = _SloReader(document, prefix)
            slo = reader.slo(item)
            if slo is not None and (slo.service, slo.name) in seen:
                reader.fail(("metadata", "name"), f"SLO '{slo.name}' in namespace '{slo.service}' is already "
                            f"defined at {seen[(slo.service, slo.name)]}")
            elif slo is not None:
                seen[(slo.service, slo.name)] = f"{document.path}:{document.line(prefix)}"
                sources.setdefault(slo.service, (document.path, document.line(prefix + ("metadata",))))
                by_service.setdefault(slo.service, []).append(slo)
            problems.extend(reader.problems)
    services = []
    for name, slos in by_service.items():
        owner = agreed_owner(slos, sources[name], "metadata.labels.pyrra.dev/team", f"namespace '{name}'",
                             "give them the same pyrra.dev/team label", problems)
        kept = slos if owner is not None else [dataclasses.replace(s, owner=None) for s in slos]
        services.append(Service(name=name, source=sources[name][0], slos=tuple(kept), owner=owner,
                                owner_line=sources[name][1]))
    return services, problems


class _SloReader(Reader):
    def name(self, value: object, path: FieldPath, what: str) -> str | None:
        """A Kubernetes object name may hold dots (`api.errors`): label values keep them, file
        and group names use conventions.file_name, as for Sloth's names."""
        if not isinstance(value, str) or not KUBERNETES_NAME.fullmatch(value) or len(value) > 63:
            self.fail(path, f"{what} {value!r} must be 1-63 characters of a-z, 0-9, -, _ and ., starting "
                      "with a letter or digit")
            return None
        return value

    def slo(self, data: object) -> Slo | None:
        if not isinstance(data, dict):
            self.fail((), "expected a ServiceLevelObjective mapping")
            return None
        api, kind = data.get("apiVersion"), data.get("kind")
        if api != API:
            self.fail(("apiVersion",), f"unsupported Pyrra apiVersion {api!r}; sloforge reads {API}")
            return None
        if kind != KIND:
            self.fail(("kind",), f"unsupported Pyrra kind {kind!r}; expected {KIND} (or a List of them)")
            return None
        self.known(data, (), {"apiVersion", "kind", "metadata", "spec", "status"})
        metadata = self.get(data, (), "metadata", dict, required=True) or {}
        for key in sorted(set(metadata) - _METADATA_FIELDS, key=str):
            # Kubernetes keeps more object metadata than these (and drops what it does not know):
            # nothing in it changes the rules
            self.warn(("metadata", key), "ignored: sloforge reads metadata.name, namespace, labels and annotations")
        name = self.name(self.get(metadata, ("metadata",), "name", str, required=True), ("metadata", "name"),
                         "SLO name")
        namespace = self.get(metadata, ("metadata",), "namespace", str, default=DEFAULT_NAMESPACE)
        service = self.name(namespace, ("metadata", "namespace"), "namespace (the service)")
        labels, owner = self.propagated_labels(metadata.get("labels"))
        spec = self.get(data, (), "spec", dict, required=True)
        if spec is None:
            return None
        at: FieldPath = ("spec",)
        self.known(spec, at, _SPEC_FIELDS)
        objective = self.target(spec.get("target"))
        window_text = self.get(spec, at, "window", str, required=True)
        period = self.duration(window_text, at + ("window",)) if window_text is not None else None
        sli, matcher_labels = self.indicator(self.get(spec, at, "indicator", dict, required=True))
        if name is not None:
            labels.setdefault("slo", name)  # Pyrra's own label on every rule it writes
        for key, value in matcher_labels.items():
            labels.setdefault(key, value)
        annotations = self.annotations(metadata.get("annotations"))
        if None in (name, service, objective, period, sli):
            return None
        assert name is not None and service is not None and objective is not None
        assert period is not None and sli is not None
        alerting = self.alerting(self.get(spec, at, "alerting", dict, default={}), period, objective,
                                 annotations)
        if alerting is None:
            return None
        return Slo(service=service, name=name, objective=objective, period=period, sli=sli, alerting=alerting,
                   description=self.get(spec, at, "description", str, default="") or "", owner=owner,
                   labels=tuple(sorted(labels.items())), source=self.doc.path)

    def target(self, value: object) -> float | None:
        at: FieldPath = ("spec", "target")
        if value is None:
            self.fail(at, "missing required field 'target' (a percentage as text, e.g. \"99.5\")")
            return None
        try:
            target = float(value) if not isinstance(value, bool) else None  # type: ignore[arg-type]
        except (TypeError, ValueError):
            target = None
        if target is None:
            self.fail(at, f"{value!r} is not a percentage (write it like \"99.5\")")
            return None
        if not 0 < target < 100:
            self.fail(at, f"{target:g} must be above 0 and below 100 (100 leaves no error budget to alert on)")
            return None
        if target < 1:
            self.warn(at, f"target is a percentage from 0 to 100: {target:g} means {target:g}%, "
                      f"not {target * 100:g}% (as Pyrra warns)")
        return target

    def propagated_labels(self, raw: object) -> tuple[dict[str, str], str | None]:
        """Labels `pyrra.dev/<x>` as <x> (Pyrra copies only those onto rules); a `team` is the owner."""
        if not isinstance(raw, dict):
            return {}, None
        labels: dict[str, str] = {}
        owner = None
        for key, value in raw.items():
            if not isinstance(key, str) or not key.startswith(PROPAGATE):
                continue  # the object's own Kubernetes labels (e.g. prometheus: k8s), not rule labels
            name, at = key[len(PROPAGATE):], ("metadata", "labels", key)
            if isinstance(value, (dict, list)) or value is None:
                self.warn(at, "label values must be text; label ignored")
            elif name == conventions.LABEL_TEAM:
                owner = scalar_text(value)
            elif not is_label_name(name) or name.startswith("__"):
                self.warn(at, f"'{name}' is not a Prometheus label name; label ignored")
            elif name in _SET_BY_SLOFORGE or name.startswith("slo_"):
                self.warn(at, f"label '{name}' is set by sloforge itself; label ignored")
            elif scalar_text(value):
                labels[name] = scalar_text(value)
        return labels, owner

    def annotations(self, raw: object) -> tuple[tuple[str, str], ...]:
        if not isinstance(raw, dict):
            return ()
        return tuple(sorted((k[len(PROPAGATE):], scalar_text(v)) for k, v in raw.items()
                            if isinstance(k, str) and k.startswith(PROPAGATE) and not isinstance(v, (dict, list))))

    def selector(self, body: object, path: FieldPath, key: str,
                 fields: frozenset[str] = frozenset({"metric"})) -> tuple[str, Any] | None:
        """body[key].metric: a plain vector selector (Pyrra applies rate() itself), with its AST."""
        query = self.get(body, path, key, dict, required=True)
        at = path + (key,)
        self.known(query, at, set(fields))
        text = self.get(query, at, "metric", str, required=True)
        if text is None:
            return None
        problem = promql.parse_error(text)
        if problem is not None:
            self.fail(at + ("metric",), problem)
            return None
        if not promql.is_plain_selector(text):
            self.fail(at + ("metric",), "must be a metric selector such as http_requests_total{job=\"api\"}: "
                      "Pyrra applies rate() and sum() itself")
            return None
        return text.strip(), promql.parse(text)

    def grouping(self, body: dict[str, Any], path: FieldPath) -> tuple[str, ...]:
        raw = self.get(body, path, "grouping", list, default=[])
        out = []
        for index, label in enumerate(raw):
            if not is_label_name(label):
                self.fail(path + ("grouping", index), f"{label!r} is not a Prometheus label name")
            else:
                out.append(label)
        return tuple(sorted(set(out)))

    def indicator(self, body: dict[str, Any] | None) -> tuple[Sli | None, dict[str, str]]:
        if body is None:
            return None, {}
        at: FieldPath = ("spec", "indicator")
        kinds = {"ratio", "latency", "latencyNative", "bool_gauge", "boolGauge"}
        self.known(body, at, kinds)
        given = sorted(k for k in kinds if body.get(k) is not None)
        if len(given) != 1:
            self.fail(at, "give exactly one of ratio, latency, latencyNative or bool_gauge")
            return None, {}
        kind = given[0]
        inner = self.get(body, at, kind, dict, required=True) or {}
        at = at + (kind,)
        if kind == "latencyNative":
            self.fail(at, "native histograms cannot be checked by promtool 2.42, which tests every rule "
                      "sloforge writes; use a classic histogram: indicator.latency with a _bucket{le=...} "
                      "success metric and the _count total")
            return None, {}
        group_by = self.grouping(inner, at)
        if kind in ("bool_gauge", "boolGauge"):
            found = self.selector(body, ("spec", "indicator"), kind, frozenset({"metric", "grouping"}))
            if found is None:
                return None, {}
            return ProbeSli(found[0], group_by), _equal_matchers(found[1], group_by)
        self.known(inner, at, {"grouping", "total", "errors" if kind == "ratio" else "success"})
        total = self.selector(inner, at, "total")
        other = self.selector(inner, at, "errors" if kind == "ratio" else "success")
        if total is None or other is None:
            return None, {}
        labels = _equal_matchers(total[1], group_by)
        if kind == "ratio":
            return EventsSli(_sum_rate(other[0], group_by), _sum_rate(total[0], group_by), group_by), labels
        return self.latency(other, total, group_by, at), labels

    def latency(self, success: tuple[str, Any], total: tuple[str, Any], group_by: tuple[str, ...],
                at: FieldPath) -> Sli | None:
        le = [m for m in success[1].matchers.matchers if m.name == "le"]
        if not le:
            self.fail(at + ("success", "metric"), "must select one histogram bucket with an le matcher, "
                      "e.g. le=\"0.3\"")
            return None
        try:
            threshold = float(le[0].value)
        except ValueError:
            self.fail(at + ("success", "metric"), f"le={le[0].value!r} must be a number of seconds")
            return None
        base = total[1].name.removesuffix("_count")
        same = (success[1].name == f"{base}_bucket" and total[1].name.endswith("_count")
                and _matcher_set(success[1], {"le"}) == _matcher_set(total[1], set()))
        if same and len(le) == 1 and str(le[0].op).endswith(".Equal") and threshold > 0 \
                and total[0].startswith(total[1].name):
            selector = total[0][len(total[1].name):] or "{}"
            return LatencySli(base, selector, threshold, group_by)
        # Another shape (other metrics, other matchers): Pyrra's own arithmetic, total - success.
        errors = (f"{_sum_rate(total[0], group_by)} - {_sum_rate(success[0], group_by)}")
        return EventsSli(errors, _sum_rate(total[0], group_by), group_by)

    def alerting(self, raw: dict[str, Any], period: int, objective: float,
                 annotations: tuple[tuple[str, str], ...]) -> Alerting | None:
        at: FieldPath = ("spec", "alerting")
        self.known(raw, at, _ALERTING_FIELDS)
        disabled = self.get(raw, at, "disabled", bool, default=False)
        burnrates = self.get(raw, at, "burnrates", bool, default=True)
        absent = self.get(raw, at, "absent", bool, default=True)
        name = self.get(raw, at, "name", str) or DEFAULT_ALERT
        if not ALERT_NAME_PATTERN.fullmatch(name):
            self.fail(at + ("name",), f"{name!r} is not a valid Prometheus alert name (letters, digits and _)")
        if raw.get("absentName") is not None:
            self.warn(at + ("absentName",), "sloforge names its no-data alert itself; absentName ignored")
        severities = self.get(raw, at, "severities", dict, default={})
        self.known(severities, at + ("severities",), _SEVERITY_FIELDS)
        pairs, fors = windows(period)
        if not MIN_PERIOD <= period <= MAX_PERIOD:
            # Below ~4.2d every short window of the page tier falls under the 5m base rate the
            # rules are built on, and no promtool test can prove that tier (Pyrra's own rules
            # break below ~1.4d: pyrra#1028).
            self.fail(("spec", "window"), f"{durations.format(period)} is outside what Pyrra's windows fit in "
                      "sloforge: from 5d (shorter, each page window pair has a short window under 5m) to 366d")
            return None
        budget = round(1 - objective / 100, 12)
        for pair in pairs:
            if not pair.can_fire(budget) and burnrates and not disabled:
                self.warn(("spec", "target"), f"the {pair.tier} alert on the {pair.long_text}/{pair.short_text} "
                          f"windows can never fire: it needs an error ratio of {pair.threshold(budget):.3g} "
                          "(above 100%); Pyrra writes it anyway")
        tiers = []
        for tier, first, second in (("page", "fastBurn", "mediumBurn"), ("ticket", "slowBurn", "longTermBurn")):
            severity = self.get(severities, at + ("severities",), first, str)
            other = self.get(severities, at + ("severities",), second, str)
            if other is not None and other != (severity or conventions.DEFAULT_SEVERITY[tier]):
                self.warn(at + ("severities", second), f"sloforge gives both {tier} windows one severity; "
                          f"{first}'s ({severity or conventions.DEFAULT_SEVERITY[tier]}) applies")
            tiers.append(Tier(tier, severity or conventions.DEFAULT_SEVERITY[tier], fors[tier],
                              disabled=bool(disabled) or not burnrates))
        pyrra_absent = None
        if absent:
            # Pyrra's AbsentDuration: the time the fastest window takes to fire on a full
            # outage (factor x budget x long window) plus its `for`, to the minute.
            fast = pairs[0]
            pyrra_absent = max(_minutes(fast.threshold(budget) * fast.long + fors["page"]), 60)
        return Alerting(name=name, pairs=pairs, tiers=tuple(tiers), annotations=annotations,
                        absent_seconds=pyrra_absent)


def _sum_rate(selector: str, group_by: tuple[str, ...]) -> str:
    by = f" by ({', '.join(group_by)})" if group_by else ""
    return f"sum{by}(rate({selector}[{{{{ window }}}}]))"


def _matcher_set(node: Any, skip: set[str]) -> set[tuple[str, str, str]]:
    return {(m.name, str(m.op), m.value) for m in node.matchers.matchers if m.name not in skip}


def _equal_matchers(node: Any, group_by: tuple[str, ...]) -> dict[str, str]:
    """Pyrra puts the total's `name="value"` matchers on every rule (grouped labels excepted)."""
    out = {}
    for m in node.matchers.matchers:
        op = str(m.op)
        if op.endswith(".Equal") or op == "=":
            if m.name not in group_by and m.name != "__name__" and m.name not in _SET_BY_SLOFORGE \
                    and not m.name.startswith("slo_") and m.name != "le":
                out[m.name] = m.value
    return out
