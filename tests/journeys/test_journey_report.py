"""`sloforge report` reads a journey's live status from a real Prometheus.

The steps' recorded ratios (what their own rules would have recorded) are backfilled
for the last ten minutes with promtool; the server loads only the journey's generated
rules (every 2s, no `for:`) and evaluates them itself; `report` reads the result over
HTTP. The two steps fail at different ratios, so a sum or an average reads otherwise.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sloforge.pipeline import Options, build, load_catalog

from tests.conftest import free_port, require_tool, run_cli
from tests.journeys.test_journey_specs import HEAD, SERVICES, steps

# one worker starts this module's server (make test runs on several)
pytestmark = pytest.mark.xdist_group("journey-report")

# shop/cart (99.9%) fails 2% of requests, shop/pay (99.5%) 5%: the journey 1 - 0.98 x 0.95 = 6.9%
# against its 0.5995% budget (default objective 99.4005%): burning 11.51x, over every window.
RATIOS = {"cart": 0.02, "pay": 0.05}
JOURNEY_RATIO = 1 - 0.98 * 0.95
BUDGET = 1 - 0.999 * 0.995
WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")


def _live(rules_text: str) -> str:
    document = yaml.safe_load(rules_text)
    for group in document["groups"]:
        group["interval"] = "2s"
        for rule in group["rules"]:
            rule.pop("for", None)
    return yaml.safe_dump(document, sort_keys=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    promtool, prometheus = require_tool("promtool"), require_tool("prometheus")
    root = tmp_path_factory.mktemp("journey-report")
    specs = root / "specs"
    specs.mkdir()
    (specs / "shop.yml").write_text(SERVICES)
    (specs / "buy.yml").write_text(HEAD + steps("shop/cart", "shop/pay"))
    catalog, _ = load_catalog([str(specs)])
    [rules] = [f.rules_text for f in build(catalog, Options(paths=[str(specs)]))
               if f.path.endswith("journey-buy.yml") and f.rules_text]
    (root / "rules.yml").write_text(_live(rules))
    end = int(time.time())
    lines = [f'slo:sli_error:ratio_rate{w}{{slo_name="{slo}",slo_service="shop",slo_window="{w}"}} {ratio!r} {t}'
             for slo, ratio in RATIOS.items() for w in WINDOWS for t in range(end - 600, end + 1, 30)]
    (root / "data.om").write_text("\n".join(lines) + "\n# EOF\n")
    storage = root / "tsdb"
    done = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(root / "data.om"),
                           str(storage)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    (root / "prometheus.yml").write_text("global: {evaluation_interval: 2s}\nrule_files: [rules.yml]\n")
    port = free_port()
    log = (root / "prometheus.log").open("w")
    process = subprocess.Popen([prometheus, f"--config.file={root / 'prometheus.yml'}",
                                f"--storage.tsdb.path={storage}", f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 40
        while True:
            assert process.poll() is None, (root / "prometheus.log").read_text()[-2000:]
            assert time.time() < deadline, (root / "prometheus.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"{url}/api/v1/query?query=ALERTS", timeout=5) as answer:
                    if len(json.loads(answer.read())["data"]["result"]) >= 2:
                        break
            except OSError:
                pass
            time.sleep(0.5)
        time.sleep(3)  # one more evaluation: every series has seen its inputs
        yield url, specs
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_report_reads_the_journey_status(server: tuple[str, Path]) -> None:
    url, specs = server
    done = run_cli("report", str(specs), "--prometheus", url, "--slo", "journey/buy", "--format", "json")
    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)["slos"]
    assert (row["service"], row["slo"], row["window"]) == ("journey", "buy", "rolling 30d")
    assert row["objective"] == pytest.approx(99.4005)
    assert row["error_ratio"] == pytest.approx(JOURNEY_RATIO, rel=1e-9)
    assert row["period_burn_rate"] == pytest.approx(JOURNEY_RATIO / BUDGET, rel=1e-9)
    assert row["current_burn_rate"] == pytest.approx(JOURNEY_RATIO / BUDGET, rel=1e-9)
    assert row["budget_remaining"] == pytest.approx(1 - JOURNEY_RATIO / BUDGET, rel=1e-9)
    assert row["zone"] == "exhausted"
    # 11.5x: above the 6h/30m page factor (6) and both ticket factors, below 14.4 (1h/5m)
    assert row["firing"] == ["page burn", "ticket burn"]
    table = run_cli("report", str(specs), "--prometheus", url, "--slo", "journey/buy")
    assert table.returncode == 0, table.stderr
    assert "journey/buy" in table.stdout and "page burn, ticket burn" in table.stdout


def test_the_html_page_has_a_card_per_journey(server: tuple[str, Path], tmp_path: Path) -> None:
    url, specs = server
    page = tmp_path / "budgets.html"
    done = run_cli("report", str(specs), "--prometheus", url, "--slo", "journey/buy", "--format", "html",
                   "--output", str(page))
    assert done.returncode == 0, done.stderr
    html = page.read_text()
    assert "<h2>journey/buy" in html and "firing: page burn, ticket burn" in html
    assert "no burn-down chart here" in html and "<svg" not in html.split("<h2>journey/buy", 1)[1]
