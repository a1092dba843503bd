"""compile/panels.Dashboard -> Grafana dashboard JSON (a dict), via Grafana's Foundation SDK.

The only module that knows the library. The Foundation SDK is generated from
Grafana's own schemas, so the JSON it writes is the current model
(schemaVersion 42, timeseries/stat/table panels with gridPos) and fills every
option a panel plugin requires; grafanalib 0.7.1 writes schemaVersion 12 with
legacy keys and fails Grafana's dashboard schema in ~23 places. Positions are
computed by the compiler, never by the SDK's auto-layout, so the grid is ours.
"""

from __future__ import annotations

import warnings
from functools import cache, lru_cache
from typing import Any, NamedTuple

with warnings.catch_warnings():
    # builders/dashboard.py warns at import time to prefer the v2 (Kubernetes
    # style) schema, which Grafana 10/11 cannot import; we write v1 on purpose.
    warnings.simplefilter("ignore", DeprecationWarning)
    from grafana_foundation_sdk.builders import common as common_b
    from grafana_foundation_sdk.builders import dashboard as dash_b
    from grafana_foundation_sdk.builders import prometheus, stat, table, timeseries
    from grafana_foundation_sdk.models import common as common_m
    from grafana_foundation_sdk.models import dashboard as dash_m
    from grafana_foundation_sdk.models import prometheus as prometheus_m

from sloforge.compile import panels as p
from sloforge.compile.dashboard_template import Template, plain, slot

DATASOURCE_VARIABLE = "datasource"
DATASOURCE = dash_m.DataSourceRef(type_val="prometheus", uid="${" + DATASOURCE_VARIABLE + "}")
REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def render(board: p.Dashboard) -> dict[str, Any]:
    """The dashboard's JSON. Equal parts of it are shared between panels and
    dashboards (dashboard_template.py): serialise it, do not edit it."""
    data: dict[str, Any] = _dashboard_template(bool(board.links)).fill({
        "title": board.title, "uid": board.uid, "description": board.description, "tags": board.tags,
        "time_from": board.time_from, "refresh": board.refresh,
        "variables": [_variable_json(variable) for variable in board.variables],
        "links": [_link_json(link) for link in board.links],
    })
    data["id"] = None  # provisioning: Grafana assigns ids; `uid` identifies the dashboard
    data["panels"] = [_item(item, index) for index, item in enumerate(board.items, start=1)]
    return data


@cache
def _dashboard_template(links: bool) -> Template:
    builder = (dash_b.Dashboard(slot("title")).uid(slot("uid")).description(slot("description"))
               .tags([slot("tags", many=True)]).time(slot("time_from"), "now").refresh(slot("refresh"))
               .tooltip(dash_m.DashboardCursorSync.CROSSHAIR).timezone("browser").editable())
    builder.with_variable(dash_b.DatasourceVariable(DATASOURCE_VARIABLE).label("Data source")
                          .type("prometheus"))
    builder.with_variable(slot("variables", many=True))
    if links:
        builder.link(slot("links", many=True))
    return Template(builder.build())


def _variable_json(variable: p.Variable) -> dict[str, Any]:
    return _variable_template(variable.multi).fill(  # type: ignore[no-any-return]
        {"name": variable.name, "label": variable.label, "query": variable.query})


@cache
def _variable_template(multi: bool) -> Template:
    return Template(_variable(p.Variable(slot("name"), slot("label"), slot("query"), multi)).build())


