"""Dashboard uids are stable, fit Grafana's 40 characters, and the overview's
row links reach the same uid however long the service name is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sloforge import conventions as c
from sloforge.outputs import Context, Settings
from sloforge.outputs.grafana import files
from sloforge.packaging import PACKAGINGS
from sloforge.pipeline import load_catalog

from tests.dashboards.support import dashboards

LONG = "inventory-reservation-service-for-warehouses-eu"


@pytest.mark.parametrize(("service", "uid"), [
    pytest.param("checkout", "slo-checkout", id="short name is readable"),
    pytest.param("a" * 36, "slo-" + "a" * 36, id="36 characters still fit"),
    pytest.param(LONG, "slo-inventory-reservation-serv-098d67b42", id="long name is cut and hashed"),
])
def test_dashboard_uid(service: str, uid: str) -> None:
    assert c.dashboard_uid(service) == uid
    assert len(c.dashboard_uid(service)) <= 40


def _spec(tmp_path: Path, service: str) -> Path:
    path = tmp_path / f"{service}.yml"
    path.write_text(yaml.safe_dump({
        "apiVersion": "sloforge/v1", "kind": "ServiceLevels", "service": service,
        "slos": [{"name": "availability", "objective": 99.9, "sli": {"events": {
            "errors": 'sum(rate(x_total{code="500"}[{{ window }}]))',
            "total": "sum(rate(x_total[{{ window }}]))"}}}]}))
    return path


def test_overview_links_to_hashed_uids(tmp_path: Path) -> None:
    _spec(tmp_path, LONG)
    _spec(tmp_path, "short_name")
    catalog, _ = load_catalog([str(tmp_path)])
    boards = {name: board for name, _, board in dashboards(catalog)}
    uids = {boards[f"grafana/{s}.json"]["uid"] for s in (LONG, "short_name")}
    assert uids == {c.dashboard_uid(LONG), "slo-short_name"}
    table = next(p for p in boards["grafana/slo-overview.json"]["panels"] if p["type"] == "table")
    expr = table["targets"][0]["expr"]
    # short names by one regex, the long one by its own label_replace, to the same uid
    assert '"slo_dashboard", "slo-$1", "slo_service", "(.{1,36})"' in expr
    assert f'"slo_dashboard", "{c.dashboard_uid(LONG)}", "slo_service", "{LONG}"' in expr


def test_config_map_names_are_valid_kubernetes_names(tmp_path: Path) -> None:
    _spec(tmp_path, "short_name")
    catalog, _ = load_catalog([str(tmp_path)])
    out = files(catalog, Context(PACKAGINGS["kubernetes"], Settings()))
    names = sorted(yaml.safe_load(f.content)["metadata"]["name"] for f in out)
    assert names == ["sloforge-dashboard-slo-overview", "sloforge-dashboard-slo-short-name"]
    assert all(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", n) for n in names)
