"""What a producer is, and what it is handed.

A *producer* is one kind of output (rule files, promtool tests, Alertmanager
config, dashboards): it makes one service's files (`service_files`) and the
files that span the catalog (`catalog_files`), packaged as the run's packaging
(`Context.packaging`, see sloforge/packaging/) asks. Producers are modules that
implement `Producer`; the registry in sloforge/outputs/__init__.py types them, so
mypy checks every one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sloforge.compile.rules.groups import CompiledSlo
    from sloforge.compile.rules.rule import AlertingRule
    from sloforge.load.alertmanager_base import BaseConfig
    from sloforge.model.catalog import Catalog, Service
    from sloforge.packaging.base import Packaging
    from sloforge.render.grafana.fill import ShapeStore


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


@dataclass(frozen=True, slots=True)
class Context:
    """What the producers package with. The user's Alertmanager base is read before
    anything is produced (sloforge.pipeline.output_context), never by a producer:
    None when there is no routing, the packaging merges into no base, or none is named."""

    packaging: Packaging
    settings: Settings = field(default_factory=Settings)
    alertmanager_base: BaseConfig | None = None
    # Where dashboard shapes built by the Grafana SDK are kept between runs (the incremental
    # cache); None builds them in this process only.
    shapes: ShapeStore | None = None


class Unit:
    """One service on its way to output: compiled at most once, shared by the producers.

    `alert_labels`: labels the packaging sets on every alert (`Packaging.alert_labels`), so
    the rule files and the promtool tests that expect their alerts agree."""

    def __init__(self, service: Service, alert_labels: Mapping[str, str] | None = None):
        self.service = service
        self.alert_labels = dict(alert_labels or {})

    @classmethod
    def of(cls, service: Service, context: Context) -> Unit:
        return cls(service, context.packaging.alert_labels(context.settings))

    @cached_property
    def compiled(self) -> list[CompiledSlo]:
        """(recording rules, alerting rules) of each SLO."""
        from sloforge.compile.rules.groups import compile_slo, with_alert_labels

        compiled = [compile_slo(slo) for slo in self.service.slos]
        if not self.alert_labels:
            return compiled
        return with_alert_labels(self.service, compiled, self.alert_labels)

    @cached_property
    def groups(self) -> list[dict[str, object]]:
        from sloforge.compile.rules.groups import rule_groups

        return rule_groups(self.service, self.compiled)

    @property
    def alerting(self) -> list[list[AlertingRule]]:
        return [alerting for _, alerting in self.compiled]


class Producer(Protocol):
    """One kind of output. A module implements it with module-level names."""

    # Whether catalog_files depend on the services alone (not on routing, settings' base
    # file, ...): only then may a run where no service changed skip them.
    CATALOG_FILES_FROM_SERVICES: bool

    def service_files(self, unit: Unit, context: Context) -> list[OutputFile]:
        """One service's files ([] when this output has none per service)."""
        ...

    def catalog_files(self, catalog: Catalog, context: Context) -> list[OutputFile]:
        """The files that span every service ([] when this output has none)."""
        ...