def _variable(variable: p.Variable) -> dash_b.QueryVariable:
    return (dash_b.QueryVariable(variable.name).label(variable.label).datasource(DATASOURCE)
            .query(variable.query).definition(variable.query).multi(variable.multi)
            .include_all(True).refresh(dash_m.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(dash_m.VariableSort.ALPHABETICAL_ASC)
            .current(dash_m.VariableOption(selected=True, text=["All"], value=["$__all"])))


def _dashboard_link(link: p.Link) -> dash_b.DashboardLink:
    return (dash_b.DashboardLink(link.title).type(dash_m.DashboardLinkType.LINK).url(link.url)
            .icon("external link" if link.new_tab else "dashboard").tooltip(link.title)
            .tags([]).as_dropdown(False).target_blank(link.new_tab)
            .include_vars(not link.new_tab).keep_time(not link.new_tab))


def _item(item: p.Panel | p.Row, panel_id: int) -> dict[str, Any]:
    if isinstance(item, p.Row):
        return _row_template().fill({"id": panel_id, "title": item.title, "y": item.y})
    grid = item.grid
    values = {
        "id": panel_id, "title": item.title, "x": grid.x, "y": grid.y, "w": grid.w, "h": grid.h,
        "description": item.description, "unit": item.unit, "decimals": item.decimals,
        "no_value": item.no_value,
        "thresholds": _thresholds_json(item.steps) if item.steps else None,
        "mappings": [_mappings_json(item.mappings)] if item.mappings else [],
        "links": [_link_json(link) for link in item.links],
        "targets": [_query_json(q, ref) for q, ref in zip(item.queries, REF_IDS, strict=False)],
    }
    shape = _shape(item)
    # Table panels are rare (one per overview) and their columns hold numbers that
    # compare equal but print differently (1 and 1.0), so their shapes are not cached.
    template = _panel_template(shape) if shape.table is None else _new_panel_template(shape)
    return template.fill(values)


class _Shape(NamedTuple):
    """What decides the structure of a panel's JSON: the optional fields it has
    and the options of its kind. Panels of one shape differ only in their values."""

    kind: str
    description: bool
    unit: bool
    decimals: bool
    steps: bool
    mappings: bool
    links: bool
    no_value: bool
    several: bool  # stat: more than one value, each shown with its name
    threshold_style: str  # timeseries
    dashed: tuple[str, ...]  # timeseries
    table: p.Panel | None  # table: the panel, for its columns, sorting and links


def _shape(item: p.Panel) -> _Shape:
    several = len(item.queries) > 1 or "{{" in (item.queries[0].legend if item.queries else "")
    return _Shape(item.kind, bool(item.description), bool(item.unit), item.decimals is not None,
                  bool(item.steps), bool(item.mappings), bool(item.links), bool(item.no_value), several,
                  item.threshold_style, item.dashed, item if item.kind == "table" else None)


@lru_cache(maxsize=256)
def _panel_template(shape: _Shape) -> Template:
    return _new_panel_template(shape)


def _new_panel_template(shape: _Shape) -> Template:
    builder: Any = {"stat": _stat, "timeseries": _timeseries, "table": _table}[shape.kind](shape)
    builder.id(slot("id")).title(slot("title")).datasource(DATASOURCE)
    builder.grid_pos(dash_m.GridPos(h=slot("h"), w=slot("w"), x=slot("x"), y=slot("y")))
    if shape.description:
        builder.description(slot("description"))
    if shape.unit:
        builder.unit(slot("unit"))
    if shape.decimals:
        builder.decimals(slot("decimals"))
    if shape.steps:
        builder.thresholds(slot("thresholds"))
    if shape.mappings:
        builder.mappings([slot("mappings", many=True)])
    if shape.links:
        builder.links([slot("links", many=True)])
    if shape.no_value:
        builder.no_value(slot("no_value"))
    builder.targets([slot("targets", many=True)])
    return Template(builder.build())


@cache
def _row_template() -> Template:
    row = (dash_b.Row(slot("title")).id(slot("id")).collapsed(False)
           .grid_pos(dash_m.GridPos(h=1, w=p.GRID_COLUMNS, x=0, y=slot("y"))))
    return Template(row.build())


def _query_json(query: p.Query, ref_id: str) -> dict[str, Any]:
    template = _query_template(query.table, bool(query.legend))
    return template.fill({"expr": query.expr, "legend": query.legend, "ref_id": ref_id})  # type: ignore[no-any-return]


@cache
def _query_template(table: bool, legend: bool) -> Template:
    query = p.Query(slot("expr"), slot("legend") if legend else "", table)
    return Template(_query(query, slot("ref_id")).build())


def _query(query: p.Query, ref_id: str) -> prometheus.Dataquery:
    target = prometheus.Dataquery().expr(query.expr).ref_id(ref_id).datasource(DATASOURCE)
    if query.table:
        target.instant().format(prometheus_m.PromQueryFormat.TABLE)
    else:
        target.range().legend_format(query.legend or "__auto")
    return target


def _link_json(link: p.Link) -> dict[str, Any]:
    return _link_template(link.new_tab).fill({"title": link.title, "url": link.url})  # type: ignore[no-any-return]


@cache
def _link_template(new_tab: bool) -> Template:
    return Template(_dashboard_link(p.Link(slot("title"), slot("url"), new_tab)).build())


# Thresholds JSON by step list: a catalog has few distinct ones (objectives, burn
# factors, budget policies) and most panels have one. Bounded: cleared when full.
_THRESHOLDS: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
_THRESHOLDS_MAX = 4096


def _thresholds_json(steps: tuple[p.Step, ...]) -> dict[str, Any]:
    # Keyed by how the values print: 1 and 1.0 (or 0.0 and -0.0) are equal as
    # numbers, so equal Steps, but they are different JSON.
    key = tuple([(repr(s.value), s.color) for s in steps])
    found = _THRESHOLDS.get(key)
    if found is None:
        if len(_THRESHOLDS) >= _THRESHOLDS_MAX:
            _THRESHOLDS.clear()
        step = _step_template().fill
        found = _THRESHOLDS[key] = _thresholds_template().fill(
            {"steps": [step({"value": s.value, "color": s.color}) for s in steps]})
    return found


@cache
def _thresholds_template() -> Template:
    return Template(dash_b.ThresholdsConfig().mode(dash_m.ThresholdsMode.ABSOLUTE)
                    .steps([slot("steps", many=True)]).build())


@cache
def _step_template() -> Template:
    return Template(dash_m.Threshold(value=slot("value"), color=slot("color")))


@lru_cache(maxsize=64)
def _mappings_json(mappings: tuple[p.Mapping, ...]) -> dict[str, Any]:
    return plain(_mappings(mappings))  # type: ignore[no-any-return]


def _mappings(mappings: tuple[p.Mapping, ...]) -> dash_m.ValueMap:
    return dash_m.ValueMap(options={
        m.value: dash_m.ValueMappingResult(text=m.text, color=m.color, index=i)
        for i, m in enumerate(mappings)})


def _stat(shape: _Shape) -> stat.Panel:
    return (stat.Panel().graph_mode(common_m.BigValueGraphMode.NONE)
            .color_mode(common_m.BigValueColorMode.BACKGROUND)
            .text_mode(common_m.BigValueTextMode.VALUE_AND_NAME if shape.several
                       else common_m.BigValueTextMode.VALUE)
            .justify_mode(common_m.BigValueJustifyMode.AUTO)
            .orientation(common_m.VizOrientation.AUTO)
            .reduce_options(common_b.ReduceDataOptions().calcs(["lastNotNull"]).values(False)))


def _timeseries(shape: _Shape) -> timeseries.Panel:
    builder = (timeseries.Panel()
               .legend(common_b.VizLegendOptions().show_legend(True)
                       .display_mode(common_m.LegendDisplayMode.TABLE)
                       .placement(common_m.LegendPlacement.BOTTOM).calcs(["lastNotNull", "max"]))
               .tooltip(common_b.VizTooltipOptions().mode(common_m.TooltipDisplayMode.MULTI)
                        .sort(common_m.SortOrder.DESCENDING))
               .line_width(1).fill_opacity(0).span_nulls(False)
               .show_points(common_m.VisibilityMode.NEVER)
               .thresholds_style(common_b.GraphThresholdsStyleConfig()
                                 .mode(common_m.GraphThresholdsStyleMode(shape.threshold_style))))
    for name in shape.dashed:
        builder.with_override(_by_names(name), [
            dash_m.DynamicConfigValue("custom.lineStyle", {"fill": "dash", "dash": [10, 10]}),
            dash_m.DynamicConfigValue("color", {"mode": "fixed", "fixedColor": "text"}),
        ])
    return builder


def _table(shape: _Shape) -> table.Panel:
    panel = shape.table
    assert panel is not None
    organize = {
        "excludeByName": {name: True for name in panel.exclude},
        "indexByName": {c.source: i for i, c in enumerate(panel.columns)},
        "renameByName": {c.source: c.title for c in panel.columns},
    }
    builder = (table.Panel().show_header(True).cell_height(common_m.TableCellHeight.SM)
               .footer(common_b.TableFooterOptions().show(False).reducer(["sum"]).count_rows(False))
               .with_transformation(dash_m.DataTransformerConfig(id_val="merge", options={}))
               .with_transformation(dash_m.DataTransformerConfig(id_val="organize", options=organize)))
    if panel.sort_by:
        builder.sort_by([common_b.TableSortByFieldState().display_name(panel.sort_by).desc(False)])
    if panel.data_links:
        builder.data_links([_field_link(link) for link in panel.data_links])
    for column in panel.columns:
        props = _column_properties(column)
        if props:
            builder.with_override(_by_names(column.title), props)
    return builder


def _field_link(link: p.Link) -> dash_b.DashboardLink:
    return _dashboard_link(link)


def _column_properties(column: p.Column) -> list[dash_m.DynamicConfigValue]:
    props = []
    if column.steps:
        props.append(dash_m.DynamicConfigValue("thresholds", _thresholds_json(column.steps)))
    if column.steps or column.mapped:
        props.append(dash_m.DynamicConfigValue("custom.cellOptions",
                                               {"type": "color-background", "mode": "basic"}))
    return props


def _by_names(*names: str) -> dash_m.MatcherConfig:
    # `byNames` takes an object (`byName` a bare string, which the schema refuses).
    return dash_m.MatcherConfig(id_val="byNames", options={
        "mode": "include", "names": list(names), "prefix": "All except:", "readOnly": True})
