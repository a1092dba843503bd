"""compile/panels.Dashboard -> Grafana dashboard JSON (a dict), via Grafana's Foundation SDK.

The only module that knows the library. The Foundation SDK is generated from
Grafana's own schemas, so the JSON it writes is the current model
(schemaVersion 42, timeseries/stat/table panels with gridPos) and fills every
option a panel plugin requires; grafanalib 0.7.1 writes schemaVersion 12 with
legacy keys and fails Grafana's dashboard schema in ~23 places. Positions are
computed by the compiler, never by the SDK's auto-layout, so the grid is ours.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

with warnings.catch_warnings():
    # builders/dashboard.py warns at import time to prefer the v2 (Kubernetes
    # style) schema, which Grafana 10/11 cannot import; we write v1 on purpose.
    warnings.simplefilter("ignore", DeprecationWarning)
    from grafana_foundation_sdk.builders import common as common_b
    from grafana_foundation_sdk.builders import dashboard as dash_b
    from grafana_foundation_sdk.builders import prometheus, stat, table, timeseries
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common as common_m
    from grafana_foundation_sdk.models import dashboard as dash_m
    from grafana_foundation_sdk.models import prometheus as prometheus_m

from sloforge.compile import panels as p

DATASOURCE_VARIABLE = "datasource"
DATASOURCE = dash_m.DataSourceRef(type_val="prometheus", uid="${" + DATASOURCE_VARIABLE + "}")
REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def render(board: p.Dashboard) -> dict[str, Any]:
    builder = (dash_b.Dashboard(board.title).uid(board.uid).description(board.description)
               .tags(list(board.tags)).time(board.time_from, "now").refresh(board.refresh)
               .tooltip(dash_m.DashboardCursorSync.CROSSHAIR).timezone("browser").editable())
    builder.with_variable(dash_b.DatasourceVariable(DATASOURCE_VARIABLE).label("Data source")
                          .type("prometheus"))
    for variable in board.variables:
        builder.with_variable(_variable(variable))
    for link in board.links:
        builder.link(_dashboard_link(link))
    data = _plain(builder.build())
    data["id"] = None  # provisioning: Grafana assigns ids; `uid` identifies the dashboard
    data["panels"] = [_item(item, index) for index, item in enumerate(board.items, start=1)]
    return data


def _plain(obj: object) -> dict[str, Any]:
    return json.loads(json.dumps(obj, cls=JSONEncoder))  # type: ignore[no-any-return]


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
        row = (dash_b.Row(item.title).id(panel_id).collapsed(False)
               .grid_pos(dash_m.GridPos(h=1, w=p.GRID_COLUMNS, x=0, y=item.y)))
        return _plain(row.build())
    builder: Any = {"stat": _stat, "timeseries": _timeseries, "table": _table}[item.kind](item)
    builder.id(panel_id).title(item.title).datasource(DATASOURCE)
    builder.grid_pos(dash_m.GridPos(h=item.grid.h, w=item.grid.w, x=item.grid.x, y=item.grid.y))
    if item.description:
        builder.description(item.description)
    if item.unit:
        builder.unit(item.unit)
    if item.decimals is not None:
        builder.decimals(item.decimals)
    if item.steps:
        builder.thresholds(_thresholds(item.steps))
    if item.mappings:
        builder.mappings([_mappings(item.mappings)])
    if item.links:
        builder.links([_panel_link(link) for link in item.links])
    if item.no_value:
        builder.no_value(item.no_value)
    builder.targets([_query(q, ref) for q, ref in zip(item.queries, REF_IDS, strict=False)])
    return _plain(builder.build())


def _query(query: p.Query, ref_id: str) -> prometheus.Dataquery:
    target = prometheus.Dataquery().expr(query.expr).ref_id(ref_id).datasource(DATASOURCE)
    if query.table:
        target.instant().format(prometheus_m.PromQueryFormat.TABLE)
    else:
        target.range().legend_format(query.legend or "__auto")
    return target


def _thresholds(steps: tuple[p.Step, ...]) -> dash_b.ThresholdsConfig:
    return (dash_b.ThresholdsConfig().mode(dash_m.ThresholdsMode.ABSOLUTE)
            .steps([dash_m.Threshold(value=s.value, color=s.color) for s in steps]))


def _mappings(mappings: tuple[p.Mapping, ...]) -> dash_m.ValueMap:
    return dash_m.ValueMap(options={
        m.value: dash_m.ValueMappingResult(text=m.text, color=m.color, index=i)
        for i, m in enumerate(mappings)})


def _panel_link(link: p.Link) -> dash_b.DashboardLink:
    return _dashboard_link(link)


def _stat(panel: p.Panel) -> stat.Panel:
    several = len(panel.queries) > 1 or "{{" in (panel.queries[0].legend if panel.queries else "")
    return (stat.Panel().graph_mode(common_m.BigValueGraphMode.NONE)
            .color_mode(common_m.BigValueColorMode.BACKGROUND)
            .text_mode(common_m.BigValueTextMode.VALUE_AND_NAME if several
                       else common_m.BigValueTextMode.VALUE)
            .justify_mode(common_m.BigValueJustifyMode.AUTO)
            .orientation(common_m.VizOrientation.AUTO)
            .reduce_options(common_b.ReduceDataOptions().calcs(["lastNotNull"]).values(False)))


def _timeseries(panel: p.Panel) -> timeseries.Panel:
    builder = (timeseries.Panel()
               .legend(common_b.VizLegendOptions().show_legend(True)
                       .display_mode(common_m.LegendDisplayMode.TABLE)
                       .placement(common_m.LegendPlacement.BOTTOM).calcs(["lastNotNull", "max"]))
               .tooltip(common_b.VizTooltipOptions().mode(common_m.TooltipDisplayMode.MULTI)
                        .sort(common_m.SortOrder.DESCENDING))
               .line_width(1).fill_opacity(0).span_nulls(False)
               .show_points(common_m.VisibilityMode.NEVER)
               .thresholds_style(common_b.GraphThresholdsStyleConfig()
                                 .mode(common_m.GraphThresholdsStyleMode(panel.threshold_style))))
    for name in panel.dashed:
        builder.with_override(_by_names(name), [
            dash_m.DynamicConfigValue("custom.lineStyle", {"fill": "dash", "dash": [10, 10]}),
            dash_m.DynamicConfigValue("color", {"mode": "fixed", "fixedColor": "text"}),
        ])
    return builder


def _table(panel: p.Panel) -> table.Panel:
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
        props.append(dash_m.DynamicConfigValue("thresholds", _plain(_thresholds(column.steps).build())))
    if column.steps or column.mapped:
        props.append(dash_m.DynamicConfigValue("custom.cellOptions",
                                               {"type": "color-background", "mode": "basic"}))
    return props


def _by_names(*names: str) -> dash_m.MatcherConfig:
    # `byNames` takes an object (`byName` a bare string, which the schema refuses).
    return dash_m.MatcherConfig(id_val="byNames", options={
        "mode": "include", "names": list(names), "prefix": "All except:", "readOnly": True})
