"""OpenSLO metadata.labels reach the rules; a single `team` becomes the owner."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import run_cli

OPENSLO = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: web
  labels:
    tier: ["1"]
    team: [payments]
spec:
  description: the web shop
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  labels:
    env: [prod, eu]
    cost-center: [42]
    slo_name: [sneaky]
spec:
  service: web
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  indicator:
    metadata: {name: good-requests}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec: {query: 'sum(rate(http_requests_total{job="web",code!~"5.."}[{{ window }}]))'}
        total:
          metricSource:
            type: Prometheus
            spec: {query: 'sum(rate(http_requests_total{job="web"}[{{ window }}]))'}
  objectives:
    - target: 0.999
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: fast-burn}
      spec:
        alertWhenBreaching: true
        conditions:
          - kind: AlertCondition
            metadata: {name: burn-2pct-1h}
            spec:
              severity: page
              condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m}
"""


def _generate(tmp_path: Path) -> tuple[list[dict[str, object]], str]:
    (tmp_path / "web.yml").write_text(OPENSLO, encoding="utf-8")
    result = run_cli("generate", str(tmp_path / "web.yml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    groups = yaml.safe_load((tmp_path / "out" / "prometheus" / "web.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]], result.stderr


def test_labels_are_kept_on_every_rule_and_team_routes_the_alerts(tmp_path: Path) -> None:
    rules, _ = _generate(tmp_path)
    for rule in rules:
        labels = rule["labels"]
        assert labels["tier"] == "1" and labels["env"] == "prod,eu", rule  # Service's, then the SLO's
        assert labels["slo_name"] == "availability"  # not overridden by the SLO's own slo_name label
        assert ("team" in labels) == ("alert" in rule), rule  # the owner: on alerts, as for native specs
    assert {r["labels"]["team"] for r in rules if "alert" in r} == {"payments"}
    (info,) = [r for r in rules if r.get("record") == "slo:info"]
    assert info["labels"]["slo_owner"] == "payments"


def test_labels_prometheus_cannot_carry_are_reported_not_fatal(tmp_path: Path) -> None:
    _, stderr = _generate(tmp_path)
    assert "metadata.labels.cost-center: warning: SLO 'availability': 'cost-center' is not a Prometheus " \
           "label name; label ignored" in stderr
    assert "metadata.labels.slo_name: warning: SLO 'availability': label 'slo_name' is set by sloforge " \
           "itself; label ignored" in stderr


def test_convert_keeps_labels_and_owner(tmp_path: Path) -> None:
    (tmp_path / "web.yml").write_text(OPENSLO, encoding="utf-8")
    result = run_cli("convert", str(tmp_path / "web.yml"), "--out", str(tmp_path / "converted"))
    assert result.returncode == 0, result.stderr
    spec = yaml.safe_load((tmp_path / "converted" / "web.yml").read_text())
    assert spec["owner"] == "payments" and spec["labels"] == {"tier": "1"}
    assert spec["slos"][0]["labels"] == {"env": "prod,eu"}


def test_slos_of_one_service_naming_different_teams_get_no_owner(tmp_path: Path) -> None:
    other = OPENSLO.split("---\n")[1].replace("name: availability", "name: availability-eu") \
        .replace("env: [prod, eu]", "team: [search, search]")  # a repeated team is one team
    mine = OPENSLO.split("---\n")[1].replace("env: [prod, eu]", "team: [payments]")
    (tmp_path / "web.yml").write_text(f"{mine}---\n{other}", encoding="utf-8")
    result = run_cli("generate", str(tmp_path / "web.yml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "the SLOs of service 'web' name different teams (availability: payments, availability-eu: " \
           "search); a service has one owner, so none is set" in result.stderr
    assert "several teams" not in result.stderr
    groups = yaml.safe_load((tmp_path / "out" / "prometheus" / "web.yml").read_text())["groups"]
    assert not any("team" in rule["labels"] for group in groups for rule in group["rules"])
