"""The JSON shapes of Grafana dashboards, written by Grafana's Foundation SDK.

The only module that imports the library. The Foundation SDK is generated from
Grafana's own schemas, so the JSON it writes is the current model
(schemaVersion 42, timeseries/stat/table panels with gridPos) and fills every
option a panel plugin requires; grafanalib 0.7.1 writes schemaVersion 12 with
legacy keys and fails Grafana's dashboard schema in ~23 places.

Each shape is written once, with `slot` markers where a panel's own data goes
(template.py); fill.py keeps the shapes (in the incremental cache too) and
fills them, so a run that renders one changed dashboard does not
import the SDK at all.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

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

from sloforge.compile.dashboards import panels as p
from sloforge.render.grafana.panel_shape import Shape
from sloforge.render.grafana.template import Template, plain, slot

DATASOURCE_VARIABLE = "datasource"
DATASOURCE = dash_m.DataSourceRef(type_val="prometheus", uid="${" + DATASOURCE_VARIABLE + "}")


def build(name: str, *key: Any) -> Any:
    """The plain JSON (with slots) of shape `name`, for its key."""
    return plain(_SHAPES[name](*key))


def _dashboard(links: bool) -> Any:
    builder = (dash_b.Dashboard(slot("title")).uid(slot("uid")).description(slot("description"))
               .tags([slot("tags", many=True)]).time(slot("time_from"), "now").refresh(slot("refresh"))
               .tooltip(dash_m.DashboardCursorSync.CROSSHAIR).timezone("browser").editable())
    builder.with_variable(dash_b.DatasourceVariable(DATASOURCE_VARIABLE).label("Data source")
                          .type("prometheus"))
    builder.with_variable(slot("variables", many=True))
    if links:
        builder.link(slot("links", many=True))
    return builder.build()


def _variable_shape(multi: bool) -> Any:
    return _variable(p.Variable(slot("name"), slot("label"), slot("query"), multi)).build()


def _panel(shape: Shape) -> Any:
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
    return builder.build()


def _row() -> Any:
    return (dash_b.Row(slot("title")).id(slot("id")).collapsed(False)
            .grid_pos(dash_m.GridPos(h=1, w=p.GRID_COLUMNS, x=0, y=slot("y")))).build()


def _query_shape(table: bool, legend: bool, instant: bool = False) -> Any:
    query = p.Query(slot("expr"), slot("legend") if legend else "", table, instant)
    return _query(query, slot("ref_id")).build()


def _link(new_tab: bool) -> Any:
    return _dashboard_link(p.Link(slot("title"), slot("url"), new_tab)).build()


def _thresholds() -> Any:
    return dash_b.ThresholdsConfig().mode(dash_m.ThresholdsMode.ABSOLUTE).steps([slot("steps", many=True)]).build()


def _step() -> Any:
    return dash_m.Threshold(value=slot("value"), color=slot("color"))


def _mappings_shape(mappings: tuple[p.Mapping, ...]) -> Any:
    return _mappings(mappings)


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


def _query(query: p.Query, ref_id: str) -> prometheus.Dataquery:
    target = prometheus.Dataquery().expr(query.expr).ref_id(ref_id).datasource(DATASOURCE)
    if query.table:
        target.instant().format(prometheus_m.PromQueryFormat.TABLE)
    elif query.instant:
        target.instant().legend_format(query.legend or "__auto")
    else:
        target.range().legend_format(query.legend or "__auto")
    return target


def _mappings(mappings: tuple[p.Mapping, ...]) -> dash_m.ValueMap:
    return dash_m.ValueMap(options={
        m.value: dash_m.ValueMappingResult(text=m.text, color=m.color, index=i)
        for i, m in enumerate(mappings)})


def _stat(shape: Shape) -> stat.Panel:
    return (stat.Panel().graph_mode(common_m.BigValueGraphMode.NONE)
            .color_mode(common_m.BigValueColorMode.BACKGROUND)
            .text_mode(common_m.BigValueTextMode.VALUE_AND_NAME if shape.several
                       else common_m.BigValueTextMode.VALUE)
            .justify_mode(common_m.BigValueJustifyMode.AUTO)
            .orientation(common_m.VizOrientation.AUTO)
            .reduce_options(common_b.ReduceDataOptions().calcs(["lastNotNull"]).values(False)))


def _timeseries(shape: Shape) -> timeseries.Panel:
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


def _table(shape: Shape) -> table.Panel:
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


def _thresholds_json(steps: tuple[p.Step, ...]) -> Any:
    """A column's thresholds: the thresholds and step shapes filled, as fill.py fills a panel's."""
    step = Template(_step()).fill
    return Template(_thresholds()).fill({"steps": [step({"value": s.value, "color": s.color}) for s in steps]})


def _by_names(*names: str) -> dash_m.MatcherConfig:
    # `byNames` takes an object (`byName` a bare string, which the schema refuses).
    return dash_m.MatcherConfig(id_val="byNames", options={
        "mode": "include", "names": list(names), "prefix": "All except:", "readOnly": True})


_SHAPES: dict[str, Callable[..., Any]] = {
    "dashboard": _dashboard, "variable": _variable_shape, "panel": _panel, "row": _row, "query": _query_shape,
    "link": _link, "thresholds": _thresholds, "step": _step, "mappings": _mappings_shape}
