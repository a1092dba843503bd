"""`--target kubernetes`: names, metadata and routing values the API server and the operator accept.

Each bad input is refused before anything is written: flags with a usage error (exit 2),
specs with a located error (exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli

Edit = Callable[[Path, str, str], None]
K8S = ("--target", "kubernetes")
NS = ("--namespace", "monitoring")

LEDGER = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: {name}
owner: payments
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{{job="ledger",code=~"5.."}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{job="ledger"}}[{{{{ window }}}}]))
"""


def _generate(spec_dir: Path, out: Path, *args: str) -> tuple[int, str]:
    result = run_cli("generate", str(spec_dir), "--out", str(out), "--no-promtool", *args)
    return result.returncode, result.stderr


# -- 1. the namespace label the operator matches


def test_alerts_carry_the_namespace_of_the_objects(spec_dir: Path, tmp_path: Path) -> None:
    code, err = _generate(spec_dir, tmp_path / "out", *K8S, "--namespace", "slo-alerts")
    assert code == 0, err
    rule = yaml.safe_load((tmp_path / "out/kubernetes/prometheusrule-checkout.yml").read_text())
    alerts = [r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
    records = [r for g in rule["spec"]["groups"] for r in g["rules"] if "record" in r]
    assert alerts and all(a["labels"]["namespace"] == "slo-alerts" for a in alerts)
    assert not any("namespace" in r["labels"] for r in records)  # recorded series are not touched
    # the promtool tests expect the label too, and the plain target has none
    assert "namespace: slo-alerts" in (tmp_path / "out/kubernetes-tests/checkout.test.yml").read_text()
    code, err = _generate(spec_dir, tmp_path / "plain")
    assert code == 0, err
    assert "namespace" not in (tmp_path / "plain/prometheus/checkout.yml").read_text()


def test_routing_without_namespace_is_a_usage_error(spec_dir: Path, tmp_path: Path) -> None:
    code, err = _generate(spec_dir, tmp_path / "out", *K8S)
    assert code == 2
    assert "error: --target kubernetes with a routing spec needs --namespace" in err
    assert not (tmp_path / "out").exists()
    (spec_dir / "routing.yml").unlink()  # without routing there is nothing to match: allowed
    (spec_dir / "checkout.yml").write_text((spec_dir / "checkout.yml").read_text().replace("owner: payments\n", ""))
    (spec_dir / "search.yml").write_text((spec_dir / "search.yml").read_text().replace("owner: discovery\n", ""))
    code, err = _generate(spec_dir, tmp_path / "out", *K8S)
    assert code == 0, err


def test_an_slo_grouped_by_namespace_is_refused(spec_dir: Path, tmp_path: Path) -> None:
    (spec_dir / "ledger.yml").write_text(LEDGER.format(name="ledger").replace(
        '        total: sum(rate(http_requests_total{job="ledger"}[{{ window }}]))\n',
        '        total: sum(rate(http_requests_total{job="ledger"}[{{ window }}]))\n'
        "        group_by: [namespace]\n").replace("sum(rate", "sum by (namespace) (rate"))
    code, err = _generate(spec_dir, tmp_path / "out", *K8S, *NS)
    assert code == 1
    assert f"{spec_dir}/ledger.yml: slos[0]: SLO 'availability': its SLI groups by 'namespace', but this " \
        "target sets namespace='monitoring' on every alert" in err
    code, err = _generate(spec_dir, tmp_path / "plain")  # the plain target has no such label
    assert code == 0, err


# -- 3. names


def test_object_names_are_dns_1123(spec_dir: Path, edit: Edit, tmp_path: Path) -> None:
    (spec_dir / "ledger.yml").write_text(LEDGER.format(name="ledger_sync").replace("owner: payments",
                                                                                   "owner: data_platform"))
    edit(spec_dir / "routing.yml", "  discovery:\n", "  data_platform:\n    page: {webhook: {url: "
         "https://tickets.example.com/a}}\n    ticket: {webhook: {url: https://tickets.example.com/b}}\n"
         "  discovery:\n")
    code, err = _generate(spec_dir, tmp_path / "out", *K8S, *NS)
    assert code == 0, err
    names = {}
    for path in sorted((tmp_path / "out/kubernetes").glob("*.yml")):
        obj = yaml.safe_load(path.read_text())
        names[obj["kind"], obj["metadata"]["name"]] = path.name
    assert ("PrometheusRule", "sloforge-ledger-sync") in names
    assert ("AlertmanagerConfig", "sloforge-data-platform") in names
    assert ("ConfigMap", "sloforge-dashboard-slo-ledger-sync") in names
    import re

    assert all(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name) for _, name in names)


def test_two_services_with_one_object_name_are_refused(spec_dir: Path, tmp_path: Path) -> None:
    (spec_dir / "a.yml").write_text(LEDGER.format(name="ledger_sync"))
    (spec_dir / "b.yml").write_text(LEDGER.format(name="ledger-sync"))
    code, err = _generate(spec_dir, tmp_path / "out", *K8S, *NS)
    assert code == 1
    assert f"{spec_dir}/a.yml:4: service: service 'ledger_sync' and 'ledger-sync' both become PrometheusRule " \
        "sloforge-ledger-sync; rename one of them" in err
    assert "both become ConfigMap sloforge-dashboard-slo-ledger-sync" in err
    assert not (tmp_path / "out").exists()
    code, err = _generate(spec_dir, tmp_path / "plain")  # plain files are named per service: no clash
    assert code == 0, err


