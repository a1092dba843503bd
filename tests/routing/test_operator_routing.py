"""`--target kubernetes` alerts reach their receivers under the Prometheus Operator's defaults.

The operator (alertmanagerConfigMatcherStrategy OnNamespace, its default) only lets an
AlertmanagerConfig's route and inhibit rules see alerts whose `namespace` label is the
object's own namespace. Here the generated AlertmanagerConfig objects are rendered the way
the operator renders them (tests/routing/operator_render.py says how, and what is assumed)
into a real Alertmanager; every alert the generated PrometheusRules can fire is posted with
the labels those rules give it, and must be delivered to the receiver the plain target's
alertmanager.yml (`amtool config routes test`) routes it to, under the operator's
`<namespace>/<object>/<receiver>` name. Inhibition must work the same.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from tests.conftest import copy_specs, run_cli
from tests.routing.operator_render import ROOT_RECEIVER, render

NAMESPACE = "monitoring"
Received = list[tuple[str, dict[str, Any]]]


class _Inbox(BaseHTTPRequestHandler):
    received: ClassVar[Received]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((urllib.request.unquote(self.path.lstrip("/")), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def inbox() -> Iterator[tuple[str, Received]]:
    received: Received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Inbox", (_Inbox,), {"received": received}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example specs, generated for both targets. The office-hours interval the tickets
    are active in is widened to the whole week, so the test does not depend on the clock."""
    root = tmp_path_factory.mktemp("operator")
    specs = copy_specs(root, base=False)
    routing = specs / "routing.yml"
    text = routing.read_text()
    for old, new in (('["monday:friday"]', '["sunday:saturday"]'), ('"08:00"', '"00:00"'), ('"17:00"', '"24:00"')):
        assert old in text
        text = text.replace(old, new)
    routing.write_text(text)
    for target, extra in (("kubernetes", ["--namespace", NAMESPACE]), ("prometheus", [])):
        result = run_cli("generate", str(specs), "--out", str(root / target), "--target", target, *extra)
        assert result.returncode == 0, result.stderr
    return root


def _alerts(root: Path) -> list[dict[str, str]]:
    """The labels of every alert the generated PrometheusRules can fire (rule labels, alertname)."""
    out = []
    for path in sorted((root / "kubernetes" / "kubernetes").glob("prometheusrule-*.yml")):
        for group in yaml.safe_load(path.read_text())["spec"]["groups"]:
            out += [{"alertname": r["alert"], **r["labels"]} for r in group["rules"] if "alert" in r]
    return out


def _plain_receiver(amtool: str, config: Path, labels: dict[str, str]) -> str:
    result = subprocess.run([amtool, "config", "routes", "test", f"--config.file={config}",
                             *(f"{k}={v}" for k, v in labels.items() if k != "namespace")],
                            capture_output=True, text=True, check=False, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def start_alertmanager(alertmanager_bin: str, tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], str]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(config: dict[str, Any]) -> str:
        index = len(processes)
        path = tmp_path / f"alertmanager-{index}.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        log = tmp_path / f"alertmanager-{index}.log"
        with log.open("w") as handle:
            processes.append(subprocess.Popen(
                [alertmanager_bin, f"--config.file={path}", f"--storage.path={tmp_path / f'data-{index}'}",
                 f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
                stdout=handle, stderr=subprocess.STDOUT))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1).close()
                return url
            except OSError:
                if processes[-1].poll() is not None or time.monotonic() > deadline:
                    pytest.fail("alertmanager did not start:\n" + log.read_text())
                time.sleep(0.1)

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _post(url: str, alerts: list[dict[str, str]]) -> None:
    body = json.dumps([{"labels": labels} for labels in alerts]).encode()
    request = urllib.request.Request(f"{url}/api/v2/alerts", data=body, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).close()


def _key(labels: dict[str, str]) -> tuple[str, ...]:
    return tuple(labels.get(k, "") for k in ("alertname", "slo_service", "slo_name", "slo_severity",
                                             "slo_budget_consumed", "namespace"))


def _delivered(received: Received) -> set[tuple[str, tuple[str, ...]]]:
    return {(receiver, _key(alert["labels"])) for receiver, body in received for alert in body["alerts"]}


def _wait_for(received: Received, expected: set[tuple[str, tuple[str, ...]]], settle: float = 3.0) -> set[Any]:
    """Deliveries once `expected` all arrived (or 20 s passed), plus `settle` seconds for strays."""
    deadline = time.monotonic() + 20
    while not expected <= _delivered(received) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(settle)
    return _delivered(received)


