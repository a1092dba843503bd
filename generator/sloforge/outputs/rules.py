"""Rule files: plain Prometheus rule files, or one PrometheusRule object per service."""

from __future__ import annotations

from collections.abc import Mapping

from sloforge import conventions as c
from sloforge.model.catalog import Catalog, Service
from sloforge.outputs import OutputFile, Settings, Unit
from sloforge.render.files import yaml_file


def files(catalog: Catalog, settings: Settings, target: str) -> list[OutputFile]:
    return [f for s in catalog.services if s.slos for f in service_files(Unit(s), settings, target)]


def service_files(unit: Unit, settings: Settings, target: str) -> list[OutputFile]:
    service = unit.service
    groups = {"groups": unit.groups}
    sources = [service.source]
    plain = yaml_file(groups, sources)
    if target == "kubernetes":
        obj = prometheus_rule(service, groups, settings)
        return [OutputFile(c.kubernetes_rule_file(service.name), yaml_file(obj, sources),
                           (service.source,), rules_text=plain)]
    if target == "mimir":
        namespace = {"namespace": c.mimir_namespace(service.name), **groups}
        return [OutputFile(c.mimir_rule_file(service.name), yaml_file(namespace, sources),
                           (service.source,), rules_text=plain)]
    return [OutputFile(c.rule_file(service.name), plain, (service.source,), rules_text=plain)]


def prometheus_rule(service: Service, groups: Mapping[str, object], settings: Settings) -> dict[str, object]:
    metadata: dict[str, object] = {"name": f"sloforge-{service.name}"}
    if settings.namespace:
        metadata["namespace"] = settings.namespace
    metadata["labels"] = dict(sorted({"app.kubernetes.io/managed-by": "sloforge",
                                      **settings.object_labels}.items()))
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": metadata, "spec": groups}
