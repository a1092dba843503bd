"""compile/panels.Dashboard -> Grafana dashboard JSON (a dict).

The JSON comes from Grafana's Foundation SDK (shapes.py, the only module that
imports it), one *shape* per kind of panel, variable, query, ... with slots
where the data goes (template.py); this module fills them.
Shapes are built once per process and kept in the shape store the caller
passes (the incremental cache, keyed by the SDK's version), so a run that
re-renders one changed dashboard fills cached shapes and never imports the SDK
(~0.15 s of a ~0.8 s run). Positions are computed by the compiler, never by the
SDK's auto-layout, so the grid is ours.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.util import find_spec
from typing import Any, Protocol

from sloforge.compile.dashboards import panels as p
from sloforge.render.grafana.panel_shape import shape_of
from sloforge.render.grafana.template import Template

REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SHAPES = "dashboard-shape"  # the cache kind


class ShapeStore(Protocol):
    """Where shapes outlive the process: incremental.cache.Cache has these two."""

    def get(self, kind: str, *key: str) -> Any | None: ...

    def put(self, kind: str, value: object, *key: str) -> None: ...


def render(board: p.Dashboard, shapes: ShapeStore | None = None) -> dict[str, Any]:
    """The dashboard's JSON. Equal parts of it are shared between panels and
    dashboards (template.py): serialise it, do not edit it.

    `shapes`: a store to look shapes up in (and keep new ones in) before building
    them with the SDK; None: build every shape this process has not built yet."""
    data: dict[str, Any] = _template(shapes, "dashboard", bool(board.links)).fill({
        "title": board.title, "uid": board.uid, "description": board.description, "tags": board.tags,
        "time_from": board.time_from, "refresh": board.refresh,
        "variables": [_variable_json(shapes, variable) for variable in board.variables],
        "links": [_link_json(shapes, link) for link in board.links],
    })
    data["id"] = None  # provisioning: Grafana assigns ids; `uid` identifies the dashboard
    data["panels"] = [_item(shapes, item, index) for index, item in enumerate(board.items, start=1)]
    return data


# Shapes by the repr of their key: a table shape holds numbers that compare equal but
# print differently (1 and 1.0), which equality-keyed caching would mix up.
_TEMPLATES: dict[str, Template] = {}
_TEMPLATES_MAX = 4096


def _template(shapes: ShapeStore | None, name: str, *key: Any) -> Template:
    ident = repr((name, *key))
    found = _TEMPLATES.get(ident)
    if found is None:
        if len(_TEMPLATES) >= _TEMPLATES_MAX:
            _TEMPLATES.clear()
        found = _TEMPLATES[ident] = Template(_skeleton(shapes, name, key, ident))
    return found


def _skeleton(shapes: ShapeStore | None, name: str, key: tuple[Any, ...], ident: str) -> Any:
    version = _sdk_version()
    if shapes is not None and version is not None:
        skeleton = shapes.get(SHAPES, version, ident)
        if skeleton is not None:
            return skeleton
    # Only here: importing shapes.py imports the Grafana SDK (~0.2 s), which a run
    # that finds every shape in the cache does not pay.
    from sloforge.render.grafana import shapes as shapes_sdk

    skeleton = shapes_sdk.build(name, *key)
    if shapes is not None and version is not None:
        shapes.put(SHAPES, skeleton, version, ident)
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


def _variable_json(shapes: ShapeStore | None, variable: p.Variable) -> dict[str, Any]:
    return _template(shapes, "variable", variable.multi).fill(  # type: ignore[no-any-return]
        {"name": variable.name, "label": variable.label, "query": variable.query})


def _item(shapes: ShapeStore | None, item: p.Panel | p.Row, panel_id: int) -> dict[str, Any]:
    if isinstance(item, p.Row):
        row: dict[str, Any] = _template(shapes, "row").fill({"id": panel_id, "title": item.title, "y": item.y})
        return row
    grid = item.grid
    values = {
        "id": panel_id, "title": item.title, "x": grid.x, "y": grid.y, "w": grid.w, "h": grid.h,
        "description": item.description, "unit": item.unit, "decimals": item.decimals,
        "no_value": item.no_value,
        "thresholds": _thresholds_json(shapes, item.steps) if item.steps else None,
        "mappings": [_mappings_json(shapes, item.mappings)] if item.mappings else [],
        "links": [_link_json(shapes, link) for link in item.links],
        "targets": [_query_json(shapes, q, ref) for q, ref in zip(item.queries, REF_IDS, strict=False)],
    }
    return _template(shapes, "panel", shape_of(item)).fill(values)  # type: ignore[no-any-return]


def _query_json(shapes: ShapeStore | None, query: p.Query, ref_id: str) -> dict[str, Any]:
    template = _template(shapes, "query", query.table, bool(query.legend), *((True,) if query.instant else ()))
    return template.fill({"expr": query.expr, "legend": query.legend, "ref_id": ref_id})  # type: ignore[no-any-return]


def _link_json(shapes: ShapeStore | None, link: p.Link) -> dict[str, Any]:
    template = _template(shapes, "link", link.new_tab)
    return template.fill({"title": link.title, "url": link.url})  # type: ignore[no-any-return]


# Thresholds JSON by step list: a catalog has few distinct ones (objectives, burn
# factors, budget policies) and most panels have one. Bounded: cleared when full.
_THRESHOLDS: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
_THRESHOLDS_MAX = 4096


def _thresholds_json(shapes: ShapeStore | None, steps: tuple[p.Step, ...]) -> dict[str, Any]:
    # Keyed by how the values print: 1 and 1.0 (or 0.0 and -0.0) are equal as
    # numbers, so equal Steps, but they are different JSON.
    key = tuple([(repr(s.value), s.color) for s in steps])
    found = _THRESHOLDS.get(key)
    if found is None:
        if len(_THRESHOLDS) >= _THRESHOLDS_MAX:
            _THRESHOLDS.clear()
        step = _template(shapes, "step").fill
        found = _THRESHOLDS[key] = _template(shapes, "thresholds").fill(
            {"steps": [step({"value": s.value, "color": s.color}) for s in steps]})
    return found


def _mappings_json(shapes: ShapeStore | None, mappings: tuple[p.Mapping, ...]) -> dict[str, Any]:
    return _template(shapes, "mappings", mappings).fill({})  # type: ignore[no-any-return]
