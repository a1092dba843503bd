"""Output targets and the producers that fill them.

A *target* is how output is packaged (`--target`): plain files for Prometheus
and friends, or Kubernetes objects for the operators. A *producer* is one kind
of output (rule files, promtool tests, Alertmanager config, dashboards): a
module with `files(catalog, settings, target) -> list[OutputFile]` that knows
how to package itself for every target. A new target is one line in TARGETS;
a new kind of output is one module and one line in PRODUCERS.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sloforge.model import Catalog

TARGETS = {
    "prometheus": "plain files: out/prometheus/<service>.yml rule files (Prometheus, Thanos, vmalert)",
    "kubernetes": "Kubernetes objects: PrometheusRule per service, AlertmanagerConfig per team "
                  "(Prometheus Operator)",
    "mimir": "mimirtool/cortextool namespace files: out/mimir/sloforge-<service>.yml (Mimir, Cortex rulers)",
}

PRODUCERS = [
    "sloforge.targets.rules",
    "sloforge.targets.grafana",
    "sloforge.targets.alertmanager",
    "sloforge.targets.unit_tests",
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


def files(catalog: Catalog, settings: Settings, target: str) -> list[OutputFile]:
    out: list[OutputFile] = []
    for name in PRODUCERS:
        out.extend(importlib.import_module(name).files(catalog, settings, target))
    return sorted(out, key=lambda f: f.path)
