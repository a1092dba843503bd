"""Helpers: the example specs' dashboards, Grafana's JSON Schemas, panel queries."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sloforge import conventions as c
from sloforge.compile.dashboards.overview import overview_dashboard
from sloforge.compile.dashboards.service import service_dashboard
from sloforge.model.catalog import Catalog
from sloforge.pipeline import load_catalog
from sloforge.render.grafana.fill import render

from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
SCHEMAS = FIXTURES / "grafana"
GOLDEN = Path(__file__).parent / "golden"

# What Grafana puts in place of the template variables when "All" is selected
# (a regex alternation of every value; `.*` answers the same set).
ALL_VALUES = {"slo": ".*", "service": ".*"}


def dashboards(catalog: Catalog) -> list[tuple[str, tuple[str, ...], dict[str, Any]]]:
    """(file name, source specs, dashboard JSON) for every service and the overview."""
    out = [(c.dashboard_file(s.name), (s.source,), render(service_dashboard(s)))
           for s in catalog.services if s.slos]
    if out:
        sources = tuple(sorted({s.source for s in catalog.services if s.slos}))
        out.append((c.overview_dashboard_file(), sources, render(overview_dashboard(catalog))))
    return out


def example_dashboards() -> dict[str, dict[str, Any]]:
    with contextlib.chdir(REPO):  # sources as the CLI shows them: specs/checkout.yml
        catalog, _ = load_catalog(["specs"])
    return {name: board for name, _, board in dashboards(catalog)}


def schema(name: str) -> dict[str, Any]:
    path = SCHEMAS / f"{name}.jsonschema.json"
    if not path.exists():
        pytest.fail(f"{path} is missing (the Grafana JSON Schemas are test fixtures)")
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def content_panels(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in board["panels"] if p["type"] != "row"]


def queries(board: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(panel title, expression as Grafana sends it, target) for every query."""
    return [(p["title"], expand(t["expr"]), t) for p in content_panels(board) for t in p["targets"]]


def expand(expr: str) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: ALL_VALUES.get(m.group(1), m.group(0)), expr)
