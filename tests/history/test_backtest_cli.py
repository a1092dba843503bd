"""`sloforge backtest` and `sloforge suggest` as a user runs them: output formats, and every
failure a one-line error with exit 1 while the other SLOs are still reported."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.plan.test_plan_prometheus import END, OUTAGE, SPEC, _openmetrics
from tests.servers import backfilled_prometheus

# one worker starts this module's server (make test runs on several)
pytestmark = pytest.mark.xdist_group("backtest-cli")

MISSING = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: ghost
slos:
  - name: availability
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: sum(rate(ghost_requests_total{code="500"}[{{ window }}]))
        total: sum(rate(ghost_requests_total[{{ window }}]))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with backfilled_prometheus(tmp_path_factory.mktemp("backtest-cli"), _openmetrics()) as url:
        yield url


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yml").write_text(SPEC.format(objective=99.9))
    (tmp_path / "specs" / "ghost.yml").write_text(MISSING)
    return tmp_path / "specs"


def test_an_slo_without_data_is_one_line_and_the_others_are_reported(server: str, specs: Path) -> None:
    done = run_cli("backtest", str(specs), "--prometheus", server, "--range", "3d", "--end", str(END),
                   "--format", "json")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: ghost/availability: no data: its SLI queries returned nothing between 2025-12-03 00:00 UTC "
        "and 2025-12-06 00:00 UTC (sloforge lint shows why)"]
    data = json.loads(done.stdout)
    assert [s["slo"] for s in data["slos"]] == ["availability"] and data["slos"][0]["service"] == "shop"
    pages = [f for f in data["slos"][0]["firings"] if f["tier"] == "page"]
    assert pages and OUTAGE[0] < pages[0]["start"] < OUTAGE[0] + 15 * 60


def test_table_and_attribution(server: str, specs: Path) -> None:
    done = run_cli("backtest", str(specs / "shop.yml"), "--prometheus", server, "--range", "3d",
                   "--end", str(END), "--by", "route")
    assert done.returncode == 0, done.stderr
    assert "shop/availability: budget by route" in done.stdout
    lines = [line for line in done.stdout.splitlines() if "/pay" in line or "/cart" in line]
    assert "/pay" in lines[0]  # the outage's route spent the most


def test_plot_needs_one_slo(server: str, specs: Path, tmp_path: Path) -> None:
    done = run_cli("backtest", str(specs), "--prometheus", server, "--plot", str(tmp_path / "x.png"))
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --plot draws one SLO and these specs hold 2: choose one with --slo"


def test_html_page_and_plot_from_real_data(server: str, specs: Path, tmp_path: Path) -> None:
    """The page and the PNG end to end: the no-data SLO named on the page, the outage's page band where it fired."""
    import os
    import re
    import xml.etree.ElementTree as ET

    page, png = tmp_path / "backtest.html", tmp_path / "shop.png"
    done = run_cli("backtest", str(specs), "--prometheus", server, "--range", "3d", "--end", str(END),
                   "--format", "html", "--output", str(page), "--by", "route")
    assert done.returncode == 1  # ghost has no data: reported, the page still written
    html = page.read_text()
    if os.environ.get("SLOFORGE_BACKTEST_ARTIFACT"):  # for a screenshot
        Path(os.environ["SLOFORGE_BACKTEST_ARTIFACT"]).write_text(html)
    assert "<b>Not backtested.</b> ghost/availability: no data" in html
    [section] = re.findall(r"<section class=\"slo\".*?</section>", html, re.S)
    assert "<h2>shop/availability</h2>" in section and "Who spent the budget" in section
    timeline = ET.fromstring(re.findall(r"<svg class=\"timeline\".*?</svg>", section, re.S)[0])
    titles = [r.findtext("{http://www.w3.org/2000/svg}title") or "" for r in timeline.iter("{http://www.w3.org/2000/svg}rect")
              if r.get("class") == "band band-page"]
    assert titles and all(t.startswith("page: ") for t in titles)
    done = run_cli("backtest", str(specs / "shop.yml"), "--prometheus", server, "--range", "3d", "--end", str(END),
                   "--plot", str(png), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_suggest_needs_a_whole_period(server: str, specs: Path) -> None:
    done = run_cli("suggest", str(specs / "shop.yml"), "--prometheus", server, "--range", "3d", "--end", str(END))
    assert done.returncode == 1
    assert "shop/availability: the range is shorter than its period (7d)" in done.stderr


class _Stub(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[tuple[str, type[_Stub]]]:
    handler = type("Handler", (_Stub,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_a_range_older_than_the_retention_is_refused(stub: tuple[str, type[_Stub]], specs: Path) -> None:
    url, handler = stub
    handler.body = b'{"status":"success","data":{"storageRetention":"15d","resultType":"matrix","result":[]}}'
    done = run_cli("backtest", str(specs), "--prometheus", url, "--range", "30d", "--end", "2026-12-01T00:00:00Z")
    assert done.returncode == 1
    assert done.stderr.startswith("error: the range starts 2026-11-01 00:00 UTC, before the oldest data "
                                  "Prometheus keeps (retention 15d: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_unreachable_is_one_line(specs: Path) -> None:
    done = run_cli("backtest", str(specs), "--prometheus", "http://127.0.0.1:9")
    assert (done.returncode, done.stderr.strip()) == (
        1, "error: cannot reach Prometheus at http://127.0.0.1:9: Connection refused")


ROUTES = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: team-shop
slos:
  - name: pay
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: sum(rate(http_requests_total{{route="/pay",code="500"}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{route="/pay"}}[{{{{ window }}}}]))
  - name: cart
    objective: 99.5
    window: 7d
    sli:
      events:
        errors: sum(rate(http_requests_total{{route="/cart",code="500"}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{route="/cart"}}[{{{{ window }}}}]))
---
apiVersion: sloforge/v1
kind: Journey
name: buy
owner: team-shop
steps:
  - {{service: shop, slo: cart}}
  - {{service: shop, slo: pay}}
---
apiVersion: sloforge/v1
kind: Journey
name: pay-only
owner: team-shop
steps:
  - {{service: shop, slo: pay}}
"""


def test_journeys_are_replayed_from_their_steps(server: str, tmp_path: Path) -> None:
    """A one-step journey fires exactly when its step does (the same objective, period and windows);
    a two-step journey's SLI is the product of its steps' SLIs, counted here by hand."""
    from tests.plan.test_plan_prometheus import _minutes

    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yml").write_text(ROUTES.format())
    done = run_cli("backtest", str(tmp_path / "specs"), "--prometheus", server, "--range", "3d", "--end", str(END),
                   "--format", "json")
    assert done.returncode == 0, done.stderr
    found = {(s["service"], s["slo"]): s for s in json.loads(done.stdout)["slos"]}
    step, alone = found[("shop", "pay")], found[("journey", "pay-only")]
    assert step["firings"] and [(f["tier"], f["start"], f["end"]) for f in alone["firings"]] == \
        [(f["tier"], f["start"], f["end"]) for f in step["firings"]]
    assert alone["objective"] == 99.9
    sli = {}
    for route in ("/pay", "/cart"):
        bad = total = 0.0
        for t, r, requests, errors in _minutes():
            if r == route and END - 3 * 86400 < t <= END:
                bad, total = bad + errors, total + requests
        sli[route] = 1 - bad / total
    # 1e-7: a sum of the steps' error ratios instead of the product would be off by their product, 6.6e-6
    assert found[("journey", "buy")]["sli"] == pytest.approx(sli["/pay"] * sli["/cart"], abs=1e-7)
    assert found[("journey", "buy")]["objective"] == pytest.approx(99.4005)
    # the journey pages for the /pay outage: any step failing fails the journey
    assert [f["tier"] for f in found[("journey", "buy")]["firings"]].count("page") >= 1
