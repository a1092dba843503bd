"""Alertmanager routing, packaged as the packaging says (one alertmanager.yml, or
AlertmanagerConfig objects).

Produced only when a routing spec (kind: Routing) is among the inputs. Every
file carries the complete alertmanager.yml it stands for (`alertmanager_text`),
so the pipeline checks it with `amtool check-config` before anything is written.
The user's base alertmanager.yml comes read, in the context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sloforge.compile.alertmanager.routes import alert_scope
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


def service_files(unit: Unit, context: Context) -> list[OutputFile]:
    return []


def catalog_files(catalog: Catalog, context: Context) -> list[OutputFile]:
    if catalog.routing is None:
        return []
    return context.packaging.alertmanager_files(catalog.routing, alert_scope(catalog), context.settings,
                                                context.alertmanager_base)