def _operator_config(root: Path, inbox: str) -> dict[str, Any]:
    objects = [yaml.safe_load(p.read_text())
               for p in sorted((root / "kubernetes" / "kubernetes").glob("alertmanagerconfig-*.yml"))]
    assert {o["metadata"]["namespace"] for o in objects} == {NAMESPACE}
    return render(objects, inbox)


def test_every_alert_reaches_its_receiver_through_the_operator_config(
        generated: Path, inbox: tuple[str, Received], start_alertmanager: Callable[[dict[str, Any]], str],
        amtool: str) -> None:
    address, received = inbox
    alerts = _alerts(generated)
    # 17 SLO alerts and the example journey's 3 (page and ticket burn, its budget ticket)
    assert len(alerts) == 20 and all(a["namespace"] == NAMESPACE for a in alerts)
    plain = generated / "prometheus" / "alertmanager" / "alertmanager.yml"
    expected = {}
    for labels in alerts:
        receiver = _plain_receiver(amtool, plain, labels)
        expected[_key(labels)] = f"{NAMESPACE}/sloforge-{labels['team']}/{receiver}"
    # The oracle itself routes as the spec says (one team's page, another's override, ...).
    assert expected[_key(alerts[0])] == "monitoring/sloforge-payments/sloforge-payments-page"
    latency_ticket = next(a for a in alerts if a["slo_name"] == "latency" and a["slo_severity"] == "ticket")
    assert expected[_key(latency_ticket)] == "monitoring/sloforge-payments/sloforge-payments-checkout-latency-ticket"
    assert len(set(expected.values())) == 5

    # No page is posted with a ticket of its SLO, nor a budget alert with a higher one: that is
    # inhibition, tested below. What the operator's namespace matcher turns away goes to the
    # root receiver: alerts without the label (as sloforge wrote them before) or another namespace's.
    lowest = [a for a in alerts if a.get("slo_budget_consumed") == "50%"]
    pages = [a for a in alerts if a["slo_severity"] == "page"]
    tickets = [a for a in alerts if a["slo_severity"] == "ticket" and a not in lowest]
    unlabelled = {k: v for k, v in pages[0].items() if k != "namespace"}
    elsewhere = {**pages[1], "namespace": "other"}
    for batch in (pages + [unlabelled, elsewhere], tickets, lowest):
        received.clear()
        url = start_alertmanager(_operator_config(generated, address))
        _post(url, batch)
        want = {(expected[_key(a)], _key(a)) for a in batch if a not in (unlabelled, elsewhere)}
        if unlabelled in batch:
            want |= {(ROOT_RECEIVER, _key(unlabelled)), (ROOT_RECEIVER, _key(elsewhere))}
        assert _wait_for(received, want) == want


def test_inhibition_works_through_the_operator_config(
        generated: Path, inbox: tuple[str, Received], start_alertmanager: Callable[[dict[str, Any]], str]) -> None:
    address, received = inbox
    alerts = _alerts(generated)

    def find(alertname: str, severity: str, consumed: str | None = None) -> dict[str, str]:
        return next(a for a in alerts if a["alertname"] == alertname and a["slo_severity"] == severity
                    and a.get("slo_budget_consumed") == consumed)

    page = find("CheckoutAvailabilityErrorBudgetBurn", "page")
    ticket = find("CheckoutAvailabilityErrorBudgetBurn", "ticket")
    half = find("CheckoutAvailabilityErrorBudgetConsumed", "ticket", "50%")
    three_quarters = find("CheckoutAvailabilityErrorBudgetConsumed", "ticket", "75%")
    other_ticket = find("CheckoutLatencyErrorBudgetBurn", "ticket")  # another SLO: not inhibited

    def receiver(alert: dict[str, str]) -> str:
        if alert["slo_name"] == "latency":
            return "sloforge-payments-checkout-latency-ticket"
        return f"sloforge-payments-{alert['slo_severity']}"

    # A burn-rate page silences its SLO's burn-rate ticket, never a budget ticket (kinds never
    # silence each other); a higher budget threshold the lower ones. Each case in an
    # Alertmanager of its own.
    for batch, notified, suppressed in (([page, ticket, half, other_ticket], [page, half, other_ticket], [ticket]),
                                        ([half, three_quarters], [three_quarters], [half])):
        received.clear()
        url = start_alertmanager(_operator_config(generated, address))
        _post(url, batch)
        want = {(f"{NAMESPACE}/sloforge-payments/{receiver(a)}", _key(a)) for a in notified}
        assert _wait_for(received, want) == want
        with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as response:
            states = {_key(a["labels"]): a["status"] for a in json.loads(response.read())}
        for alert in suppressed:
            assert states[_key(alert)]["state"] == "suppressed" and states[_key(alert)]["inhibitedBy"], alert
        for alert in notified:
            assert states[_key(alert)]["state"] == "active", alert
