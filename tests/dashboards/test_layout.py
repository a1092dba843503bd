"""Layout checked the way a person scans a dashboard: it fits the 24-column
grid without overlaps, the numbers that matter are above the fold, every panel
says what its number means (unit, thresholds, description)."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest

from .support import content_panels, example_dashboards

NAMES = sorted(example_dashboards())
# Grid units visible without scrolling on a 1366x768 laptop: 30px rows + 8px
# margins below Grafana's header and variable bar (~ 500px of panels).
FOLD = 13


def _cells(panel: dict[str, Any]) -> set[tuple[int, int]]:
    g = panel["gridPos"]
    return {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}


@pytest.mark.parametrize("name", NAMES)
def test_panels_fit_the_grid_without_overlap(boards: dict[str, Any], name: str) -> None:
    panels = boards[name]["panels"]
    for panel in panels:
        g = panel["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["w"] > 0 and g["h"] > 0, panel["title"]
    for a, b in combinations(panels, 2):
        assert not _cells(a) & _cells(b), f"{a['title']!r} overlaps {b['title']!r}"
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    # no holes: every grid line down to the last panel is used by some panel
    used_rows = {y for p in panels for _, y in _cells(p)}
    assert used_rows == set(range(max(used_rows) + 1))


@pytest.mark.parametrize("name", NAMES)
def test_panels_are_in_reading_order(boards: dict[str, Any], name: str) -> None:
    positions = [(p["gridPos"]["y"], p["gridPos"]["x"]) for p in boards[name]["panels"]]
    assert positions == sorted(positions)


@pytest.mark.parametrize("name", ["grafana/checkout.json", "grafana/search.json"])
def test_budget_and_burn_rate_of_every_slo_above_the_fold(boards: dict[str, Any], name: str) -> None:
    above = [p for p in content_panels(boards[name]) if p["gridPos"]["y"] + p["gridPos"]["h"] <= FOLD]
    titles = {p["title"] for p in above}
    assert {"Error budget remaining", "Burn rate now (5m)"} <= titles
    budget = next(p for p in above if p["title"] == "Error budget remaining")
    # one query for all SLOs of the service, one value per SLO
    assert budget["targets"][0]["legendFormat"] == "{{slo_name}}"
    assert 'slo_name=~"$slo"' in budget["targets"][0]["expr"]


def test_overview_table_above_the_fold_sorted_by_budget(boards: dict[str, Any]) -> None:
    board = boards["grafana/slo-overview.json"]
    table = next(p for p in board["panels"] if p["type"] == "table")
    assert table["gridPos"]["y"] < FOLD
    assert table["options"]["sortBy"] == [{"displayName": "Budget remaining %", "desc": False}]
    organize = next(t for t in table["transformations"] if t["id"] == "organize")["options"]
    assert list(organize["renameByName"].values())[:4] == ["Service", "SLO", "Team", "Period"]
    colored = {o["matcher"]["options"]["names"][0] for o in table["fieldConfig"]["overrides"]}
    assert {"Budget remaining %", "Burn rate now ×", "Firing"} <= colored
    link = table["fieldConfig"]["defaults"]["links"][0]["url"]
    assert link.startswith("/d/${__data.fields.slo_dashboard}")


@pytest.mark.parametrize("name", NAMES)
def test_every_panel_has_unit_thresholds_and_description(boards: dict[str, Any], name: str) -> None:
    for panel in content_panels(boards[name]):
        defaults = panel["fieldConfig"]["defaults"]
        assert panel.get("description"), panel["title"]
        overrides = panel["fieldConfig"]["overrides"]
        # thresholds in the defaults, per table column, or a dashed reference series
        assert defaults.get("thresholds", {}).get("steps") or overrides, panel["title"]
        has_mapping = bool(defaults.get("mappings"))
        is_count = panel["type"] == "stat" and panel["targets"][0]["expr"].startswith("count(")
        assert defaults.get("unit") or has_mapping or is_count, f"{panel['title']} has no unit"


def test_budget_zones_follow_the_budget_policy(boards: dict[str, Any]) -> None:
    board = boards["grafana/checkout.json"]
    budget = [p for p in content_panels(board) if p["title"] == "Error budget remaining"]
    steps = [[(s["value"], s["color"]) for s in p["fieldConfig"]["defaults"]["thresholds"]["steps"]]
             for p in budget]
    default = [(None, "dark-red"), (0, "red"), (0.25, "orange"), (0.5, "green")]
    assert steps[0] == default  # the summary: the default 50/25/0% zones
    assert steps[1] == default  # availability's policy: 50%, 75%, 100% consumed
    assert steps[3] == [(None, "dark-red"), (0, "orange"), (0.25, "green")]  # uptime: 75%, 100%


def test_runbook_and_description_are_shown(boards: dict[str, Any]) -> None:
    board = boards["grafana/checkout.json"]
    objective = next(p for p in board["panels"] if p["title"] == "Objective")
    assert objective["description"].startswith("99.9% of checkout requests succeed")
    assert objective["links"][0]["url"] == "https://runbooks.example.com/checkout/availability"
    titles = [link["title"] for link in board["links"]]
    assert titles[0] == "SLO overview" and "Runbook: availability" in titles
    assert board["time"] == {"from": "now-7d", "to": "now"} and board["refresh"] == "1m"
