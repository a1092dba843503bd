"""Every panel query parses and reads only the recorded series of the contract."""

from __future__ import annotations

from typing import Any

import promql_parser
import pytest
from sloforge import conventions as c
from sloforge.pipeline import load_catalog

from .support import SPECS, example_dashboards, queries

NAMES = sorted(example_dashboards())


def contract_series() -> set[str]:
    """Names the recording rules of the example specs (and of their journey) actually record,
    plus ALERTS."""
    from sloforge.compile.rules import journeys
    from sloforge.compile.rules.recording import recording_rules

    catalog, _ = load_catalog([str(SPECS)])
    recorded = {r.record for slo in catalog.slos for r in recording_rules(slo)}
    recorded |= {r.record for j in catalog.journeys for r in journeys.recording_rules(j, journeys.steps_of(j, catalog))}
    return recorded | {"ALERTS"}


def selectors(node: object) -> list[Any]:
    """Every vector selector in a promql-parser AST."""
    if type(node).__name__ == "VectorSelector":
        return [node]
    found = []
    for attr in ("lhs", "rhs", "expr", "vector_selector", "args"):
        child = getattr(node, attr, None)
        for item in child if isinstance(child, list) else [child]:
            if item is not None and not isinstance(item, (str, int, float)):
                found.extend(selectors(item))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_every_query_parses(boards: dict[str, Any], name: str) -> None:
    for title, expr, _ in queries(boards[name]):
        promql_parser.parse(expr)  # raises with the parser's message
        assert expr.strip(), title


@pytest.mark.parametrize("name", NAMES)
def test_queries_read_only_recorded_series(boards: dict[str, Any], name: str) -> None:
    allowed = contract_series()
    used = set()
    for title, expr, _ in queries(boards[name]):
        found = selectors(promql_parser.parse(expr))
        assert found, f"{title}: {expr} reads no series"
        for selector in found:
            assert selector.name in allowed, f"{title}: {selector.name} is not a recorded series"
            labels = {m.name for m in selector.matchers.matchers}
            assert labels & {c.LABEL_SERVICE, c.LABEL_JOURNEY}, f"{title}: {expr} is not scoped to a service " \
                "or a journey"
            used.add(selector.name)
    assert {c.PERIOD_BUDGET_REMAINING, c.CURRENT_BURN_RATE, c.OBJECTIVE} <= used


def test_burn_rate_panel_has_one_query_per_alert_window(boards: dict[str, Any]) -> None:
    board = boards["grafana/checkout.json"]
    burn = next(p for p in board["panels"] if p["title"] == "Burn rate per alert window")
    assert [t["legendFormat"] for t in burn["targets"]] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    # 30d availability: page 14.4x / 6x, ticket 3x / 1x (SRE Workbook), drawn as dashed lines
    steps = burn["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [(s["value"], s["color"]) for s in steps] == [
        (None, "green"), (1, "orange"), (3, "orange"), (6, "red"), (14.4, "red")]
    assert burn["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] == "dashed"
