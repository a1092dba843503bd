"""The dashboards validate against Grafana's own JSON Schemas: the dashboard
model and each panel plugin's options and field config."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from .support import content_panels, example_dashboards, schema

NAMES = sorted(example_dashboards())


def _errors(definitions: dict[str, Any], ref: str, value: object) -> list[str]:
    validator = jsonschema.Draft7Validator({**definitions, "$ref": f"#/definitions/{ref}"})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in validator.iter_errors(value)]


@pytest.mark.parametrize("name", NAMES)
def test_dashboard_validates_against_grafanas_schema(boards: dict[str, Any], name: str) -> None:
    board = boards[name]
    validator = jsonschema.Draft7Validator(schema("dashboard"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
              for e in validator.iter_errors(board)]
    assert errors == []


@pytest.mark.parametrize("name", NAMES)
def test_every_panel_validates_against_its_plugin_schema(boards: dict[str, Any], name: str) -> None:
    checked = 0
    for panel in content_panels(boards[name]):
        plugin = schema(panel["type"])
        where = f"{name} panel {panel['id']} {panel['title']!r}"
        assert _errors(plugin, "Options", panel["options"]) == [], where
        if "FieldConfig" in plugin["definitions"]:
            custom = panel["fieldConfig"]["defaults"].get("custom", {})
            assert _errors(plugin, "FieldConfig", custom) == [], where
        checked += 1
    assert checked >= 4


@pytest.mark.parametrize("name", NAMES)
def test_modern_panel_model(boards: dict[str, Any], name: str) -> None:
    board = boards[name]
    assert board["schemaVersion"] >= 36
    assert board["id"] is None  # provisioning: Grafana assigns ids, uid identifies
    assert board["uid"] and len(board["uid"]) <= 40 and board["title"]
    assert {p["type"] for p in board["panels"]} <= {"row", "stat", "timeseries", "table"}
    for panel in board["panels"]:
        assert set(panel["gridPos"]) >= {"x", "y", "w", "h"}
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in content_panels(board):
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
