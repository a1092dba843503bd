"""Inhibition end to end: a real Alertmanager running the generated config.

A page and a ticket of the same SLO are posted through the API v2: the page is
active, the ticket is inhibited by it; a ticket of another SLO stays active, and
so does the ticket of another group of a grouped SLO. Of an SLO's budget alerts,
only the highest threshold crossed notifies.
The receivers are webhooks to a local HTTP server, so the test also sees which
notifications are actually delivered (and nothing leaves the machine).
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sloforge.outputs.alertmanager import alert_scope
from sloforge.pipeline import load_catalog

from tests.conftest import SPECS, run_cli

ROUTING = """\
apiVersion: sloforge/v1
kind: Routing
defaults: {{group_wait: 1s, group_interval: 1s, repeat_interval: 1h}}
teams:
  payments:
    page: {{webhook: {{url: "http://127.0.0.1:{port}/page"}}}}
    ticket: {{webhook: {{url: "http://127.0.0.1:{port}/ticket"}}}}
"""

GROUPED = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: api
owner: payments
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: sum by (route) (rate(http_requests_total{job="api",code=~"5.."}[{{ window }}]))
        total: sum by (route) (rate(http_requests_total{job="api"}[{{ window }}]))
        group_by: [route]
  - name: latency
    objective: 99
    sli:
      latency: {metric: http_request_duration_seconds, selector: '{job="api"}', threshold: 300ms}
    alerting:
      budget:
        - {consumed: 50%, severity: ticket}
        - {consumed: 75%, severity: ticket}
        - {consumed: 100%, severity: page}
"""


