"""What a dashboard shows, independent of the library that writes Grafana JSON.

compile/dashboards/service.py and compile/dashboards/overview.py build these values from the
model; render/grafana/fill.py is the only module that turns them into
Grafana's JSON model. Swapping the library touches that one module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GRID_COLUMNS = 24  # Grafana's grid is 24 columns wide


@dataclass(frozen=True, slots=True)
class Grid:
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True, slots=True)
class Query:
    expr: str
    legend: str = ""
    table: bool = False  # instant query, table format (for table panels)
    # instant query, time series format: a stat of a series that may be absent now (a range
    # query's last value would show the last sample in the dashboard's range, however old)
    instant: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """A threshold step: from `value` upwards (None = the base colour)."""

    value: float | None
    color: str


@dataclass(frozen=True, slots=True)
class Mapping:
    """Show `text` in `color` when the value equals `value`."""

    value: str
    text: str
    color: str


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str
    new_tab: bool = True


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: the field `source` shown as `title`.

    Grafana's dashboard schema only admits object-valued field overrides, so a
    column can differ from the table's defaults only by its colours: `steps`
    colour the cell background by value, `mapped` colours it by the table's
    value mappings. Units, decimals and links are the table's defaults.
    """

    source: str
    title: str
    steps: tuple[Step, ...] = ()
    mapped: bool = False


@dataclass(frozen=True, slots=True)
class Panel:
    kind: str  # "stat" | "timeseries" | "table"
    title: str
    grid: Grid
    queries: tuple[Query, ...]
    description: str = ""
    unit: str = ""
    decimals: int | None = None
    steps: tuple[Step, ...] = ()
    mappings: tuple[Mapping, ...] = ()
    links: tuple[Link, ...] = ()
    # timeseries: how thresholds are drawn ("line", "dashed", "line+area", "off")
    threshold_style: str = "off"
    # timeseries: legend entries drawn dashed (reference lines such as the objective)
    dashed: tuple[str, ...] = ()
    # table: columns in display order (others hidden) and the column to sort by
    columns: tuple[Column, ...] = ()
    data_links: tuple[Link, ...] = ()  # table: every cell links here (field links)
    exclude: tuple[str, ...] = ()  # table: fields dropped before display
    sort_by: str = ""
    no_value: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    title: str
    y: int


@dataclass(frozen=True, slots=True)
class Variable:
    """A query variable over one label of a recorded series."""

    name: str
    label: str
    query: str  # label_values(...)
    multi: bool = True


@dataclass(frozen=True, slots=True)
class Dashboard:
    uid: str
    title: str
    description: str
    tags: tuple[str, ...]
    time_from: str
    refresh: str
    variables: tuple[Variable, ...]
    items: tuple[Panel | Row, ...]  # in grid order
    links: tuple[Link, ...] = field(default=())

    @property
    def panels(self) -> tuple[Panel, ...]:
        return tuple(p for p in self.items if isinstance(p, Panel))
