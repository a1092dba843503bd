"""Inhibition end to end: a real Alertmanager running the generated config.

Alerts are posted through the API v2 with the labels the generated rule files give
them (read from out/prometheus/, plus the group labels a grouped SLO's series carry),
so a label the rules and the inhibit rules disagree on fails here. Within one SLO, one
group and one kind of alert (slo_alert_kind), a page silences the ticket and a budget
alert those of lower thresholds; across kinds nothing is silenced (a budget page that
fires for weeks must not hide a fresh burn). Grouped SLOs notify per group.
The receivers are webhooks to a local HTTP server, so the test also sees which
notifications are actually delivered (and nothing leaves the machine).
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from sloforge.compile.alertmanager.routes import alert_scope
from sloforge.pipeline import load_catalog

from tests.conftest import SPECS, run_cli
from tests.routing.conftest import Inbox, StartAlertmanager

# The generated config names this module's inbox: its tests run on one worker (pytest-xdist).
pytestmark = pytest.mark.xdist_group("inhibition")

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
    alerting:
      budget:
        - {consumed: 75%, severity: ticket}
        - {consumed: 100%, severity: page}
  - name: latency
    objective: 99
    sli:
      latency: {metric: http_request_duration_seconds, selector: '{job="api"}', threshold: 300ms}
    alerting:
      budget:
        - {consumed: 50%, severity: ticket}
        - {consumed: 75%, severity: ticket}
        - {consumed: 100%, severity: page}
        - {exhausts_within: 3d, severity: ticket}
        - {exhausts_within: 1d, severity: ticket}
        - {exhausts_within: 12h, severity: page}
"""


def _call(url: str, payload: object | None = None) -> object:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
    return json.loads(text) if text.strip() else None


