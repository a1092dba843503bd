"""Kubernetes objects for the Prometheus Operator: one PrometheusRule per service."""

from __future__ import annotations

from sloforge.compile.groups import rule_groups
from sloforge.model import Catalog
from sloforge.render import yaml_file
from sloforge.targets import OutputFile, Settings

NAME = "kubernetes"
HELP = "PrometheusRule objects: out/kubernetes/<service>.yml"


def files(catalog: Catalog, settings: Settings) -> list[OutputFile]:
    out = []
    for service in catalog.services:
        if not service.slos:
            continue
        groups = rule_groups(service)
        metadata: dict[str, object] = {"name": f"sloforge-{service.name}"}
        if settings.namespace:
            metadata["namespace"] = settings.namespace
        metadata["labels"] = dict(sorted({"app.kubernetes.io/managed-by": "sloforge",
                                          **settings.object_labels}.items()))
        obj = {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": metadata,
            "spec": {"groups": groups},
        }
        sources = [service.source]
        out.append(OutputFile(f"kubernetes/{service.name}.yml", yaml_file(obj, sources),
                              (service.source,), rules_text=yaml_file({"groups": groups}, sources)))
    return out
