"""Journey alerts in a real Alertmanager running the generated config: a journey's page
silences its own burn-rate ticket, never another journey's (journey alerts carry no
slo_service/slo_name, which Alertmanager counts equal when both lack them: the inhibit
rules compare slo_journey too), and an SLO's page never silences a journey's ticket."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import SPECS, run_cli
from tests.routing.conftest import (  # noqa: F401  (alertmanager_bin, inbox, start_alertmanager: fixtures)
    Inbox,
    StartAlertmanager,
    alertmanager_bin,
    inbox,
    start_alertmanager,
)
from tests.routing.test_inhibition import ROUTING, Alert, _call

JOURNEY = """\
apiVersion: sloforge/v1
kind: Journey
name: {name}
owner: payments
steps:
  - {{service: checkout, slo: availability}}
"""  # two journeys over the same step: only slo_journey tells their alerts apart


@pytest.fixture
def alertmanager(start_alertmanager: StartAlertmanager, tmp_path: Path, inbox: Inbox) -> str:  # noqa: F811
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "checkout.yml").write_text((SPECS / "checkout.yml").read_text())
    (specs / "routing.yml").write_text(ROUTING.format(port=inbox.port))
    (specs / "buy.yml").write_text(JOURNEY.format(name="buy"))
    (specs / "rebuy.yml").write_text(JOURNEY.format(name="rebuy"))
    result = run_cli("generate", str(specs), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    return start_alertmanager(tmp_path / "out" / "alertmanager" / "alertmanager.yml")


def _alert(out: Path, file: str, tier: str) -> Alert:
    """The burn-rate alert of `tier` as the generated rule file labels it."""
    for group in yaml.safe_load((out / "prometheus" / f"{file}.yml").read_text())["groups"]:
        for rule in group["rules"]:
            labels = rule.get("labels", {})
            if "alert" in rule and labels["slo_alert_kind"] == "burn-rate" and labels["slo_severity"] == tier \
                    and labels.get("slo_name", "availability") == "availability":
                return {"labels": {"alertname": rule["alert"], **labels}, "annotations": {"summary": file}}
    raise AssertionError(f"no burn-rate {tier} alert in {file}")


def _key(alert: dict[str, object]) -> tuple[str, str]:
    labels: dict[str, str] = alert["labels"]  # type: ignore[assignment]
    return labels.get("slo_journey") or labels["slo_service"], labels["slo_severity"]


def test_a_journey_page_silences_only_its_own_ticket(
        alertmanager: str, inbox: Inbox, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    buy_page, buy_ticket = _alert(out, "journey-buy", "page"), _alert(out, "journey-buy", "ticket")
    rebuy_ticket = _alert(out, "journey-rebuy", "ticket")
    slo_page = _alert(out, "checkout", "page")
    posted = [buy_page, buy_ticket, rebuy_ticket, slo_page]
    _call(f"{alertmanager}/api/v2/alerts", posted)
    deadline = time.monotonic() + 20
    while True:
        states = {_key(a): a["status"]["state"] for a in _call(f"{alertmanager}/api/v2/alerts")}  # type: ignore[union-attr,index]
        delivered = {_key(a) for _, body in inbox.received for a in body["alerts"]}  # type: ignore[attr-defined]
        if (len(states) == len(posted) and len(delivered) >= 3) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    time.sleep(2)  # a notification that should not come has its chance (group_wait 1s)
    delivered = {_key(a) for _, body in inbox.received for a in body["alerts"]}  # type: ignore[attr-defined]
    assert states == {("buy", "page"): "active", ("buy", "ticket"): "suppressed",
                      ("rebuy", "ticket"): "active", ("checkout", "page"): "active"}
    assert delivered == {("buy", "page"), ("rebuy", "ticket"), ("checkout", "page")}
    paths = {(path, a["labels"].get("slo_journey", "")) for path, body in inbox.received for a in body["alerts"]}  # type: ignore[attr-defined,union-attr]
    assert paths == {("/page", "buy"), ("/ticket", "rebuy"), ("/page", "")}  # the journey's owner's receivers
