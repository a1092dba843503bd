"""OpenSLO `openslo/v1` and `openslo/v1alpha` (as Sloth reads it) -> model.Service.

Objects may come one per document, several per file, or as YAML lists; refs
(indicatorRef, alertPolicyRef, conditionRef, targetRef, metricSourceRef) resolve
across every input file. Each SLO objective becomes one sloforge SLO (named
after the SLO, with `-<index>` when it has several objectives), grouped into
services by `spec.service`. Rolling windows only; see openslo_sli for the SLI
mapping and openslo_alerts for alert policies.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from sloforge import conventions
from sloforge.errors import Problem
from sloforge.load.documents import Document, FieldPath
from sloforge.load.formats.openslo import alerts, objects
from sloforge.load.formats.openslo import labels as openslo_labels
from sloforge.load.formats.openslo import sli as openslo_sli
from sloforge.load.formats.openslo.objects import Obj, ObjReader
from sloforge.load.formats.openslo.sli import Indicator
from sloforge.load.options import LoadOptions
from sloforge.load.reader import agreed_owner
from sloforge.model.catalog import Service, Slo

NAME = "openslo"
EXPECTED = "apiVersion: openslo/v1 or openslo/v1alpha (SLO, SLI, Service, DataSource, AlertPolicy, ...)"
TITLE = "OpenSLO"
API_GROUPS = ("openslo",)
METHODS = ("Occurrences", "Timeslices", "RatioTimeslices")
DEFAULT_PERIOD = 30 * 86400  # Sloth's fallback when an OpenSLO SLO has no time window
MIN_PERIOD = 3600
DNS_LABEL = re.compile(r"(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DURATION = re.compile(r"^(\d+)([smhdwMQY])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_ALPHA_UNITS = {"Second": 1, "Minute": 60, "Hour": 3600, "Day": 86400, "Week": 7 * 86400}
_V1_SLO_FIELDS = {"description", "service", "indicator", "indicatorRef", "timeWindow", "budgetingMethod",
                  "objectives", "alertPolicies"}
_OBJECTIVE_FIELDS = {"displayName", "op", "value", "target", "targetPercent", "timeSliceTarget",
                     "timeSliceWindow", "indicator", "indicatorRef", "compositeWeight", "ratioMetrics"}

claims = objects.claims


def services_from(documents: list[Document],
                  options: LoadOptions = LoadOptions()) -> tuple[list[Service], list[Problem]]:
    """The services of every SLO object (no options apply to OpenSLO)."""
    index, problems = objects.collect(documents)
    of_kind = {kind: [o for o in index.values() if o.kind == kind] for kind in objects.KINDS["openslo/v1"]}
    conditions: dict[str, alerts.Condition | None] = {}
    for obj in of_kind["AlertCondition"]:
        reader = ObjReader.of(obj)
        conditions[obj.name] = alerts.condition(reader, obj)
        problems.extend(reader.problems)
    policies: dict[str, alerts.Policy | None] = {}
    for obj in of_kind["AlertPolicy"]:
        reader = ObjReader.of(obj)
        policies[obj.name] = alerts.policy_of(reader, obj, index, conditions)
        problems.extend(reader.problems)
    sources = {o.name: o for o in of_kind["DataSource"]}
    for obj in of_kind["DataSource"]:
        kind = obj.spec.get("type")
        if not (isinstance(kind, str) and kind.lower() == "prometheus"):
            problems.append(obj.doc.problem(obj.prefix + ("spec", "type"), f"DataSource '{obj.name}' has type "
                                            f"{kind!r}: SLIs that use it cannot be compiled (sloforge reads only "
                                            "Prometheus sources)", warning=True))
    indicators: dict[str, Indicator | None] = {}
    for obj in of_kind["SLI"]:
        reader = ObjReader.of(obj)
        indicators[obj.name] = openslo_sli.indicator(reader, obj.spec, ("spec",), sources)
        problems.extend(reader.problems)
    service_meta: dict[str, tuple[dict[str, str], str | None]] = {}  # Service object -> labels, owner
    for obj in of_kind["Service"]:
        reader = ObjReader.of(obj)
        _check_service(reader, obj)
        labels, teams = openslo_labels.metadata_labels(reader, obj)
        service_meta[obj.name] = (labels, openslo_labels.owner(reader, obj, teams))
        problems.extend(reader.problems)
    used: set[str] = set()
    by_service: dict[str, list[Slo]] = {}
    origin: dict[str, tuple[str, int | None]] = {}  # service -> where its first SLO names it
    for obj in of_kind["SLO"]:
        reader = _SloReader.of(obj)
        for slo in reader.slos(index, indicators, sources, policies, conditions, used, service_meta):
            origin.setdefault(slo.service, (obj.doc.path, obj.doc.line(obj.prefix + ("spec", "service"))))
            if any(s.name == slo.name for s in by_service.get(slo.service, [])):
                reader.fail(("metadata", "name"), f"SLO name '{slo.name}' is already used in service "
                            f"'{slo.service}'")
            by_service.setdefault(slo.service, []).append(slo)
        problems.extend(reader.problems)
    for name in sorted(set(indicators) - used):
        obj = index[("SLI", name)]
        if indicators[name] is not None:
            problems.append(obj.doc.problem(obj.prefix + ("metadata", "name"), f"SLI '{name}' is not used by "
                                            "any SLO among the inputs, so it generates nothing", warning=True))
    services = []
    for name, slos in by_service.items():
        owner = agreed_owner(slos, origin[name], "metadata.labels.team", f"service '{name}'",
                             "give them the same team (or set it once on the Service object)", problems)
        kept = slos if owner is not None else [dataclasses.replace(s, owner=None) if s.owner else s for s in slos]
        services.append(Service(name=name, source=origin[name][0], slos=tuple(kept), owner=owner,
                                labels=tuple(sorted(service_meta.get(name, ({}, None))[0].items())),
                                owner_line=origin[name][1]))
    return services, problems


def _composite_refusal(method: str | None) -> str:
    """Why an OpenSLO composite SLO (an indicator and a compositeWeight per objective) is refused,
    for its budgeting method: OpenSLO combines the objectives in ways sloforge's journeys
    (kind: Journey: the product of the steps' success, over one period) do not compute."""
    how = {
        "Occurrences": "OpenSLO burns a composite's budget at the sum of its objectives' burn rates times "
                       "their compositeWeight, against no budget of the composite's own, where a sloforge "
                       "journey fails when any step fails (1 - the product of the steps' success) against "
                       "its own objective",
        "Timeslices": "OpenSLO counts a composite slice bad when any objective's slice is bad, which needs "
                      "every objective's slices at the same instants; sloforge records each SLO's ratio per "
                      "window, and a journey multiplies those ratios instead",
        "RatioTimeslices": "OpenSLO subtracts each objective's missing share times its compositeWeight from "
                           "100%, a weighted sum where a sloforge journey takes the product of the steps' "
                           "success",
    }.get(method or "", "OpenSLO's composite arithmetic depends on the budgetingMethod, which is missing here")
    return (f"composite SLOs (an indicator and compositeWeight per objective) are not compiled: {how}. "
            "Write one OpenSLO SLO per indicator and a sloforge `kind: Journey` whose steps are those SLOs "
            "(docs/journeys.md); compositeWeight has no equivalent there")


def _check_service(reader: ObjReader, obj: Obj) -> None:
    """A Service object as the OpenSLO schema has it: known fields only, a DNS-1123 label as name."""
    reader.known(obj.data, (), {"apiVersion", "kind", "metadata", "spec"})
    reader.known(obj.data.get("metadata"), ("metadata",), {"name", "displayName", "labels", "annotations"})
    reader.known(obj.spec, ("spec",), {"description"})
    if not DNS_LABEL.fullmatch(obj.name):
        reader.fail(("metadata", "name"), f"{obj.name!r} is not a valid OpenSLO name: 1-63 characters of a-z, "
                    "0-9 and -, starting and ending with a letter or digit (a DNS-1123 label)")


class _SloReader(ObjReader):
    @classmethod
    def of(cls, obj: Obj) -> _SloReader:
        return cls(obj.doc, obj.prefix, obj=obj)

    def slos(self, index: dict[tuple[str, str], Obj], indicators: dict[str, Indicator | None],
             sources: dict[str, Obj], policies: dict[str, alerts.Policy | None],
             conditions: dict[str, alerts.Condition | None], used: set[str],
             service_meta: dict[str, tuple[dict[str, str], str | None]]) -> list[Slo]:
        obj = self.obj
        assert obj is not None
        alpha = obj.api == "openslo/v1alpha"
        spec, at = obj.spec, ("spec",)
        fields = {"description", "service", "indicator", "timeWindows", "budgetingMethod", "objectives"}
        self.known(spec, at, fields if alpha else _V1_SLO_FIELDS)
        service = self.name(self.get(spec, at, "service", str, required=True), at + ("service",), "service")
        name = self.name(obj.name, ("metadata", "name"), "SLO name")
        period = self.time_window(spec, alpha)
        method = self.get(spec, at, "budgetingMethod", str, required=True)
        if method is not None and method not in METHODS:
            self.fail(at + ("budgetingMethod",), f"{method!r} must be one of {', '.join(METHODS)}")
        found = self.indicator(spec, alpha, index, indicators, sources, used)
        objectives = self.get(spec, at, "objectives", list, required=True) or []
        found_policies = [] if alpha else alerts.policies_of(self, obj, index, policies, conditions)
        service_labels, service_owner = service_meta.get(service or "", ({}, None))
        own_labels, teams = openslo_labels.metadata_labels(self, obj)
        labels = tuple(sorted({**service_labels, **own_labels}.items()))
        owner = openslo_labels.owner(self, obj, teams) if teams else service_owner
        out = []
        for position, objective in enumerate(objectives):
            path = at + ("objectives", position)
            if not isinstance(objective, dict):
                self.fail(path, "each objective must be a mapping")
                continue
            slo = self.objective(objective, path, found, alpha, method, period)
            if slo is None or service is None or name is None or period is None:
                continue
            slo_name = name if len(objectives) == 1 else f"{name}-{position}"
            target, sli = slo
            objective_pct = round(target * 100, 10)
            alerting = alerts.alerting(self, found_policies, conventions.alert_name(service, slo_name), period,
                                       round(1 - objective_pct / 100, 12))
            out.append(Slo(service=service, name=slo_name, objective=objective_pct, period=period, sli=sli,
                           alerting=alerting, description=spec.get("description", "") or "",
                           owner=owner, labels=labels, source=obj.doc.path))
        return [] if self.failed else out

    def time_window(self, spec: dict[str, Any], alpha: bool) -> int | None:
        key = "timeWindows" if alpha else "timeWindow"
        items = self.get(spec, ("spec",), key, list, default=[])
        if not items:
            return DEFAULT_PERIOD
        at = ("spec", key, 0)
        if len(items) != 1 or not isinstance(items[0], dict):
            self.fail(("spec", key), "must hold exactly one time window")
            return None
        window = items[0]
        self.known(window, at, {"count", "unit", "isRolling", "calendar"} if alpha
                   else {"duration", "isRolling", "calendar"})
        if window.get("isRolling") is False or "calendar" in window:
            self.fail(at, "calendar-aligned windows (isRolling: false, calendar) are not supported yet: "
                      "sloforge computes rolling periods; set isRolling: true and drop calendar")
            return None
        if alpha:
            count, unit = self.get(window, at, "count", int, required=True), window.get("unit")
            if not isinstance(unit, str) or unit not in _ALPHA_UNITS:
                self.fail(at + ("unit",), f"{unit!r} is not a fixed-length unit; use Day or Week "
                          "(months, quarters and years are calendar windows, not supported yet)")
                return None
            seconds = (count or 0) * _ALPHA_UNITS[unit]
            text = f"{count} {unit}"
        else:
            text = self.get(window, at, "duration", str, required=True) or ""
            match = _DURATION.match(text.strip())
            if not match:
                self.fail(at + ("duration",), f"{text!r} is not an OpenSLO duration (a number and one of "
                          "s m h d w M Q Y, e.g. 28d)")
                return None
            if match.group(2) in "MQY":
                self.fail(at + ("duration",), f"{text!r} is a calendar length; write the rolling period in "
                          "days or weeks, e.g. 30d or 4w")
                return None
            seconds = int(match.group(1)) * _UNITS[match.group(2)]
        if seconds < MIN_PERIOD:
            hint = (" (OpenSLO writes months as M: the spec's own example writes 1m meaning a month); "
                    "did you mean 30d?") if text.endswith("m") or "Minute" in text else ""
            self.fail(at, f"{text} is shorter than an hour, too short for an SLO period{hint}")
            return None
        return seconds

    def indicator(self, spec: dict[str, Any], alpha: bool, index: dict[tuple[str, str], Obj],
                  indicators: dict[str, Indicator | None], sources: dict[str, Obj],
                  used: set[str]) -> Indicator | None:
        at = ("spec",)
        if alpha:
            body = self.get(spec, at, "indicator", dict)
            if body is None:
                return None
            self.known(body, at + ("indicator",), {"thresholdMetric"})
            metric = self.get(body, at + ("indicator",), "thresholdMetric", dict, required=True)
            if metric is None:
                return None
            return openslo_sli.alpha_indicator(self, metric, at + ("indicator", "thresholdMetric"), True)
        composite = any(isinstance(o, dict) and {"indicator", "indicatorRef"} & set(o)
                        for o in spec.get("objectives") or [] if isinstance(spec.get("objectives"), list))
        if composite and not {"indicator", "indicatorRef"} & set(spec):
            return None  # a composite SLO: each objective says why it is refused (_composite_refusal)
        if ("indicator" in spec) == ("indicatorRef" in spec):
            self.fail(at, "give exactly one of indicator (an inline SLI) or indicatorRef")
            return None
        if "indicatorRef" in spec:
            ref = spec["indicatorRef"]
            if ("SLI", ref) not in index:
                self.fail(at + ("indicatorRef",), f"no SLI named {ref!r} among the inputs")
                return None
            used.add(ref)
            return indicators.get(ref)
        body = self.get(spec, at, "indicator", dict, required=True) or {}
        sli = objects.inline(self.obj, ("spec", "indicator"), body, "SLI")  # type: ignore[arg-type]
        sub = ObjReader.of(sli)
        sub.known(body, (), {"metadata", "spec"})
        found = openslo_sli.indicator(sub, sub.get(body, (), "spec", dict, required=True) or {}, ("spec",),
                                      sources)
        self.problems.extend(sub.problems)
        return found

    def objective(self, objective: dict[str, Any], path: FieldPath, found: Indicator | None, alpha: bool,
                  method: str | None, period: int | None) -> tuple[float, Any] | None:
        self.known(objective, path, _OBJECTIVE_FIELDS if alpha else _OBJECTIVE_FIELDS - {"ratioMetrics"})
        if {"indicator", "indicatorRef", "compositeWeight"} & set(objective):
            self.fail(path, _composite_refusal(method))
            return None
        target = self.target(objective, path)
        if alpha and "ratioMetrics" in objective:
            found = openslo_sli.alpha_indicator(self, objective["ratioMetrics"], path + ("ratioMetrics",), False)
        elif found is None and alpha:
            self.fail(path, "needs ratioMetrics (or the SLO an indicator with a thresholdMetric)")
        if method == "Timeslices" and found is not None and found.kind == "threshold":
            window = objective.get("timeSliceWindow")
            if window not in (None, "1m", conventions.GROUP_INTERVAL):
                self.warn(path + ("timeSliceWindow",), f"sloforge counts one slice per rule evaluation "
                          f"({conventions.GROUP_INTERVAL}), not per {window}")
        if found is None or target is None or method is None or method not in METHODS:
            return None
        sli = openslo_sli.sli_for(self, found, method, objective, path)
        return (target, sli) if sli is not None else None

    def target(self, objective: dict[str, Any], path: FieldPath) -> float | None:
        if "targetPercent" in objective:
            value = self.get(objective, path, "targetPercent", float, required=True)
            ratio = value / 100 if value is not None else None
        else:
            ratio = self.get(objective, path, "target", float, required=True)
        if ratio is not None and not 0 < ratio < 1:
            self.fail(path + ("target",), f"{ratio:g} must be a ratio above 0 and below 1 (e.g. 0.999), "
                      "or use targetPercent")
            return None
        return ratio