@pytest.mark.parametrize(("flags", "message"), [
    pytest.param(("--namespace", "Monitoring_NS"), "--namespace 'Monitoring_NS' is not a valid namespace name",
                 id="namespace with capitals and _"),
    pytest.param(("--namespace", "a" * 64), "is not a valid namespace name: at most 63", id="namespace too long"),
    pytest.param(("--label", "release=" + "r" * 64), "the value must be empty or at most 63 characters (64 given)",
                 id="label value too long"),
    pytest.param(("--label", "tier=gold!"), "--label tier=gold!: the value must be", id="label value with !"),
    pytest.param(("--label", "bad key=x"), "the name 'bad key' must be", id="label name with a space"),
    pytest.param(("--label", "Example.com/x=y"), "the prefix 'Example.com' must be a DNS subdomain",
                 id="label prefix with capitals"),
])
def test_bad_metadata_flags_are_usage_errors(spec_dir: Path, tmp_path: Path, flags: tuple[str, ...],
                                             message: str) -> None:
    args = (*K8S, *flags) if flags[0] == "--namespace" else (*K8S, *NS, *flags)
    code, err = _generate(spec_dir, tmp_path / "out", *args)
    assert code == 2, err
    assert message in err
    assert not (tmp_path / "out").exists()


def test_good_metadata_flags_are_written(spec_dir: Path, tmp_path: Path) -> None:
    code, err = _generate(spec_dir, tmp_path / "out", *K8S, "--namespace", "a" * 63, "--label",
                          "app.kubernetes.io/part-of=slo_alerts.v1", "--label", "empty=")
    assert code == 0, err
    obj = yaml.safe_load((tmp_path / "out/kubernetes/prometheusrule-search.yml").read_text())
    assert obj["metadata"]["namespace"] == "a" * 63
    assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "slo_alerts.v1"
    assert obj["metadata"]["labels"]["empty"] == ""


# -- 3. Secret references and values the operator refuses


@pytest.mark.parametrize(("path", "message"), [
    pytest.param("/etc/alertmanager/secrets/Data_Platform_PD/routing-key", "Secret name 'Data_Platform_PD' is not "
                 "a valid Kubernetes name", id="secret name with capitals and _"),
    pytest.param('"/etc/alertmanager/secrets/payments-pagerduty/routing key"', "Secret key 'routing key' is not a "
                 "valid key", id="secret key with a space"),
])
def test_secret_references_must_be_able_to_exist(spec_dir: Path, edit: Edit, tmp_path: Path, path: str,
                                                 message: str) -> None:
    edit(spec_dir / "routing.yml", "/etc/alertmanager/secrets/payments-pagerduty/routing-key", path)
    code, err = _generate(spec_dir, tmp_path / "plain")  # a file path: fine for the plain target
    assert code == 0, err
    code, err = _generate(spec_dir, tmp_path / "out", *K8S, *NS)
    assert code == 1
    assert f"{spec_dir}/routing.yml:23: routing_key_file: " in err and message in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("old", "new", "message"), [
    pytest.param('        channel: "#payments-alerts"\n', '        channel: "#payments-alerts"\n        title: ""\n',
                 'routing.yml:29: teams.payments.ticket.slack.title: an empty title is refused by the Prometheus '
                 'Operator', id="empty Slack title"),
    pytest.param('      times: [{start_time: "08:00", end_time: "17:00"}]\n',
                 '      times: [{start_time: "08:00", end_time: "17:00"}]\n      years: ["1999:2030"]\n',
                 "routing.yml:19: time_intervals.business-hours[0].years[0]: '1999:2030' is not a year from 2000 "
                 "to 2999",
                 id="year before 2000"),
])
def test_values_the_operator_refuses_fail_validation(spec_dir: Path, edit: Edit, old: str, new: str,
                                                     message: str) -> None:
    edit(spec_dir / "routing.yml", old, new)
    result = run_cli("validate", str(spec_dir))
    assert result.returncode == 1
    assert message in result.stderr


def test_two_teams_with_one_object_name_are_refused(spec_dir: Path, edit: Edit, tmp_path: Path) -> None:
    edit(spec_dir / "routing.yml", "  discovery:\n", "  data_platform:\n    page: {webhook: {url: "
         "https://tickets.example.com/a}}\n    ticket: {webhook: {url: https://tickets.example.com/b}}\n"
         "  data-platform:\n    page: {webhook: {url: https://tickets.example.com/c}}\n"
         "    ticket: {webhook: {url: https://tickets.example.com/d}}\n  discovery:\n")
    code, err = _generate(spec_dir, tmp_path / "out", *K8S, *NS)
    assert code == 1
    assert f"{spec_dir}/routing.yml:41: teams.data_platform: team 'data_platform' and 'data-platform' both become " \
        "AlertmanagerConfig sloforge-data-platform; rename one of them" in err
