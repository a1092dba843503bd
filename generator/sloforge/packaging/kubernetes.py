"""Kubernetes objects (`--target kubernetes`): a PrometheusRule per service, a ConfigMap
per dashboard for the Grafana sidecar, an AlertmanagerConfig per team (Prometheus
Operator). Every object's metadata is built here, by `manifest`.

Dashboards: one ConfigMap each, labelled `grafana_dashboard: "1"` (the label the
kube-prometheus-stack sidecar watches by default) with the folder in the
`grafana_folder` annotation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sloforge import conventions as c
from sloforge.errors import CheckError, Problem
from sloforge.packaging.base import RuleGroups

if TYPE_CHECKING:
    from sloforge.compile.alertmanager.routes import AlertScope
    from sloforge.load.alertmanager_base import BaseConfig
    from sloforge.model.routing import Routing
    from sloforge.outputs.base import OutputFile, Settings

SIDECAR_LABEL = "grafana_dashboard"
FOLDER_ANNOTATION = "grafana_folder"
FOLDER = "SLOs"
CONFIGMAP_LIMIT = 1024 * 1024  # bytes; the API server refuses bigger objects

# For checking AlertmanagerConfig objects only: the operator's Alertmanager supplies the
# global section (SMTP relay and sender), which these stand in for.
CHECK_GLOBALS = {"smtp_smarthost": "smtp.invalid:25", "smtp_from": "alertmanager@smtp.invalid"}

PROMETHEUS_RULE_API = "monitoring.coreos.com/v1"


class Kubernetes:
    name = "kubernetes"
    help = "Kubernetes objects: PrometheusRule per service, AlertmanagerConfig per team (Prometheus Operator)"
    # The operator merges the AlertmanagerConfig objects into the Alertmanager's own configuration.
    uses_alertmanager_base = False

    def rule_file(self, service: str) -> str:
        return c.kubernetes_rule_file(service)

    def wrap_rules(self, service: str, groups: RuleGroups, settings: Settings) -> dict[str, object] | None:
        name = f"sloforge-{c.file_name(service)}"
        return manifest(PROMETHEUS_RULE_API, "PrometheusRule", name, settings, {"spec": groups})

    # A PrometheusRule is not a file promtool can load: the tests load a plain copy,
    # outside the folder that `kubectl apply -R` or GitOps tools sync.
    def unit_test_file(self, service: str) -> str:
        return c.unit_test_file(service, c.KUBERNETES_TESTS_DIR)

    def unit_test_rules_file(self, service: str) -> str | None:
        return c.unit_test_rules_file(service, c.KUBERNETES_TESTS_DIR)

    def dashboard_file(self, name: str, uid: str, text: str, sources: tuple[str, ...],
                       settings: Settings) -> tuple[str, str]:
        from sloforge.render.files import yaml_file

        content = yaml_file(config_map(uid, text, settings), list(sources))
        if len(content.encode()) > CONFIGMAP_LIMIT:
            raise CheckError([Problem(name, None, "", f"dashboard is {len(content.encode())} bytes, "
                                      "over the 1 MiB ConfigMap limit; split the specs into smaller "
                                      "runs or use --target prometheus")])
        return c.kubernetes_dashboard_file(uid), content

    def alertmanager_files(self, routing: Routing, scope: AlertScope, settings: Settings,
                           base: BaseConfig | None) -> list[OutputFile]:
        from sloforge.compile.alertmanager import operator
        from sloforge.compile.alertmanager.config import standalone
        from sloforge.outputs.base import OutputFile
        from sloforge.render.files import yaml_file

        out = []
        for team in routing.teams:
            spec = operator.alertmanager_config_spec(routing, team, scope)
            obj = manifest(operator.API_VERSION, operator.KIND, f"sloforge-{team.name}", settings, {"spec": spec})
            check_text = yaml_file({"global": CHECK_GLOBALS, **standalone(routing, (team,), scope)},
                                   [routing.source])
            text = yaml_file(json.loads(json.dumps(obj)), [routing.source])
            out.append(OutputFile(c.kubernetes_alertmanager_file(team.name), text, (routing.source,),
                                  alertmanager_text=check_text))
        return out

    def alertmanager_notes(self, settings: Settings) -> list[str]:
        if settings.alertmanager_base:
            return [("--alertmanager-base is ignored for --target kubernetes: the operator merges the "
                     "AlertmanagerConfig objects into the Alertmanager's own configuration")]
        return []

    def rule_groups(self, document: dict[str, object]) -> RuleGroups | None:
        spec = document.get("spec")
        if document.get("kind") == "PrometheusRule" and isinstance(spec, dict):
            return spec
        return None


def manifest(api_version: str, kind: str, name: str, settings: Settings, body: Mapping[str, object],
             labels: Mapping[str, str] | None = None, annotations: Mapping[str, str] | None = None
             ) -> dict[str, object]:
    """A Kubernetes object: `body` (spec, data) under the metadata every sloforge object
    carries: name, --namespace, the managed-by label, `labels` and the --label labels."""
    metadata: dict[str, object] = {"name": name}
    if settings.namespace:
        metadata["namespace"] = settings.namespace
    metadata["labels"] = dict(sorted({"app.kubernetes.io/managed-by": "sloforge", **(labels or {}),
                                      **settings.object_labels}.items()))
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}


def config_map(uid: str, text: str, settings: Settings) -> dict[str, object]:
    return manifest("v1", "ConfigMap", "sloforge-dashboard-" + re.sub(r"[^a-z0-9-]", "-", uid), settings,
                    {"data": {f"{uid}.json": text}}, labels={SIDECAR_LABEL: "1"},
                    annotations={FOLDER_ANNOTATION: FOLDER})
