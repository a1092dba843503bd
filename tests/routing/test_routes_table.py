"""Who gets which alert: real `amtool config routes test` on the generated config."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from tests.routing.conftest import BASE

TABLE = [
    pytest.param({"team": "payments", "slo_severity": "page", "slo_service": "checkout",
                  "slo_name": "availability"}, "sloforge-payments-page", id="payments page"),
    pytest.param({"team": "payments", "slo_severity": "ticket", "slo_service": "checkout",
                  "slo_name": "availability"}, "sloforge-payments-ticket", id="payments ticket"),
    pytest.param({"team": "payments", "slo_severity": "ticket", "slo_service": "checkout",
                  "slo_name": "latency"}, "sloforge-payments-checkout-latency-ticket",
                 id="override: checkout latency tickets go by email"),
    pytest.param({"team": "payments", "slo_severity": "page", "slo_service": "checkout",
                  "slo_name": "latency"}, "sloforge-payments-page", id="override has no page: team page"),
    pytest.param({"team": "discovery", "slo_severity": "page", "slo_service": "search",
                  "slo_name": "availability"}, "sloforge-discovery-page", id="discovery page"),
    pytest.param({"team": "discovery", "slo_severity": "ticket", "slo_service": "search",
                  "slo_name": "freshness"}, "sloforge-discovery-ticket", id="discovery ticket"),
    pytest.param({"team": "marketing", "slo_severity": "page", "slo_service": "blog",
                  "slo_name": "availability"}, "oncall-fallback", id="unknown team falls through to the base default"),
    pytest.param({"team": "payments", "alertname": "HighCPU"}, "oncall-fallback",
                 id="a team's non-SLO alert is not sloforge's"),
    pytest.param({"alertname": "Watchdog"}, "deadmans-switch", id="the base's own routes still work"),
]


@pytest.fixture(scope="module")
def out(example_out: Path) -> Path:
    return example_out


def _route(amtool: str, config: Path, labels: dict[str, str], expected: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([amtool, "config", "routes", "test", f"--config.file={config}",
                           f"--verify.receivers={expected}", *(f"{k}={v}" for k, v in labels.items())],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize(("labels", "receiver"), TABLE)
def test_receiver_for_label_set(amtool: str, out: Path, labels: dict[str, str], receiver: str) -> None:
    result = _route(amtool, out / "alertmanager" / "alertmanager.yml", labels, receiver)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_expectation_fails(amtool: str, out: Path) -> None:
    """The table can fail: amtool exits 1 when the receiver differs."""
    labels = {"team": "payments", "slo_severity": "page"}
    assert _route(amtool, out / "alertmanager" / "alertmanager.yml", labels, "sloforge-payments-ticket").returncode == 1


def test_every_generated_alert_reaches_its_team(amtool: str, out: Path) -> None:
    """Each alert rule sloforge generated, with its real labels, is routed to its team and tier."""
    checked = 0
    for rule_file in sorted((out / "prometheus").glob("*.yml")):
        for group in yaml.safe_load(rule_file.read_text())["groups"]:
            for rule in group["rules"]:
                if "alert" not in rule:
                    continue
                labels = {"alertname": rule["alert"], **rule["labels"]}
                # journey alerts (specs/buy.yml) carry slo_journey instead of slo_service/slo_name
                override = (labels.get("slo_service"), labels.get("slo_name"), labels["slo_severity"]) == \
                    ("checkout", "latency", "ticket")
                expected = ("sloforge-payments-checkout-latency-ticket" if override
                            else f"sloforge-{labels['team']}-{labels['slo_severity']}")
                result = _route(amtool, out / "alertmanager" / "alertmanager.yml", labels, expected)
                assert result.returncode == 0, f"{rule['alert']} {labels}: {result.stdout}"
                checked += 1
    assert checked >= 10


def test_routes_explain_agrees_with_amtool(out: Path) -> None:
    result = run_cli("routes", "explain", "team=payments", "slo_severity=ticket", "slo_service=checkout",
                     "slo_name=latency", "--alertmanager-base", str(BASE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "receiver: sloforge-payments-checkout-latency-ticket" in lines
    assert any('{slo_name="latency",slo_service="checkout",slo_severity="ticket"}' in line for line in lines)
    assert "  email to=checkout-perf@example.com auth_password_file=/etc/alertmanager/secrets/smtp/password" \
        in lines
    assert "  notifies only during business-hours: 08:00-17:00 monday:friday" in lines


def test_routes_explain_unknown_team_goes_to_the_base_default() -> None:
    result = run_cli("routes", "explain", "team=marketing", "slo_severity=page", "--alertmanager-base", str(BASE))
    assert result.returncode == 0, result.stderr
    assert "receiver: oncall-fallback" in result.stdout.splitlines()
    assert "oncall-fallback: a receiver of the base config (not generated by sloforge)" in result.stdout


def test_routes_show_prints_the_tree() -> None:
    result = run_cli("routes", "show", "--alertmanager-base", str(BASE))
    assert result.returncode == 0, result.stderr
    assert "receiver: sloforge-discovery-ticket" in result.stdout
    assert "default-route  receiver: oncall-fallback" in result.stdout


def test_routes_explain_without_routing_spec_is_an_error() -> None:
    result = run_cli("routes", "explain", "team=payments", "--specs", "specs/checkout.yml")
    assert result.returncode == 1
    assert "no routing spec (kind: Routing) among these inputs" in result.stderr
