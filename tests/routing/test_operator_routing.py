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
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import built_once, copy_specs, run_cli
from tests.routing.conftest import Inbox, StartAlertmanager
from tests.routing.operator_render import ROOT_RECEIVER, render

NAMESPACE = "monitoring"
Received = list[tuple[str, dict[str, Any]]]


def _generate(root: Path) -> None:
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


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example specs, generated for both targets (once for every worker). The office-hours
    interval the tickets are active in is widened to the whole week, so the test does not
    depend on the clock."""
    return built_once(tmp_path_factory, "operator-routing", _generate)


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


def _post(url: str, alerts: list[dict[str, str]]) -> None:
    body = json.dumps([{"labels": labels} for labels in alerts]).encode()
    request = urllib.request.Request(f"{url}/api/v2/alerts", data=body, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).close()


def _key(labels: dict[str, str]) -> tuple[str, ...]:
    return tuple(labels.get(k, "") for k in ("alertname", "slo_service", "slo_name", "slo_severity",
                                             "slo_budget_consumed", "namespace"))


def _delivered(received: Received) -> set[tuple[str, tuple[str, ...]]]:
    """(receiver, alert) of each delivery: the webhook path is the operator's receiver name."""
    return {(urllib.request.unquote(path.lstrip("/")), _key(alert["labels"]))
            for path, body in received for alert in body["alerts"]}


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
        generated: Path, inbox: Inbox, start_alertmanager: StartAlertmanager, amtool: str) -> None:
    address, received = inbox.url, inbox.received
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
        url = start_alertmanager(_operator_config(generated, address))
        _post(url, batch)
        want = {(expected[_key(a)], _key(a)) for a in batch if a not in (unlabelled, elsewhere)}
        if unlabelled in batch:
            want |= {(ROOT_RECEIVER, _key(unlabelled)), (ROOT_RECEIVER, _key(elsewhere))}
        assert _wait_for(received, want) == want


def test_inhibition_works_through_the_operator_config(
        generated: Path, inbox: Inbox, start_alertmanager: StartAlertmanager) -> None:
    address, received = inbox.url, inbox.received
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
