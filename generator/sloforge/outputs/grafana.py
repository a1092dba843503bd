"""Grafana dashboards: one per service and the overview, packaged as the packaging says.

Plain packagings: out/grafana/<service>.json and out/grafana/slo-overview.json,
ready for file provisioning or the import dialog. Kubernetes: one ConfigMap per
dashboard for the Grafana sidecar (sloforge/packaging/kubernetes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sloforge import conventions as c
from sloforge.model.catalog import Catalog
from sloforge.outputs.base import Context, OutputFile, Unit
from sloforge.render.files import to_json

# The compilers are imported where they are used: importing the Grafana SDK costs ~0.2 s,
# which a run where no service changed (every dashboard kept as it is) does not pay.


def service_files(unit: Unit, context: Context) -> list[OutputFile]:
    from sloforge.compile.dashboards.service import service_dashboard

    service = unit.service
    return [_package(c.dashboard_file(service.name), (service.source,), partial(service_dashboard, service),
                     context)]


# The overview is a function of the services only: an unchanged run skips it.
CATALOG_FILES_FROM_SERVICES = True


def catalog_files(catalog: Catalog, context: Context) -> list[OutputFile]:
    """The overview of every SLO and journey (rebuilt on every run: it depends on all services)."""
    services = [s for s in catalog.services if s.slos]
    if not services:
        return []
    from sloforge.compile.dashboards.overview import overview_dashboard

    sources = tuple(sorted({s.source for s in services} | {j.source for j in catalog.journeys}))
    return [_package(c.overview_dashboard_file(), sources, partial(overview_dashboard, catalog), context)]


def files(catalog: Catalog, context: Context) -> list[OutputFile]:
    """Every dashboard file of the catalog, rendered afresh (no cache)."""
    return [f for s in catalog.services if s.slos
            for f in service_files(Unit.of(s, context), context)] + catalog_files(catalog, context)


def _package(name: str, sources: tuple[str, ...], compile_board: Callable[[], Any], context: Context) -> OutputFile:
    from sloforge.render.grafana.fill import render

    board = render(compile_board(), context.shapes)
    path, content = context.packaging.dashboard_file(name, board["uid"], to_json(board), sources, context.settings)
    return OutputFile(path, content, sources)
