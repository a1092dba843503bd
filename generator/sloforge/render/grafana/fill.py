"""compile/panels.Dashboard -> Grafana dashboard JSON (a dict).

The JSON comes from Grafana's Foundation SDK (shapes.py, the only module that
imports it), one *shape* per kind of panel, variable, query, ... with slots
where the data goes (template.py); this module fills them.
Shapes are built once per process and kept in the incremental cache (keyed by
the SDK's version), so a run that re-renders one changed dashboard fills cached
shapes and never imports the SDK (~0.15 s of a ~0.8 s run). Positions are
computed by the compiler, never by the SDK's auto-layout, so the grid is ours.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.util import find_spec
from typing import Any

from sloforge.compile.dashboards import panels as p
from sloforge.incremental import cache as disk_cache
from sloforge.render.grafana.panel_shape import shape_of
from sloforge.render.grafana.template import Template

REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SHAPES = "dashboard-shape"  # the cache kind


def render(board: p.Dashboard) -> dict[str, Any]:
    """The dashboard's JSON. Equal parts of it are shared between panels and
    dashboards (template.py): serialise it, do not edit it."""
    data: dict[str, Any] = _template("dashboard", bool(board.links)).fill({
        "title": board.title, "uid": board.uid, "description": board.description, "tags": board.tags,
        "time_from": board.time_from, "refresh": board.refresh,
        "variables": [_variable_json(variable) for variable in board.variables],
        "links": [_link_json(link) for link in board.links],
    })
    data["id"] = None  # provisioning: Grafana assigns ids; `uid` identifies the dashboard
    data["panels"] = [_item(item, index) for index, item in enumerate(board.items, start=1)]
    return data


# Shapes by the repr of their key: a table shape holds numbers that compare equal but
# print differently (1 and 1.0), which equality-keyed caching would mix up.
_TEMPLATES: dict[str, Template] = {}
_TEMPLATES_MAX = 4096


def _template(name: str, *key: Any) -> Template:
    ident = repr((name, *key))
    found = _TEMPLATES.get(ident)
    if found is None:
        if len(_TEMPLATES) >= _TEMPLATES_MAX:
            _TEMPLATES.clear()
        found = _TEMPLATES[ident] = Template(_skeleton(name, key, ident))
    return found


def _skeleton(name: str, key: tuple[Any, ...], ident: str) -> Any:
    store, version = disk_cache.active(), _sdk_version()
    if store is not None and version is not None:
        skeleton = store.get(SHAPES, version, ident)
        if skeleton is not None:
            return skeleton
    # Only here: importing shapes.py imports the Grafana SDK (~0.2 s), which a run
    # that finds every shape in the cache does not pay.
    from sloforge.render.grafana import shapes

    skeleton = shapes.build(name, *key)
    if store is not None and version is not None:
        store.put(SHAPES, skeleton, version, ident)
    return skeleton


@cache
def _sdk_version() -> str | None:
    """The SDK's dist-info name (`grafana_foundation_sdk-0.0.21.dist-info`), found without
    importing the SDK or importlib.metadata (~50 ms); None when it cannot be told."""
    spec = find_spec("grafana_foundation_sdk")
    if spec is None or not spec.submodule_search_locations:
        return None
    site = os.path.dirname(list(spec.submodule_search_locations)[0])
    try:
        found = sorted(n for n in os.listdir(site) if n.startswith("grafana_foundation_sdk-")
                       and n.endswith((".dist-info", ".egg-info")))
    except OSError:
        return None
    return found[0] if len(found) == 1 else None


def _variable_json(variable: p.Variable) -> dict[str, Any]:
    return _template("variable", variable.multi).fill(  # type: ignore[no-any-return]
        {"name": variable.name, "label": variable.label, "query": variable.query})


def _item(item: p.Panel | p.Row, panel_id: int) -> dict[str, Any]:
    if isinstance(item, p.Row):
        return _template("row").fill({"id": panel_id, "title": item.title, "y": item.y})  # type: ignore[no-any-return]
    grid = item.grid
    values = {
        "id": panel_id, "title": item.title, "x": grid.x, "y": grid.y, "w": grid.w, "h": grid.h,
        "description": item.description, "unit": item.unit, "decimals": item.decimals,
        "no_value": item.no_value,
        "thresholds": thresholds_json(item.steps) if item.steps else None,
        "mappings": [_mappings_json(item.mappings)] if item.mappings else [],
        "links": [_link_json(link) for link in item.links],
        "targets": [_query_json(q, ref) for q, ref in zip(item.queries, REF_IDS, strict=False)],
    }
    return _template("panel", shape_of(item)).fill(values)  # type: ignore[no-any-return]


def _query_json(query: p.Query, ref_id: str) -> dict[str, Any]:
    template = _template("query", query.table, bool(query.legend))
    return template.fill({"expr": query.expr, "legend": query.legend, "ref_id": ref_id})  # type: ignore[no-any-return]


def _link_json(link: p.Link) -> dict[str, Any]:
    return _template("link", link.new_tab).fill({"title": link.title, "url": link.url})  # type: ignore[no-any-return]


# Thresholds JSON by step list: a catalog has few distinct ones (objectives, burn
# factors, budget policies) and most panels have one. Bounded: cleared when full.
_THRESHOLDS: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
_THRESHOLDS_MAX = 4096


def thresholds_json(steps: tuple[p.Step, ...]) -> dict[str, Any]:
    # Keyed by how the values print: 1 and 1.0 (or 0.0 and -0.0) are equal as
    # numbers, so equal Steps, but they are different JSON.
    key = tuple([(repr(s.value), s.color) for s in steps])
    found = _THRESHOLDS.get(key)
    if found is None:
        if len(_THRESHOLDS) >= _THRESHOLDS_MAX:
            _THRESHOLDS.clear()
        step = _template("step").fill
        found = _THRESHOLDS[key] = _template("thresholds").fill(
            {"steps": [step({"value": s.value, "color": s.color}) for s in steps]})
    return found


def _mappings_json(mappings: tuple[p.Mapping, ...]) -> dict[str, Any]:
    return _template("mappings", mappings).fill({})  # type: ignore[no-any-return]
