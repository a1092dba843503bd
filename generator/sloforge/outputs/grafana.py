"""Grafana dashboards: JSON files, or ConfigMaps for the Grafana sidecar.

prometheus target: out/grafana/<service>.json and out/grafana/slo-overview.json,
ready for file provisioning or the import dialog. kubernetes target: one
ConfigMap per dashboard labelled `grafana_dashboard: "1"` (the label the
kube-prometheus-stack sidecar watches by default) with the folder in the
`grafana_folder` annotation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from sloforge import conventions as c
from sloforge.errors import CheckError, Problem
from sloforge.incremental import cache as incremental_cache
from sloforge.model.catalog import Catalog
from sloforge.outputs import OutputFile, Settings, Unit
from sloforge.render.files import to_json, yaml_file

if TYPE_CHECKING:
    from sloforge.render.grafana.fill import ShapeStore

SIDECAR_LABEL = "grafana_dashboard"
FOLDER_ANNOTATION = "grafana_folder"
FOLDER = "SLOs"
CONFIGMAP_LIMIT = 1024 * 1024  # bytes; the API server refuses bigger objects


# The compilers are imported where they are used: importing the Grafana SDK costs ~0.2 s,
# which a run where no service changed (every dashboard kept as it is) does not pay.

# `shapes`: where dashboard shapes are kept between runs (see render/grafana/fill.py), or
# None for none. For now it defaults to ACTIVE: the cache incremental.cache.activated() set
# up, looked up at the call.
ACTIVE: Literal["active"] = "active"
Shapes: TypeAlias = "ShapeStore | None | Literal['active']"


def _shape_store(shapes: Shapes) -> ShapeStore | None:
    return incremental_cache.active() if isinstance(shapes, str) else shapes


def dashboards(catalog: Catalog, *, shapes: Shapes = ACTIVE) -> list[tuple[str, tuple[str, ...], dict[str, Any]]]:
    """(file name, source specs, dashboard JSON) for every service and the overview."""
    from sloforge.compile.dashboards.overview import overview_dashboard
    from sloforge.compile.dashboards.service import service_dashboard
    from sloforge.render.grafana.fill import render

    store = _shape_store(shapes)
    out: list[tuple[str, tuple[str, ...], dict[str, Any]]]
    out = [(c.dashboard_file(s.name), (s.source,), render(service_dashboard(s), store))
           for s in catalog.services if s.slos]
    if out:
        sources = tuple(sorted({s.source for s in catalog.services if s.slos}))
        out.append((c.overview_dashboard_file(), sources, render(overview_dashboard(catalog), store)))
    return out


def service_files(unit: Unit, settings: Settings, target: str, *, shapes: Shapes = ACTIVE) -> list[OutputFile]:
    from sloforge.compile.dashboards.service import service_dashboard

    service = unit.service
    return [_package(c.dashboard_file(service.name), (service.source,), partial(service_dashboard, service),
                     settings, target, _shape_store(shapes))]


# The overview is a function of the services only: an unchanged run skips it.
CATALOG_FILES_FROM_SERVICES = True


def catalog_files(catalog: Catalog, settings: Settings, target: str, *,
                  shapes: Shapes = ACTIVE) -> list[OutputFile]:
    """The overview of every SLO (rebuilt on every run: it depends on all services)."""
    services = [s for s in catalog.services if s.slos]
    if not services:
        return []
    from sloforge.compile.dashboards.overview import overview_dashboard

    sources = tuple(sorted({s.source for s in services}))
    return [_package(c.overview_dashboard_file(), sources, partial(overview_dashboard, catalog),
                     settings, target, _shape_store(shapes))]


def files(catalog: Catalog, settings: Settings, target: str, *, shapes: Shapes = ACTIVE) -> list[OutputFile]:
    """Every dashboard file of the catalog, rendered afresh (no cache)."""
    store = _shape_store(shapes)
    out = [f for s in catalog.services if s.slos for f in service_files(Unit(s), settings, target, shapes=store)]
    return out + catalog_files(catalog, settings, target, shapes=store)


def _package(name: str, sources: tuple[str, ...], compile_board: Callable[[], Any], settings: Settings,
             target: str, shapes: ShapeStore | None) -> OutputFile:
    from sloforge.render.grafana.fill import render

    board = render(compile_board(), shapes)
    text = to_json(board)
    if target != "kubernetes":
        return OutputFile(name, text, sources)
    content = yaml_file(config_map(board["uid"], text, settings), list(sources))
    if len(content.encode()) > CONFIGMAP_LIMIT:
        raise CheckError([Problem(name, None, "", f"dashboard is {len(content.encode())} bytes, "
                                  "over the 1 MiB ConfigMap limit; split the specs into smaller "
                                  "runs or use --target prometheus")])
    return OutputFile(c.kubernetes_dashboard_file(board["uid"]), content, sources)


def config_map(uid: str, text: str, settings: Settings) -> dict[str, object]:
    metadata: dict[str, object] = {"name": "sloforge-dashboard-" + re.sub(r"[^a-z0-9-]", "-", uid)}
    if settings.namespace:
        metadata["namespace"] = settings.namespace
    metadata["labels"] = dict(sorted({"app.kubernetes.io/managed-by": "sloforge", SIDECAR_LABEL: "1",
                                      **settings.object_labels}.items()))
    metadata["annotations"] = {FOLDER_ANNOTATION: FOLDER}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
            "data": {f"{uid}.json": text}}
