"""Every panel query returns data from a real Prometheus running the generated rules.

Synthetic SLI data (synthetic.py) is backfilled into a fresh TSDB with promtool,
Prometheus starts on 127.0.0.1 with the generated rule files evaluated every
2 seconds, and each query of each dashboard runs through /api/v1/query_range
over the dashboard's time range, the way Grafana sends it ("All" selected).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sloforge import conventions as c
from sloforge.outputs import Context, Settings
from sloforge.outputs import rules as rule_files
from sloforge.packaging import PACKAGINGS
from sloforge.pipeline import load_catalog

from tests.conftest import free_port, require_tool

from .support import REPO, queries
from .synthetic import openmetrics

# One Prometheus evaluating the rules for the module: its tests run on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("dashboards-prometheus")

EVALUATION = "2s"
RANGE_SECONDS = 7 * 86400  # the dashboards' now-7d
STEP_SECONDS = 600  # ~1000 points, what Grafana asks for on a wide screen



def get(base: str, path: str, **params: object) -> dict[str, Any]:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def write_rules(directory: Path) -> tuple[list[Path], dict[tuple[str, str], dict[str, str]]]:
    """The generated rule files, groups re-timed to EVALUATION; and the labels
    of each SLO's hourly series (to backfill them exactly as recorded)."""
    with contextlib.chdir(REPO):
        catalog, _ = load_catalog(["specs"])
    paths, hourly = [], {}
    for output in rule_files.files(catalog, Context(PACKAGINGS["prometheus"], Settings())):
        data = yaml.safe_load(output.content)
        for group in data["groups"]:
            group["interval"] = EVALUATION
            for rule in group["rules"]:
                if rule.get("record") == c.error_events("1h"):
                    labels = rule["labels"]
                    hourly[(labels[c.LABEL_SERVICE], labels[c.LABEL_SLO])] = labels
        path = directory / Path(output.path).name
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        paths.append(path)
    return paths, hourly


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server, promtool = require_tool("prometheus"), require_tool("promtool")
    root = tmp_path_factory.mktemp("prometheus")
    rules, hourly = write_rules(root)
    data = root / "openmetrics.txt"
    data.write_text(openmetrics(int(time.time()) - 5, hourly), encoding="utf-8")
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=240h",
                    str(data), str(root / "tsdb")], check=True, capture_output=True, timeout=60)
    config = root / "prometheus.yml"
    config.write_text(yaml.safe_dump({"global": {"evaluation_interval": EVALUATION},
                                      "rule_files": [str(p) for p in rules]}), encoding="utf-8")
    port = free_port()
    log = (root / "prometheus.log").open("w")
    process = subprocess.Popen([server, f"--config.file={config}", f"--storage.tsdb.path={root / 'tsdb'}",
                                f"--web.listen-address=127.0.0.1:{port}",
                                "--storage.tsdb.retention.time=3650d"], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_evaluated(base, process, root / "prometheus.log")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def wait_until_evaluated(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Ready, and the last rule of every chain recorded for every SLO that has it: budget
    remaining (from the backfilled hourly series) and the 1d/3d windows (the long group
    reads the 5m rates the short group records, so it needs one evaluation after them)."""
    rule_files_text = [p.read_text() for p in sorted(log.parent.glob("*.yml")) if p.name != "prometheus.yml"]
    expected = {name: sum(text.count(f"record: {name}\n") for text in rule_files_text)
                for name in (c.PERIOD_BUDGET_REMAINING, c.error_ratio("1d"), c.error_ratio("3d"))}
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prometheus exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            counts = {}
            for name in expected:
                values = get(base, "/api/v1/query", query=f"count({name})")["data"]["result"]
                counts[name] = int(values[0]["value"][1]) if values else 0
            if counts == expected:
                return
        time.sleep(0.5)
    pytest.fail(f"rules were not evaluated within 40s: {log.read_text()[-2000:]}")


def test_every_panel_query_returns_data(prometheus: str, boards: dict[str, Any]) -> None:
    end = time.time()
    empty, ran, forecasts = [], 0, 0
    for name, board in sorted(boards.items()):
        assert board["time"]["from"] == "now-7d"
        for title, expr, _ in queries(board):
            result = get(prometheus, "/api/v1/query_range", query=expr, start=end - RANGE_SECONDS,
                         end=end, step=STEP_SECONDS)
            assert result["status"] == "success", f"{name} {title}: {result}"
            ran += 1
            if not result["data"]["result"] and not cannot_run_out(prometheus, title, expr):
                empty.append(f"{name} / {title}: {expr}")
            if result["data"]["result"] and title == "Budget runs out in":
                forecasts += 1
    assert empty == [], "queries without data:\n" + "\n".join(empty)
    assert ran >= 60
    assert forecasts >= 1  # the synthetic traffic exhausts some budgets


def cannot_run_out(base: str, title: str, expr: str) -> bool:
    """The forecast is absent, rightly: the SLO's burn over the last day b (from its 5m rates, as the
    rules read it) is at most its remaining budget R, or the day saw no traffic."""
    if title != "Budget runs out in" or not expr.startswith(c.PERIOD_BUDGET_EXHAUSTION):
        return False
    service, slo = re.findall(r'slo_(?:service|name)="([^"]+)"', expr)
    sel = c.selector(service, slo)
    [remaining] = instant(base, f"{c.PERIOD_BUDGET_REMAINING}{{{sel}}}").values()
    [budget] = instant(base, f"{c.ERROR_BUDGET}{{{sel}}}").values()
    day = [instant(base, f"sum(sum_over_time({name}{{{sel}}}[1d]))").get("", 0.0)
           for name in (c.error_events("5m"), c.total_events("5m"))]
    return day[1] == 0 or day[0] / day[1] / budget <= remaining


def instant(base: str, expr: str) -> dict[str, float]:
    result = get(base, "/api/v1/query", query=expr)["data"]["result"]
    return {s["metric"].get(c.LABEL_SLO, ""): float(s["value"][1]) for s in result}


def test_values_are_what_the_synthetic_traffic_implies(prometheus: str, boards: dict[str, Any]) -> None:
    board = boards["grafana/checkout.json"]
    budget = next(t["expr"] for p in board["panels"] if p["title"] == "Error budget remaining"
                  for t in p["targets"]).replace("$slo", ".*")
    remaining = instant(prometheus, budget)
    # 0.1% errors against a 0.1% budget: the budget is spent exactly as fast as allowed
    assert remaining["availability"] == pytest.approx(0.0, abs=0.02)
    # 0.4% slow requests against a 1% budget: 60% of it left
    assert remaining["latency"] == pytest.approx(0.6, abs=0.02)
    assert set(remaining) == {"availability", "latency", "uptime"}


def test_alert_selectors_match_real_alerts(prometheus: str) -> None:
    """search/availability burns 10% errors: its page alert is pending, and the
    labels the dashboards select ALERTS by are the ones Prometheus sets."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = instant(prometheus, 'ALERTS{slo_service="search", slo_severity="page"}')
        if found:
            break
        time.sleep(0.5)
    assert "availability" in found
