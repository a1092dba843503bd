"""Output targets and the producers that fill them.

A *target* is how output is packaged (`--target`): plain files for Prometheus
and friends, or Kubernetes objects for the operators. A *producer* is one kind
of output (rule files, promtool tests, Alertmanager config, dashboards): a
module that knows how to package itself for every target, with either or both of
  service_files(unit, settings, target) -> list[OutputFile]   one service's files
  catalog_files(catalog, settings, target) -> list[OutputFile]  files over all services
A new target is one line in TARGETS; a new kind of output is one module and one
line in PRODUCERS.

Outputs are produced service by service (`service_files`): a service is compiled
once (`Unit.groups`) and every per-service producer packages that one result, so
the caller can check and keep each file's text as it comes (and skip services
that have not changed) instead of holding every intermediate structure.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sloforge.compile.rules.groups import CompiledSlo
    from sloforge.compile.rules.rule import AlertingRule
    from sloforge.model.catalog import Catalog, Service

TARGETS = {
    "prometheus": "plain files: out/prometheus/<service>.yml rule files (Prometheus, Thanos, vmalert)",
    "kubernetes": "Kubernetes objects: PrometheusRule per service, AlertmanagerConfig per team "
                  "(Prometheus Operator)",
    "mimir": "mimirtool/cortextool namespace files: out/mimir/sloforge-<service>.yml (Mimir, Cortex rulers)",
}

PRODUCERS = [
    "sloforge.outputs.rules",
    "sloforge.outputs.grafana",
    "sloforge.outputs.alertmanager",
    "sloforge.outputs.unit_tests",
]


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str  # relative to the output directory, always with forward slashes
    content: str
    sources: tuple[str, ...] = ()
    # Plain Prometheus rule-file text for `promtool check rules`, where this file
    # holds rules (for Kubernetes objects: the unwrapped spec.groups).
    rules_text: str | None = None
    # A complete alertmanager.yml for `amtool check-config`, where this file holds routing.
    alertmanager_text: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    namespace: str | None = None
    object_labels: dict[str, str] = field(default_factory=dict)
    alertmanager_base: str | None = None  # the user's alertmanager.yml to merge routes into


class Unit:
    """One service on its way to output: compiled at most once, shared by the producers."""

    def __init__(self, service: Service):
        self.service = service

    @cached_property
    def compiled(self) -> list[CompiledSlo]:
        """(recording rules, alerting rules) of each SLO."""
        from sloforge.compile.rules.groups import compile_slo

        return [compile_slo(slo) for slo in self.service.slos]

    @cached_property
    def groups(self) -> list[dict[str, object]]:
        from sloforge.compile.rules.groups import rule_groups

        return rule_groups(self.service, self.compiled)

    @property
    def alerting(self) -> list[list[AlertingRule]]:
        return [alerting for _, alerting in self.compiled]


Progress = Callable[[int, int], None]  # (services done, services in all)


def services(catalog: Catalog) -> list[Service]:
    """The services that get files of their own (never an empty rule file)."""
    return [s for s in catalog.services if s.slos]


def render_key(service_fingerprint: str, settings: Settings, target: str) -> tuple[str, ...]:
    """Everything a service's files depend on: the service's whole value (its fingerprint,
    see cache.py), the target and the settings (and sloforge's own code: cache.py)."""
    return ("service", target, repr(settings), service_fingerprint)


def service_files(service: Service, settings: Settings, target: str) -> list[OutputFile]:
    """Every per-service producer's files for one service, compiled once."""
    unit = Unit(service)
    out: list[OutputFile] = []
    for module in _producers():
        if hasattr(module, "service_files"):
            out.extend(module.service_files(unit, settings, target))
    return out


def catalog_producers() -> list[tuple[str, bool]]:
    """(producer, whether its files depend on the services alone) for each producer of
    files that span the catalog; only those that do can be skipped when no service changed."""
    return [(name, getattr(module, "CATALOG_FILES_FROM_SERVICES", False))
            for name, module in zip(PRODUCERS, _producers(), strict=True) if hasattr(module, "catalog_files")]


def catalog_files(catalog: Catalog, settings: Settings, target: str, producer: str | None = None) -> list[OutputFile]:
    """The files that span every service (the overview dashboard, Alertmanager routing),
    of every producer or only of `producer`."""
    out: list[OutputFile] = []
    for name, module in zip(PRODUCERS, _producers(), strict=True):
        if hasattr(module, "catalog_files") and producer in (None, name):
            out.extend(module.catalog_files(catalog, settings, target))
    return out


def _producers() -> list[ModuleType]:
    return [importlib.import_module(name) for name in PRODUCERS]


def files(catalog: Catalog, settings: Settings, target: str) -> list[OutputFile]:
    out = [f for s in services(catalog) for f in service_files(s, settings, target)]
    return sorted(out + catalog_files(catalog, settings, target), key=lambda f: f.path)
