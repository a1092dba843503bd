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
from dataclasses import replace
from typing import TYPE_CHECKING

from sloforge import conventions as c
from sloforge.errors import CheckError, Problem, UsageError
from sloforge.packaging.base import RuleGroups

if TYPE_CHECKING:
    from sloforge.compile.alertmanager.routes import AlertScope
    from sloforge.load.alertmanager_base import BaseConfig
    from sloforge.model.catalog import Catalog
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
PREFIX = "sloforge-"
# The label the operator matches on an AlertmanagerConfig's alerts (alertmanagerConfigMatcherStrategy
# OnNamespace, its default): every alert carries the namespace of the objects (--namespace).
NAMESPACE_LABEL = "namespace"
# `kubectl apply` (client-side) keeps the whole object in an annotation, which may hold 256 KiB.
LAST_APPLIED_LIMIT = 256 * 1024

# Kubernetes' own rules (k8s.io/apimachinery/pkg/util/validation).
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


class Kubernetes:
    name = "kubernetes"
    help = "Kubernetes objects: PrometheusRule per service, AlertmanagerConfig per team (Prometheus Operator)"
    # The operator merges the AlertmanagerConfig objects into the Alertmanager's own configuration.
    uses_alertmanager_base = False

    def rule_file(self, service: str) -> str:
        return c.kubernetes_rule_file(service)

    def wrap_rules(self, service: str, groups: RuleGroups, settings: Settings) -> dict[str, object] | None:
        return manifest(PROMETHEUS_RULE_API, "PrometheusRule", object_name(service), settings, {"spec": groups})

    def alert_labels(self, settings: Settings) -> dict[str, str]:
        return {NAMESPACE_LABEL: settings.namespace} if settings.namespace else {}

    def catalog_problems(self, catalog: Catalog, settings: Settings) -> list[Problem]:
        """Object names two services (or teams) would share; a routing spec without --namespace."""
        if catalog.routing is not None and not settings.namespace:
            raise UsageError("--target kubernetes with a routing spec needs --namespace: the Prometheus "
                             "Operator routes an AlertmanagerConfig only alerts whose namespace label is "
                             "its own namespace, and sloforge sets that label on every alert "
                             "(docs/routing.md, Kubernetes)")
        problems: list[Problem] = []
        taken: dict[tuple[str, str], str] = {}

        def claim(kind: str, name: str, owner: str, problem: Problem) -> None:
            first = taken.setdefault((kind, name), owner)
            if first != owner:
                problems.append(replace(problem, message=f"{problem.message} and {first!r} both become "
                                        f"{kind} {name}; rename one of them"))

        taken[("ConfigMap", config_map_name(c.OVERVIEW_DASHBOARD_UID))] = "the overview dashboard"
        for service in catalog.services:
            if not service.slos:
                continue
            where = Problem(service.source, service.owner_line, "service", f"service {service.name!r}")
            claim("PrometheusRule", object_name(service.name), service.name, where)
            claim("ConfigMap", config_map_name(c.dashboard_uid(service.name)), service.name, where)
        if catalog.routing is not None:
            for team in catalog.routing.teams:
                claim("AlertmanagerConfig", object_name(team.name), team.name,
                      Problem(catalog.routing.source, team.line, f"teams.{team.name}", f"team {team.name!r}"))
        return problems

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
            obj = manifest(operator.API_VERSION, operator.KIND, object_name(team.name), settings, {"spec": spec})
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

    def file_notes(self, files: list[OutputFile]) -> list[str]:
        return size_notes(files)

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


def object_name(name: str) -> str:
    """metadata.name of the object of a service or team: sloforge-<name>, as a DNS-1123
    subdomain (lower case; any other character becomes '-'). Two names that map to one
    are refused by `catalog_problems`."""
    text = re.sub(r"[^a-z0-9-]", "-", (PREFIX + name).lower())[:253]
    return text.rstrip("-")


def valid_object_name(name: str) -> bool:
    """A DNS-1123 subdomain: what metadata.name of a PrometheusRule, AlertmanagerConfig,
    ConfigMap or Secret must be."""
    return len(name) <= 253 and bool(_DNS1123_SUBDOMAIN.match(name))


def config_map_name(uid: str) -> str:
    return object_name("dashboard-" + uid)


def namespace_problem(namespace: str) -> str | None:
    """Why `namespace` cannot be a namespace's name (a DNS-1123 label), or None."""
    if len(namespace) > 63 or not _DNS1123_LABEL.match(namespace):
        return (f"--namespace {namespace!r} is not a valid namespace name: at most 63 characters, lower-case "
                "letters, digits and '-', starting and ending with a letter or digit")
    return None


def label_problem(key: str, value: str) -> str | None:
    """Why KEY=VALUE cannot be a Kubernetes label, or None."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return (f"--label {key}={value}: the prefix {prefix!r} must be a DNS subdomain (lower case, "
                "such as example.com)")
    if len(name) > 63 or not _LABEL_NAME.match(name):
        return (f"--label {key}={value}: the name {name!r} must be at most 63 characters of letters, digits, "
                "'-', '_' and '.', starting and ending with a letter or digit")
    if value and (len(value) > 63 or not _LABEL_NAME.match(value)):
        return (f"--label {key}={value}: the value must be empty or at most 63 characters "
                f"({len(value)} given) of letters, digits, '-', '_' and '.', starting and ending with a "
                "letter or digit")
    return None


def size_notes(files: list[OutputFile]) -> list[str]:
    """Objects a client-side `kubectl apply` cannot apply (its last-applied annotation would be
    over 256 KiB)."""
    return [f"{f.path} is {len(f.content.encode()) // 1024} KiB, over the 256 KiB a client-side "
            "`kubectl apply` can store in its last-applied annotation: apply it with "
            "`kubectl apply --server-side` (or split the spec into smaller services)"
            for f in files if f.path.startswith("kubernetes/") and len(f.content.encode()) > LAST_APPLIED_LIMIT]


def config_map(uid: str, text: str, settings: Settings) -> dict[str, object]:
    return manifest("v1", "ConfigMap", config_map_name(uid), settings,
                    {"data": {f"{uid}.json": text}}, labels={SIDECAR_LABEL: "1"},
                    annotations={FOLDER_ANNOTATION: FOLDER})
