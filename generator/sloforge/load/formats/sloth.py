"""Sloth specs -> model.Service: `version: prometheus/v1` files and Kubernetes
`sloth.slok.dev/v1` PrometheusServiceLevel objects (the same spec in camelCase).

Mapping (docs/importers.md has the user's view):
  service, labels, slos[].labels      -> Service / Slo labels (kept on every rule)
  sli.events error/total queries      -> EventsSli (traffic-weighted, not Sloth's average of ratios)
  sli.raw error_ratio_query           -> RatioSli (time-weighted)
  alerting.name/labels/annotations    -> Alerting (one alert name for both tiers, as in Sloth)
  page_alert / ticket_alert           -> Tier; a `severity` label becomes the tier's severity
  AlertWindows catalogues             -> the window pairs of SLOs with that period
Sloth SLI plugins and non-core SLO plugins are Go code sloforge cannot run: one
error naming the plugin.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Any

from sloforge import conventions, durations
from sloforge.errors import Problem
from sloforge.load.documents import Document, FieldPath
from sloforge.load.formats import sloth_windows
from sloforge.load.formats.native import RESERVED_LABELS
from sloforge.load.options import LoadOptions
from sloforge.load.reader import ALERT_NAME_PATTERN, Reader
from sloforge.load.values import field_text
from sloforge.model import policy
from sloforge.model.catalog import Alerting, Service, Slo, Tier
from sloforge.model.sli import EventsSli, RatioSli, Sli

NAME = "sloth"
EXPECTED = ("Sloth version: prometheus/v1, or apiVersion: sloth.slok.dev/v1 with kind "
            "PrometheusServiceLevel or AlertWindows")
TITLE = "Sloth"
API_GROUPS = ("prometheus", "sloth.slok.dev")
VERSION = "prometheus/v1"
K8S_API = "sloth.slok.dev/v1"
K8S_KIND = "PrometheusServiceLevel"

# Plugins whose work sloforge's own pipeline does (validation, SLI, metadata and
# alert rules) or that have no effect on rules (debug): accepted, not run.
SLOTH_NAME = re.compile(r"[A-Za-z0-9][-A-Za-z0-9_.]*")
CORE_PLUGINS = {f"sloth.dev/core/{name}/v1" for name in
                ("validate", "sli_rules", "metadata_rules", "alert_rules", "debug", "noop")}

# The two spellings of one spec: (prometheus/v1 file, Kubernetes CRD).
_KEYS = {
    "error_query": ("error_query", "errorQuery"), "total_query": ("total_query", "totalQuery"),
    "error_ratio_query": ("error_ratio_query", "errorRatioQuery"),
    "page_alert": ("page_alert", "pageAlert"), "ticket_alert": ("ticket_alert", "ticketAlert"),
    "slo_plugins": ("slo_plugins", "sloPlugins"),
}

# The other spelling of each key -> its snake_case name (for the did-you-mean of an unknown field).
_SNAKE = {spelling: name for name, spellings in _KEYS.items() for spelling in spellings}


def claims(document: Document) -> bool:
    data = document.data
    return isinstance(data, dict) and (data.get("version") == VERSION or data.get("apiVersion") == K8S_API)


def services_from(documents: list[Document],
                  options: LoadOptions = LoadOptions()) -> tuple[list[Service], list[Problem]]:
    period = options.sloth_period
    windows = [d for d in documents if sloth_windows.is_windows(d)]
    catalogue, problems = sloth_windows.catalogue_from(windows)
    services: dict[str, Service] = {}
    where: dict[tuple[str, str], str] = {}  # (service, SLO) -> file:line of its name
    for document in documents:
        if document in windows:
            continue
        reader = _SpecReader(document, catalogue, period)
        service = reader.service()
        problems.extend(reader.problems)
        if service is None or reader.failed:
            continue
        # One service may be spread over several files, as Sloth allows; one SLO of it may not.
        kept = []
        for slo in service.slos:
            line = document.line(reader.slo_path(slo.name))
            key = (service.name, slo.name)
            if key in where:
                problems.append(Problem(document.path, line, field_text(reader.slo_path(slo.name)),
                                        f"SLO '{slo.name}' of service '{service.name}' is already defined at "
                                        f"{where[key]}"))
            else:
                where[key] = f"{document.path}:{line}"
                kept.append(slo)
        first = services.get(service.name)
        if first is None:
            services[service.name] = dataclasses.replace(service, slos=tuple(kept))
        else:
            services[service.name] = dataclasses.replace(
                first, slos=first.slos + tuple(kept),
                labels=tuple(item for item in first.labels if item in service.labels))
    return list(services.values()), problems


class _SpecReader(Reader):
    def __init__(self, document: Document, catalogue: sloth_windows.Catalogue, period: int):
        data = document.data
        self.k8s = isinstance(data, dict) and "version" not in data
        super().__init__(document, ("spec",) if self.k8s else ())
        self.catalogue = catalogue
        self.period = period

    def known(self, data: object, path: FieldPath, keys: set[str], what: str = "") -> None:
        """Sloth reads YAML leniently (its own "good" fixtures hold camelCase pageAlert in
        prometheus/v1 files): an unknown field is a warning, ignored as Sloth ignores it."""
        if not isinstance(data, dict):
            return
        for key in sorted(set(data) - keys, key=str):
            spelled = self.key(_SNAKE.get(str(key), str(key)))
            hint = spelled if spelled in keys else next(iter(difflib.get_close_matches(str(key), sorted(keys), 1)),
                                                        None)
            suggestion = f"did you mean {hint}?" if hint else f"known fields: {', '.join(sorted(keys))}"
            self.warn(path + (key,), f"unknown field ignored, as Sloth does; {suggestion}")

    def name(self, value: object, path: FieldPath, what: str) -> str | None:
        """Sloth's own name rule, wider than sloforge's: capitals and dots too (`Svc01`,
        `slo.02`). Label values keep the name; file and group names use
        conventions.file_name (load/catalog.py reports two names that become one)."""
        if not isinstance(value, str) or not SLOTH_NAME.fullmatch(value) or len(value) > 63:
            self.fail(path, f"{what} {value!r} must be 1-63 characters of letters, digits, -, _ and ., "
                      "starting with a letter or digit (Sloth's rule)")
            return None
        return value

    def slo_path(self, name: str) -> FieldPath:
        """Where the SLO called `name` is named in this document."""
        data = self.doc.data
        spec = data.get("spec") if self.k8s and isinstance(data, dict) else data
        slos = spec.get("slos") if isinstance(spec, dict) else None
        index = next((i for i, raw in enumerate(slos if isinstance(slos, list) else [])
                      if isinstance(raw, dict) and raw.get("name") == name), 0)
        return (("spec",) if self.k8s else ()) + ("slos", index, "name")

    def key(self, name: str) -> str:
        spellings = _KEYS.get(name)
        return spellings[1 if self.k8s else 0] if spellings else name

    def service(self) -> Service | None:
        data: dict[str, Any] = self.doc.data  # type: ignore[assignment]
        if self.k8s:
            if data.get("kind") != K8S_KIND:
                self.problems.append(self.doc.problem(("kind",), f"unsupported Sloth kind {data.get('kind')!r}; "
                                                      "expected PrometheusServiceLevel or AlertWindows"))
                return None
            self.prefix = ()
            self.known(data, (), {"apiVersion", "kind", "metadata", "spec"})
            spec = self.get(data, (), "spec", dict, required=True)
            self.prefix = ("spec",)
            if spec is None:
                return None
        else:
            spec = data
        if self.plugin_problems(spec):
            return None
        top = {"service", "labels", "slos", self.key("slo_plugins")} | (set() if self.k8s else {"version"})
        self.known(spec, (), top)
        name = self.name(self.get(spec, (), "service", str, required=True), ("service",), "service")
        labels = self.labels(spec.get("labels"), ("labels",), RESERVED_LABELS)
        raw_slos = self.get(spec, (), "slos", list, required=True) or []
        if not raw_slos and "slos" in spec:
            self.fail(("slos",), "must not be empty")
        slos, seen = [], set()
        for index, raw in enumerate(raw_slos):
            slo = self.slo(raw, ("slos", index), name or "", labels)
            if slo is not None and slo.name in seen:
                self.fail(("slos", index, "name"), f"SLO '{slo.name}' is defined twice in this service")
            elif slo is not None:
                seen.add(slo.name)
                slos.append(slo)
        if name is None:
            return None
        return Service(name=name, source=self.doc.path, slos=tuple(slos), labels=tuple(labels.items()))

    def plugin_problems(self, spec: dict[str, Any]) -> bool:
        """One error per plugin sloforge cannot run; True when there was any."""
        before = len(self.problems)
        self.chain(spec.get(self.key("slo_plugins")), (self.key("slo_plugins"),))
        raw_slos = spec.get("slos")
        for index, slo in enumerate(raw_slos if isinstance(raw_slos, list) else []):  # type checked later
            if not isinstance(slo, dict):
                continue
            self.chain(slo.get("plugins"), ("slos", index, "plugins"))
            plugin = (slo.get("sli") or {}).get("plugin") if isinstance(slo.get("sli"), dict) else None
            if plugin is not None:
                ident = plugin.get("id") if isinstance(plugin, dict) else plugin
                self.fail(("slos", index, "sli", "plugin"), f"Sloth SLI plugin {str(ident)!r} cannot be run by "
                          "sloforge (plugins are Go code loaded by Sloth); write the SLI it generates as "
                          "sli.events error_query/total_query or sli.raw error_ratio_query")
        return len(self.problems) > before

    def chain(self, plugins: object, path: FieldPath) -> None:
        items = plugins.get("chain") if isinstance(plugins, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            ident = item.get("id") if isinstance(item, dict) else item
            if not isinstance(ident, str) or ident not in CORE_PLUGINS:
                self.fail(path + ("chain", index, "id"), f"Sloth SLO plugin {str(ident)!r} cannot be run by "
                          "sloforge (only Sloth's core rule plugins, which sloforge replaces, are accepted); "
                          "remove it from the chain or convert its effect into the spec")

    def slo(self, raw: object, path: FieldPath, service: str, service_labels: dict[str, str]) -> Slo | None:
        if not isinstance(raw, dict):
            self.fail(path, "each SLO must be a mapping")
            return None
        self.known(raw, path, {"name", "objective", "description", "labels", "sli", "alerting", "plugins"})
        name = self.name(self.get(raw, path, "name", str, required=True), path + ("name",), "SLO name")
        objective = self.get(raw, path, "objective", float, required=True)
        if objective is not None and not 0 < objective < 100:
            self.fail(path + ("objective",), f"{objective:g} must be above 0 and below 100 "
                      "(100 leaves no error budget to alert on)")
            objective = None
        labels = dict(service_labels)
        labels.update(self.labels(raw.get("labels"), path + ("labels",), RESERVED_LABELS))
        sli = self.sli(self.get(raw, path, "sli", dict, required=True), path + ("sli",))
        alerting = self.alerting(self.get(raw, path, "alerting", dict, default={}), path + ("alerting",),
                                 service, name or "")
        if name is None or objective is None or sli is None or alerting is None:
            return None
        return Slo(service=service, name=name, objective=objective, period=self.period, sli=sli,
                   alerting=alerting, description=self.get(raw, path, "description", str, default=""),
                   labels=tuple(sorted(labels.items())), source=self.doc.path)

    def sli(self, raw: dict[str, Any] | None, path: FieldPath) -> Sli | None:
        if raw is None:
            return None
        self.known(raw, path, {"events", "raw"})
        if len({"events", "raw"} & set(raw)) != 1:
            self.fail(path, "give exactly one of events or raw")
            return None
        if "events" in raw:
            at = path + ("events",)
            body = self.get(raw, path, "events", dict, required=True) or {}
            errors_key, total_key = self.key("error_query"), self.key("total_query")
            self.known(body, at, {errors_key, total_key})
            errors = self.get(body, at, errors_key, str, required=True)
            total = self.get(body, at, total_key, str, required=True)
            if errors is None or total is None:
                return None
            ok = self.query(errors.strip(), at + (errors_key,), windowed=True)
            ok &= self.query(total.strip(), at + (total_key,), windowed=True)
            return EventsSli(errors.strip(), total.strip()) if ok else None
        at = path + ("raw",)
        body = self.get(raw, path, "raw", dict, required=True) or {}
        query_key = self.key("error_ratio_query")
        self.known(body, at, {query_key})
        query = self.get(body, at, query_key, str, required=True)
        if query is None or not self.query(query.strip(), at + (query_key,), windowed=True):
            return None
        return RatioSli(query.strip())

    def alerting(self, raw: dict[str, Any], path: FieldPath, service: str, slo: str) -> Alerting | None:
        tier_keys = {"page": self.key("page_alert"), "ticket": self.key("ticket_alert")}
        self.known(raw, path, {"name", "labels", "annotations", *tier_keys.values()})
        labels = self.labels(raw.get("labels"), path + ("labels",), RESERVED_LABELS)
        shared_severity = labels.pop(conventions.LABEL_SEVERITY, None)
        tiers = []
        for tier, key in tier_keys.items():
            at = path + (key,)
            body = self.get(raw, path, key, dict, default={})
            self.known(body, at, {"disable", "labels", "annotations"})
            tier_labels = self.labels(body.get("labels"), at + ("labels",), RESERVED_LABELS)
            severity = tier_labels.pop(conventions.LABEL_SEVERITY, shared_severity)
            tiers.append(Tier(tier, severity or conventions.DEFAULT_SEVERITY[tier], policy.DEFAULT_FOR[tier],
                              tuple(tier_labels.items()), self.annotations(body, at),
                              bool(self.get(body, at, "disable", bool, default=False))))
        name = self.get(raw, path, "name", str)
        if name is not None and not ALERT_NAME_PATTERN.fullmatch(name):
            self.fail(path + ("name",), f"{name!r} is not a valid Prometheus alert name (letters, digits and _)")
        pairs = self.catalogue.get(self.period)
        if pairs is None:
            low, high = policy.DEFAULT_PERIOD_RANGE
            if not low <= self.period <= high:
                self.fail(path, f"no AlertWindows catalogue for the {durations.format(self.period)} period among "
                          "the inputs, and the default windows only fit 7d..90d periods")
                return None
            pairs = policy.default_pairs(self.period)
        return Alerting(name=name or conventions.alert_name(service, slo), pairs=pairs, tiers=tuple(tiers),
                        labels=tuple(labels.items()), annotations=self.annotations(raw, path))

    def annotations(self, raw: dict[str, Any], path: FieldPath) -> tuple[tuple[str, str], ...]:
        found = self.get(raw, path, "annotations", dict, default={})
        return tuple(sorted((str(k), str(v)) for k, v in found.items()))
