"""A promtool unit test per converted Sloth example and per Pyrra indicator kind: on a full outage
every SLO that pages fires its page alert."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from importers_cases import PYRRA, SLOTH, compile_files
from sloforge.convert import native as convert
from sloforge.pipeline import load_catalog

# Input series under which every request (or every wifi client) is bad, per metric family.
HTTP = [{"series": 'http_request_duration_seconds_count{job="myservice", code="500"}', "values": "0+60x120"},
        {"series": 'http_request_duration_seconds_count{job="myapp", code="500"}', "values": "0+60x120"}]
WIFI = [{"series": "unifipoller_client_satisfaction_ratio{client=\"a\"}", "values": "0.1x120"}]
APISERVER = [{"series": 'apiserver_request_total{code="500"}', "values": "0+60x120"},
             {"series": 'apiserver_request_duration_seconds_count{verb="GET"}', "values": "0+60x120"},
             {"series": 'apiserver_request_duration_seconds_bucket{verb="GET", le="0.4"}', "values": "0x120"}]
OUTAGES = {"getting-started.yml": HTTP, "k8s-getting-started.yml": HTTP, "multifile.yml": HTTP,
           "k8s-multifile.yml": HTTP, "home-wifi.yml": WIFI, "k8s-home-wifi.yml": WIFI,
           "raw-home-wifi.yml": WIFI, "kubernetes-apiserver.yml": APISERVER}


# Pyrra: one file per indicator kind (latency.yaml holds both latency shapes).
PYRRA_OUTAGES = {
    "ratio.yaml": [{"series": 'http_requests_total{job="checkout", code="500", route="/pay"}',
                    "values": "0+60x120"}],
    "latency.yaml": [
        {"series": 'http_request_duration_seconds_count{job="checkout"}', "values": "0+60x120"},
        {"series": 'http_request_duration_seconds_bucket{job="checkout", le="0.3"}', "values": "0x120"},
        {"series": 'search_duration_seconds_count{job="search", handler="q"}', "values": "0+60x120"},
        {"series": 'search_duration_seconds_bucket{job="search", handler="q", code="200", le="1"}',
         "values": "0x120"}],
    "bool-gauge-list.yaml": [
        {"series": 'probe_success{job="blackbox", instance="https://shop.example.com"}', "values": "0x120"},
        {"series": 'probe_success{job="blackbox", instance="https://api.example.com"}', "values": "0x120"}],
}


@pytest.mark.parametrize("name", sorted(OUTAGES), ids=lambda n: n.rsplit(".", 1)[0])
def test_page_alert_fires_on_full_outage(name: str, tmp_path: Path, promtool: str) -> None:
    assert_pages(SLOTH / name, OUTAGES[name], tmp_path, promtool)


@pytest.mark.parametrize("name", sorted(PYRRA_OUTAGES), ids=lambda n: "pyrra-" + n.rsplit(".", 1)[0])
def test_pyrra_page_alert_fires_on_full_outage(name: str, tmp_path: Path, promtool: str) -> None:
    assert_pages(PYRRA / name, PYRRA_OUTAGES[name], tmp_path, promtool)


def assert_pages(source: Path, series: list[dict[str, str]], tmp_path: Path, promtool: str) -> None:
    """Convert `source` to native specs, generate, and prove with promtool that every paging SLO pages."""
    catalog, _ = load_catalog([str(source)])
    converted = tmp_path / "specs"
    converted.mkdir()
    for file, text in convert.files(catalog).items():
        (converted / file).write_text(text, "utf-8")
    rules, _ = compile_files(sorted(converted.glob("*.yml")))
    rule_files = []
    for file, text in rules.items():
        (tmp_path / Path(file).name).write_text(text, "utf-8")
        rule_files.append(Path(file).name)
    pages = [slo for slo in catalog.slos if slo.alerting.active_pairs("page")]
    assert pages, "every example listed here pages"
    test = {
        "rule_files": rule_files,
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": series,
            "promql_expr_test": [{
                "expr": 'count by (alertname, slo_service, slo_name) (ALERTS{alertstate="firing", '
                        'slo_severity="page"})',
                "eval_time": "30m",
                "exp_samples": [{"labels": f'{{alertname="{slo.alerting.name}", slo_service="{slo.service}", '
                                           f'slo_name="{slo.name}"}}', "value": 1} for slo in pages],
            }],
        }],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test, sort_keys=False), "utf-8")
    result = subprocess.run([promtool, "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