class _Inbox(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, object]]]]  # set per server by the fixture

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def inbox() -> Iterator[tuple[int, list[tuple[str, dict[str, object]]]]]:
    received: list[tuple[str, dict[str, object]]] = []
    handler = type("Inbox", (_Inbox,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(url: str, payload: object | None = None) -> object:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
    return json.loads(text) if text.strip() else None


@pytest.fixture
def alertmanager(alertmanager_bin: str, tmp_path: Path, inbox: tuple[int, list[object]]) -> Iterator[str]:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "checkout.yml").write_text((SPECS / "checkout.yml").read_text())
    (specs / "routing.yml").write_text(ROUTING.format(port=inbox[0]))
    (specs / "api.yml").write_text(GROUPED)
    result = run_cli("generate", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    port = _free_port()
    log = (tmp_path / "alertmanager.log").open("w")
    process = subprocess.Popen(
        [alertmanager_bin, f"--config.file={tmp_path / 'out' / 'alertmanager' / 'alertmanager.yml'}",
         f"--storage.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address=", "--log.level=warn"],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("alertmanager did not start:\n" + (tmp_path / "alertmanager.log").read_text())
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _alert(tier: str, slo: str) -> dict[str, object]:
    return {"labels": {"alertname": f"Checkout{slo.title()}ErrorBudgetBurn", "slo_service": "checkout",
                       "slo_name": slo, "slo_severity": tier, "team": "payments",
                       "severity": "critical" if tier == "page" else "warning"},
            "annotations": {"summary": f"checkout {slo} {tier}"}}


def test_page_inhibits_the_ticket_of_the_same_slo(alertmanager: str, inbox: tuple[int, list]) -> None:
    _, received = inbox
    _call(f"{alertmanager}/api/v2/alerts", [_alert("page", "availability"), _alert("ticket", "availability"),
                                           _alert("ticket", "latency")])
    deadline = time.monotonic() + 20
    while True:
        alerts = _call(f"{alertmanager}/api/v2/alerts")
        states = {(a["labels"]["slo_name"], a["labels"]["slo_severity"]): a["status"]
                  for a in alerts}  # type: ignore[union-attr]
        delivered = {(path, alert["labels"]["slo_name"]) for path, body in received
                     for alert in body["alerts"]}  # type: ignore[index,union-attr]
        done = (len(states) == 3 and states[("availability", "ticket")]["state"] == "suppressed"
                and {("/page", "availability"), ("/ticket", "latency")} <= delivered)
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert states[("availability", "page")]["state"] == "active"
    assert states[("availability", "ticket")]["state"] == "suppressed"
    assert states[("availability", "ticket")]["inhibitedBy"], states
    assert states[("latency", "ticket")]["state"] == "active"  # another SLO is not inhibited
    assert ("/page", "availability") in delivered
    assert ("/ticket", "latency") in delivered
    assert ("/ticket", "availability") not in delivered


def test_a_page_of_one_group_leaves_other_groups_tickets_alone(alertmanager: str, inbox: tuple[int, list]) -> None:
    def alert(tier: str, route: str) -> dict[str, object]:
        return {"labels": {"alertname": "ApiAvailabilityErrorBudgetBurn", "slo_service": "api",
                           "slo_name": "availability", "slo_severity": tier, "team": "payments", "route": route,
                           "severity": "critical" if tier == "page" else "warning"}}

    _call(f"{alertmanager}/api/v2/alerts", [alert("page", "/a"), alert("ticket", "/a"), alert("ticket", "/b")])
    deadline = time.monotonic() + 20
    while True:
        alerts = _call(f"{alertmanager}/api/v2/alerts")
        states = {(a["labels"]["route"], a["labels"]["slo_severity"]): a["status"]["state"]
                  for a in alerts}  # type: ignore[union-attr]
        if (len(states) == 3 and states[("/a", "ticket")] == "suppressed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert states == {("/a", "page"): "active", ("/a", "ticket"): "suppressed", ("/b", "ticket"): "active"}


def test_only_the_highest_budget_threshold_crossed_notifies(alertmanager: str, inbox: tuple[int, list]) -> None:
    _, received = inbox

    def alert(consumed: str, tier: str, slo: str = "latency") -> dict[str, object]:
        return {"labels": {"alertname": f"Api{slo.title()}ErrorBudgetConsumed", "slo_service": "api",
                           "slo_name": slo, "slo_severity": tier, "team": "payments",
                           "slo_budget_consumed": consumed, "severity": "warning"}}

    # 50% and 75% of latency's budget are gone; another SLO has crossed its own 50%.
    _call(f"{alertmanager}/api/v2/alerts", [alert("50%", "ticket"), alert("75%", "ticket"),
                                           alert("50%", "ticket", "availability")])
    deadline = time.monotonic() + 20
    while True:
        alerts = _call(f"{alertmanager}/api/v2/alerts")
        states = {(a["labels"]["slo_name"], a["labels"]["slo_budget_consumed"]): a["status"]["state"]
                  for a in alerts}  # type: ignore[union-attr]
        delivered = {(alert["labels"]["slo_name"], alert["labels"]["slo_budget_consumed"])
                     for _, body in received for alert in body["alerts"]}  # type: ignore[index,union-attr]
        done = states.get(("latency", "50%")) == "suppressed" and len(delivered) >= 2
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert states == {("latency", "50%"): "suppressed", ("latency", "75%"): "active",
                      ("availability", "50%"): "active"}
    assert delivered == {("latency", "75%"), ("availability", "50%")}


def test_equal_leaves_out_labels_an_alert_tier_sets_itself(tmp_path: Path) -> None:
    """A group label that another SLO's page sets to a fixed value would never be equal between
    that SLO's page and ticket, and its page would stop silencing its ticket."""
    tiered = GROUPED.replace("group_by: [route]", "group_by: [route, region]") \
        .replace("by (route)", "by (route, region)")
    tiered += """\
  - name: checkout
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{job="api",code=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total{job="api"}[{{ window }}]))
    alerting:
      page: {labels: {region: eu}}
"""
    (tmp_path / "api.yml").write_text(tiered, encoding="utf-8")
    catalog, _ = load_catalog([str(tmp_path / "api.yml")])
    scope = alert_scope(catalog)
    assert scope.group_labels == ("route",)
    assert scope.budget_thresholds == ("50%", "75%", "100%")
