"""Alertmanager routing, packaged as the packaging says (one alertmanager.yml, or
AlertmanagerConfig objects).

Produced only when a routing spec (kind: Routing) is among the inputs. Every
file carries the complete alertmanager.yml it stands for (`alertmanager_text`),
so the pipeline checks it with `amtool check-config` before anything is written.
The user's base alertmanager.yml comes read, in the context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sloforge.compile.alertmanager.config import DEFAULT_RECEIVER
from sloforge.compile.alertmanager.routes import alert_scope
from sloforge.errors import Problem
from sloforge.model.catalog import Catalog
from sloforge.outputs.base import Context, OutputFile, Settings, Unit

if TYPE_CHECKING:
    from sloforge.packaging.base import Packaging

NO_ROUTING_NOTE = ("no routing spec (kind: Routing) among the inputs: no Alertmanager config generated, "
                   "owners not checked")

# Routing depends on the routing spec (and the base config), not on the services alone.
CATALOG_FILES_FROM_SERVICES = False


def notes(catalog: Catalog, settings: Settings, packaging: Packaging) -> list[str]:
    if catalog.routing is None:
        ignored = " (--alertmanager-base ignored)" if settings.alertmanager_base else ""
        return [NO_ROUTING_NOTE + ignored]
    return packaging.alertmanager_notes(settings)


def catch_all_problems(catalog: Catalog, context: Context) -> list[Problem]:
    """A warning when alerts that match no route would be dropped: Alertmanager sends them
    to the root route's receiver, which must notify someone (other teams' alerts, alerts of
    rules sloforge did not write, an owner-less service's alerts all end up there)."""
    if catalog.routing is None or not context.packaging.uses_alertmanager_base:
        return []
    base = context.alertmanager_base
    if base is None:
        return [Problem(catalog.routing.source, None, "alertmanager_base", "no Alertmanager base config: "
                        "alerts that match no sloforge route go to the empty receiver "
                        f"'{DEFAULT_RECEIVER}' and are dropped; set alertmanager_base to your "
                        "alertmanager.yml, whose root route has a receiver that notifies someone",
                        warning=True)]
    route = base.data.get("route")
    name = route.get("receiver") if isinstance(route, dict) else None
    receivers = base.data.get("receivers") or []
    receiver = next((r for r in receivers if isinstance(r, dict) and r.get("name") == name), None)
    if receiver is not None and any(key.endswith("_configs") and value for key, value in receiver.items()):
        return []
    return [base.problem(("route", "receiver"), f"the root route's receiver '{name}' notifies no one: "
                         "alerts that match no route (sloforge's or yours) are dropped; give it a "
                         "notification config (email_configs, slack_configs, ...)", warning=True)]


def service_files(unit: Unit, context: Context) -> list[OutputFile]:
    return []


def catalog_files(catalog: Catalog, context: Context) -> list[OutputFile]:
    if catalog.routing is None:
        return []
    return context.packaging.alertmanager_files(catalog.routing, alert_scope(catalog), context.settings,
                                                context.alertmanager_base)
