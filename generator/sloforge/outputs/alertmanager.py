"""Alertmanager routing: out/alertmanager/alertmanager.yml, or AlertmanagerConfig objects.

Produced only when a routing spec (kind: Routing) is among the inputs. Every
file carries the complete alertmanager.yml it stands for (`alertmanager_text`),
so the pipeline checks it with `amtool check-config` before anything is written.
"""

from __future__ import annotations

import json

from sloforge import conventions as c
from sloforge.compile.alertmanager.config import merged, standalone
from sloforge.compile.alertmanager.operator import alertmanager_config
from sloforge.compile.alertmanager.routes import AlertScope
from sloforge.load.alertmanager_base import load_base
from sloforge.model.catalog import Catalog
from sloforge.outputs import OutputFile, Settings
from sloforge.render.files import yaml_file

NO_ROUTING_NOTE = ("no routing spec (kind: Routing) among the inputs: no Alertmanager config generated, "
                   "owners not checked")


# For checking AlertmanagerConfig objects only: the operator's Alertmanager supplies the
# global section (SMTP relay and sender), which these stand in for.
CHECK_GLOBALS = {"smtp_smarthost": "smtp.invalid:25", "smtp_from": "alertmanager@smtp.invalid"}


def notes(catalog: Catalog, settings: Settings, target: str) -> list[str]:
    if catalog.routing is None:
        ignored = " (--alertmanager-base ignored)" if settings.alertmanager_base else ""
        return [NO_ROUTING_NOTE + ignored]
    if target == "kubernetes" and settings.alertmanager_base:
        return [("--alertmanager-base is ignored for --target kubernetes: the operator merges the "
                 "AlertmanagerConfig objects into the Alertmanager's own configuration")]
    return []


def catalog_files(catalog: Catalog, settings: Settings, target: str) -> list[OutputFile]:
    routing = catalog.routing
    if routing is None:
        return []
    scope = alert_scope(catalog)
    if target == "kubernetes":
        out = []
        for team in routing.teams:
            obj = alertmanager_config(routing, team, settings.namespace, settings.object_labels, scope)
            check_text = yaml_file({"global": CHECK_GLOBALS, **standalone(routing, (team,), scope)},
                                   [routing.source])
            text = yaml_file(json.loads(json.dumps(obj)), [routing.source])
            out.append(OutputFile(c.kubernetes_alertmanager_file(team.name), text, (routing.source,),
                                  alertmanager_text=check_text))
        return out
    base_path = settings.alertmanager_base or routing.alertmanager_base
    if base_path:
        base = load_base(base_path)
        config, sources = merged(routing, base, scope), [routing.source, base.path]
    else:
        config, sources = standalone(routing, scope=scope), [routing.source]
    text = yaml_file(json.loads(json.dumps(config)), sources)
    return [OutputFile(c.ALERTMANAGER_FILE, text, tuple(sorted(sources)), alertmanager_text=text)]


def alert_scope(catalog: Catalog) -> AlertScope:
    """The group_by labels and budget thresholds of the catalog's alerts, for inhibition.

    A label some SLO's alerts set to a fixed value of their own (a tier's `labels`, the
    alerting labels) is left out of the group labels: the page and the ticket of one SLO can
    differ in it, and `equal` would then never hold."""
    slos = [slo for service in catalog.services for slo in service.slos]
    thresholds = {p.consumed_text: p.consumed for slo in slos for p in slo.alerting.budget}
    fixed = {name for slo in slos for name, _ in slo.alerting.labels}
    fixed |= {name for slo in slos for tier in slo.alerting.tiers for name, _ in tier.labels}
    grouped = {label for slo in slos for label in slo.sli.group_by}
    return AlertScope(tuple(sorted(grouped - fixed - c.ALERT_LABELS)),
                      tuple(sorted(thresholds, key=thresholds.__getitem__)))
