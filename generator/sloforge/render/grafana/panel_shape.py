"""What decides the structure of a panel's JSON: its Shape.

fill.py keys the shapes it keeps by it and shapes.py builds a shape from it;
both import it from here, so neither imports the other at the top (fill.py
imports shapes.py only when a shape is missing, to keep the Grafana SDK off the
path of a run that finds every shape cached).
"""

from __future__ import annotations

from typing import NamedTuple

from sloforge.compile.dashboards import panels as p


class Shape(NamedTuple):
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


def shape_of(item: p.Panel) -> Shape:
    several = len(item.queries) > 1 or "{{" in (item.queries[0].legend if item.queries else "")
    return Shape(item.kind, bool(item.description), bool(item.unit), item.decimals is not None,
                 bool(item.steps), bool(item.mappings), bool(item.links), bool(item.no_value), several,
                 item.threshold_style, item.dashed, item if item.kind == "table" else None)
