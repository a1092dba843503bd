"""Panel JSON is filled into templates the SDK writes once per shape (render/grafana/template.py)."""

from __future__ import annotations

import json

import pytest
from sloforge.compile.dashboards import panels as p
from sloforge.render.files import to_json
from sloforge.render.grafana.fill import render
from sloforge.render.grafana.template import Template, slot


def test_fill_puts_values_in_slots_and_keeps_key_order() -> None:
    template = Template({"a": slot("x"), "b": {"c": 1, "d": slot("y")}, "e": [0, slot("z", many=True), 9]})
    assert json.dumps(template.fill({"x": "X", "y": None, "z": [1, 2]})) == (
        '{"a": "X", "b": {"c": 1, "d": null}, "e": [0, 1, 2, 9]}')
    assert template.fill({"x": 1, "y": 2, "z": []}) == {"a": 1, "b": {"c": 1, "d": 2}, "e": [0, 9]}


def test_parts_without_slots_are_shared_not_copied() -> None:
    template = Template({"fixed": {"k": [1, 2]}, "hole": slot("x")})
    first, second = template.fill({"x": 1}), template.fill({"x": 2})
    assert first["fixed"] is second["fixed"]
    assert first is not second


def test_a_many_slot_outside_a_list_is_refused() -> None:
    with pytest.raises(ValueError, match="not in a list"):
        Template({"a": slot("x", many=True)})


def _stat(title: str, steps: tuple[p.Step, ...], y: int) -> p.Panel:
    return p.Panel("stat", title, p.Grid(0, y, 4, 4), (p.Query("up"),), steps=steps)


def test_thresholds_equal_as_numbers_keep_their_own_json() -> None:
    # 1 == 1.0 and 0.0 == -0.0, but each prints differently: memoised
    # thresholds must not hand one panel the other's JSON.
    steps = [(p.Step(None, "green"), p.Step(value, "red")) for value in (1, 1.0, 0.0, -0.0)]
    board = p.Dashboard("u", "t", "d", (), "now-1h", "1m", (),
                        tuple(_stat(f"s{i}", s, 4 * i) for i, s in enumerate(steps)))
    panels = json.loads(to_json(render(board)).replace("-0.0", '"minus zero"'))["panels"]
    values = [panel["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] for panel in panels]
    assert [type(v).__name__ for v in values] == ["int", "float", "float", "str"]