@pytest.fixture(scope="module")
def out(inbox: Inbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example checkout service and a grouped one, their webhooks pointing at the module's
    inbox: generated once for the module."""
    root = tmp_path_factory.mktemp("inhibition")
    specs = root / "specs"
    specs.mkdir()
    (specs / "checkout.yml").write_text((SPECS / "checkout.yml").read_text())
    (specs / "routing.yml").write_text(ROUTING.format(port=inbox.port))
    (specs / "api.yml").write_text(GROUPED)
    result = run_cli("generate", str(specs), "--out", str(root / "out"))
    assert result.returncode == 0, result.stderr
    return root / "out"


@pytest.fixture
def alertmanager(out: Path, start_alertmanager: StartAlertmanager) -> str:
    """A fresh Alertmanager (no alerts, nothing inhibited) on the generated config, for each test."""
    return start_alertmanager(out / "alertmanager" / "alertmanager.yml")


Alert = dict[str, object]


def _rule_alert(out: Path, service: str, slo: str, kind: str, tier: str, consumed: str | None = None,
                within: str | None = None, **series: str) -> Alert:
    """The alert as the generated rules label it, plus the labels of the series it fired on (a
    grouped SLO's group labels)."""
    for group in yaml.safe_load((out / "prometheus" / f"{service}.yml").read_text())["groups"]:
        for rule in group["rules"]:
            labels = rule.get("labels", {})
            if ("alert" in rule and labels["slo_name"] == slo and labels["slo_alert_kind"] == kind
                    and labels["slo_severity"] == tier and labels.get("slo_budget_consumed") == consumed
                    and labels.get("slo_budget_exhausts_within") == within):
                return {"labels": {"alertname": rule["alert"], **labels, **series},
                        "annotations": {"summary": f"{service} {slo} {kind} {tier} {consumed} {series}"}}
    raise AssertionError(f"no {kind} {tier} {consumed} alert for {service}/{slo}")


def _key(alert: Alert) -> tuple[str, ...]:
    labels: dict[str, str] = alert["labels"]  # type: ignore[assignment]
    return (labels["slo_service"], labels["slo_name"], labels["slo_alert_kind"], labels["slo_severity"],
            labels.get("slo_budget_consumed", ""), labels.get("slo_budget_exhausts_within", ""),
            labels.get("route", ""))


def _settle(url: str, received: list[tuple[str, dict[str, object]]], posted: list[Alert],
            delivered_at_least: int) -> tuple[dict[tuple[str, ...], dict[str, object]], set[tuple[str, ...]]]:
    """Post the alerts, wait until Alertmanager holds them all and has delivered that many of
    them; (status by alert, alerts delivered) then."""
    _call(f"{url}/api/v2/alerts", posted)
    deadline = time.monotonic() + 20
    while True:
        states = {_key(a): a["status"] for a in _call(f"{url}/api/v2/alerts")}  # type: ignore[union-attr]
        delivered = {_key(a) for _, body in received for a in body["alerts"]}  # type: ignore[attr-defined]
        if (len(states) == len(posted) and len(delivered) >= delivered_at_least) or time.monotonic() > deadline:
            # Let a notification that should not come have its chance to arrive (group_wait 1s).
            time.sleep(2)
            delivered = {_key(a) for _, body in received for a in body["alerts"]}  # type: ignore[attr-defined]
            return states, delivered
        time.sleep(0.2)


def test_a_burn_rate_page_inhibits_the_burn_rate_ticket_of_the_same_slo(
        alertmanager: str, inbox: Inbox, out: Path) -> None:
    page = _rule_alert(out, "checkout", "availability", "burn-rate", "page")
    ticket = _rule_alert(out, "checkout", "availability", "burn-rate", "ticket")
    other = _rule_alert(out, "checkout", "latency", "burn-rate", "ticket")
    states, delivered = _settle(alertmanager, inbox.received, [page, ticket, other], 2)
    assert states[_key(page)]["state"] == "active"
    assert states[_key(ticket)]["state"] == "suppressed"
    assert states[_key(ticket)]["inhibitedBy"], states
    assert states[_key(other)]["state"] == "active"  # another SLO is not inhibited
    assert delivered == {_key(page), _key(other)}
    paths = {(path, a["labels"]["slo_name"]) for path, body in inbox.received for a in body["alerts"]}  # type: ignore[attr-defined,index]
    assert paths == {("/page", "availability"), ("/ticket", "latency")}


def test_kinds_never_silence_each_other(alertmanager: str, inbox: Inbox, out: Path) -> None:
    """A grouped SLO, one route per case: a budget page leaves the burn-rate ticket alone (/a), a
    burn-rate page leaves the budget ticket alone (/b), a burn-rate page silences the burn-rate
    ticket (/c) but not another route's (/d); a burn-rate page of an ungrouped SLO leaves its no-data
    ticket alone."""

    def alert(kind: str, tier: str, consumed: str | None = None, **series: str) -> Alert:
        return _rule_alert(out, "api", "availability", kind, tier, consumed, **series)

    suppressed = [alert("burn-rate", "ticket", route="/c")]
    active = [alert("budget", "page", "100%", route="/a"), alert("burn-rate", "ticket", route="/a"),
              alert("burn-rate", "page", route="/b"), alert("budget", "ticket", "75%", route="/b"),
              alert("burn-rate", "page", route="/c"), alert("burn-rate", "ticket", route="/d"),
              _rule_alert(out, "checkout", "uptime", "burn-rate", "page"),
              _rule_alert(out, "checkout", "uptime", "no-data", "ticket")]
    states, delivered = _settle(alertmanager, inbox.received, active + suppressed, len(active))
    assert {k: v["state"] for k, v in states.items()} == {
        **{_key(a): "active" for a in active}, **{_key(a): "suppressed" for a in suppressed}}
    assert delivered == {_key(a) for a in active}


def test_only_the_highest_budget_threshold_crossed_notifies(
        alertmanager: str, inbox: Inbox, out: Path) -> None:
    # 50% and 75% of latency's budget are gone; the grouped SLO has crossed 75% on route /a and
    # 100% on /b, so its 75% ticket notifies for /a only. A burn-rate page does not count.
    lower = _rule_alert(out, "api", "latency", "budget", "ticket", "50%")
    higher = _rule_alert(out, "api", "latency", "budget", "ticket", "75%")
    grouped_a = _rule_alert(out, "api", "availability", "budget", "ticket", "75%", route="/a")
    grouped_b = _rule_alert(out, "api", "availability", "budget", "ticket", "75%", route="/b")
    exhausted_b = _rule_alert(out, "api", "availability", "budget", "page", "100%", route="/b")
    burn = _rule_alert(out, "api", "latency", "burn-rate", "page")
    posted = [lower, higher, grouped_a, grouped_b, exhausted_b, burn]
    states, delivered = _settle(alertmanager, inbox.received, posted, 4)
    assert {k: v["state"] for k, v in states.items()} == {
        _key(lower): "suppressed", _key(higher): "active", _key(grouped_a): "active",
        _key(grouped_b): "suppressed", _key(exhausted_b): "active", _key(burn): "active"}
    assert delivered == {_key(higher), _key(grouped_a), _key(exhausted_b), _key(burn)}


def test_only_the_shortest_forecast_horizon_notifies(alertmanager: str, inbox: Inbox, out: Path) -> None:
    # latency runs out within 12h (so within 1d and 3d too): the 12h page notifies, the 1d and 3d
    # tickets are silenced; a consumed-share ticket is another question and still notifies, and a
    # forecast page does not silence the burn-rate ticket either.
    def forecast(tier: str, within: str) -> Alert:
        return _rule_alert(out, "api", "latency", "budget", tier, within=within)

    silenced = [forecast("ticket", "3d"), forecast("ticket", "1d")]
    active = [forecast("page", "12h"), _rule_alert(out, "api", "latency", "budget", "ticket", "75%"),
              _rule_alert(out, "api", "latency", "burn-rate", "ticket")]
    states, delivered = _settle(alertmanager, inbox.received, active + silenced, len(active))
    assert {k: v["state"] for k, v in states.items()} == {
        **{_key(a): "active" for a in active}, **{_key(a): "suppressed" for a in silenced}}
    assert delivered == {_key(a) for a in active}


def test_each_group_of_a_grouped_slo_notifies_on_its_own(alertmanager: str, inbox: Inbox, out: Path) -> None:
    """Inhibition is per group, so is grouping: two routes' pages are two notifications (the
    default group_by adds the catalog's group labels), while one route's page and ticket of
    another SLO kind still go by alertname."""
    pages = [_rule_alert(out, "api", "availability", "burn-rate", "page", route=route) for route in ("/a", "/b")]
    _settle(alertmanager, inbox.received, pages, 2)
    notifications = [body for path, body in inbox.received if path == "/page"]
    assert len(notifications) == 2, notifications
    assert sorted(n["groupLabels"]["route"] for n in notifications) == ["/a", "/b"]  # type: ignore[index]
    assert all(len(n["alerts"]) == 1 for n in notifications)  # type: ignore[arg-type]


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
    assert scope.exhaustion_horizons == ("3d", "1d", "12h")
