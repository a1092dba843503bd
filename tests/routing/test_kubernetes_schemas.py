"""Every `--target kubernetes` object validates against the Prometheus Operator's CRD schemas.

The schemas ship in generator/sloforge/check/crds/ (see NOTICE there: source package,
operator version, licence, and how they are tightened); `sloforge check` uses them too.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from sloforge.check.kubernetes import SCHEMAS, object_problems, size_note
from sloforge.outputs.base import OutputFile, Settings
from sloforge.packaging.kubernetes import size_notes
from sloforge.pipeline import Options, build, load_catalog

from tests.conftest import FIXTURES, SPECS, copy_specs, run_cli

SLOTH = FIXTURES / "sloth"

# Every integration and time-interval field sloforge writes, for the AlertmanagerConfig schema.
ROUTING = """\
apiVersion: sloforge/v1
kind: Routing
defaults: {group_wait: 30s, group_interval: 5m, repeat_interval: 4h, page: {repeat_interval: 1h}}
time_intervals:
  quiet:
    - weekdays: ["saturday", "sunday"]
      times: [{start_time: "00:00", end_time: "24:00"}]
      days_of_month: ["1:7", "-1"]
      months: ["january:march", "12"]
      years: ["2026:2030"]
teams:
  TEAM:
    page:
      pagerduty: {routing_key_file: /etc/alertmanager/secrets/pd/routing-key, severity: critical}
      opsgenie: {api_key_file: /etc/alertmanager/secrets/og/api-key, priority: P1,
                 responders: [{type: team, name: ops}]}
      mute_time_intervals: [quiet]
    ticket:
      slack: {api_url_file: /etc/alertmanager/secrets/slack/url, channel: "#ops",
              title: "{{ .CommonLabels.alertname }}", send_resolved: true}
      email: {to: ops@example.com, from: am@example.com, smarthost: "smtp.example.com:587",
              auth_username: am, auth_password_file: /etc/alertmanager/secrets/smtp/password}
      webhook: {url: "https://tickets.example.com/hook", credentials_file: /etc/alertmanager/secrets/t/token}
      active_time_intervals: [quiet]
    overrides:
      - matchers: ['slo_name=~"avail.*"']
        page: {webhook: {url: "https://oncall.example.com/hook"}}
"""


def _objects(paths: list[Path], tmp: Path) -> list[dict[str, Any]]:
    catalog, _ = load_catalog([str(p) for p in paths])
    options = Options(paths=[str(p) for p in paths], out=tmp, target="kubernetes",
                      settings=Settings("monitoring", {"release": "kube-prometheus-stack"}))
    files = build(catalog, options)
    return [yaml.safe_load(f.content) for f in files if f.path.startswith("kubernetes/")]


def _sloth_with_routing(tmp_path: Path) -> list[Path]:
    """Another organisation's specs (Sloth's examples), owned by teams of a routing spec."""
    out = []
    for name, team in (("getting-started.yml", "platform_team"), ("kubernetes-apiserver.yml", "platform_team"),
                       ("home-wifi.yml", "home")):
        path = tmp_path / name
        data = list(yaml.safe_load_all((SLOTH / name).read_text()))
        for document in data:
            document.setdefault("labels", {})["owner"] = team
        path.write_text(yaml.safe_dump_all(data))
        out.append(path)
    routing = yaml.safe_load(ROUTING.replace("TEAM", "platform_team"))
    routing["teams"]["home"] = copy.deepcopy(routing["teams"]["platform_team"])
    (tmp_path / "routing.yml").write_text(yaml.safe_dump(routing))
    return [*out, tmp_path / "routing.yml"]


@pytest.mark.parametrize("case", ["specs", "sloth"])
def test_every_generated_object_is_valid(case: str, tmp_path: Path) -> None:
    if case == "specs":
        paths = [copy_specs(tmp_path, base=False)]
    else:
        paths = _sloth_with_routing(tmp_path)
    objects = _objects(paths, tmp_path / "out")
    kinds = sorted({o["kind"] for o in objects})
    assert kinds == ["AlertmanagerConfig", "ConfigMap", "PrometheusRule"], kinds
    problems = {f"{o['kind']}/{o['metadata']['name']}": object_problems(o) for o in objects}
    assert all(not p for p in problems.values()), {k: v for k, v in problems.items() if v}


def test_sloth_objects_use_the_owner_label(tmp_path: Path) -> None:
    """The Sloth case really routes (else its AlertmanagerConfig would be trivially valid)."""
    objects = _objects(_sloth_with_routing(tmp_path), tmp_path / "out")
    configs = {o["metadata"]["name"]: o for o in objects if o["kind"] == "AlertmanagerConfig"}
    assert set(configs) == {"sloforge-home", "sloforge-platform-team"}
    receivers = configs["sloforge-platform-team"]["spec"]["receivers"]
    assert {k for r in receivers for k in r} >= {"pagerdutyConfigs", "opsgenieConfigs", "slackConfigs",
                                                  "emailConfigs", "webhookConfigs"}
    assert configs["sloforge-home"]["spec"]["muteTimeIntervals"][0]["timeIntervals"][0]["years"] == ["2026:2030"]


def _config(tmp_path: Path) -> dict[str, Any]:
    objects = _objects([SPECS / "checkout.yml", SPECS / "search.yml", SPECS / "routing.yml"], tmp_path)
    return next(o for o in objects if o["kind"] == "AlertmanagerConfig")


def _rule(tmp_path: Path) -> dict[str, Any]:
    objects = _objects([SPECS / "search.yml"], tmp_path)
    return next(o for o in objects if o["kind"] == "PrometheusRule")


def _set(obj: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        obj = obj[part]
    if value is _DELETE:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value


_DELETE = object()


@pytest.mark.parametrize(("which", "path", "value", "message"), [
    pytest.param("config", ("spec", "route", "groupwait"), "30s", "'groupwait' was unexpected",
                 id="unknown route key (additionalProperties: false)"),
    pytest.param("config", ("spec", "route", "routes", 0, "recevier"), "x", "'recevier' was unexpected",
                 id="unknown key in a child route (decoded strictly by the operator)"),
    pytest.param("config", ("spec", "route", "matchers", 0, "matchType"), "==", "is not one of",
                 id="bad matchType"),
    pytest.param("config", ("spec", "route", "groupWait"), None, "None is not of type 'string'",
                 id="null is not allowed (no field is nullable)"),
    pytest.param("config", ("spec", "muteTimeIntervals"), [{"name": "x", "timeIntervals": [{"years": ["1999"]}]}],
                 "does not match", id="year outside the CRD pattern"),
    pytest.param("config", ("spec", "muteTimeIntervals"),
                 [{"name": "x", "timeIntervals": [{"weekdays": ["Funday"]}]}], "does not match",
                 id="weekday outside the CRD pattern"),
    pytest.param("config", ("spec", "receivers", 0, "name"), _DELETE, "'name' is a required property",
                 id="receiver without a name"),
    pytest.param("rule", ("spec", "groups", 0, "interval"), "1 minute", "does not match", id="bad interval"),
    pytest.param("rule", ("spec", "groups", 0, "rules", 0, "labels", "tier"), 2, "2 is not of type 'string'",
                 id="a label that is not a string"),
    pytest.param("rule", ("spec", "groups", 0, "rules", 0, "exprs"), "x", "'exprs' was unexpected",
                 id="unknown rule key"),
    pytest.param("rule", ("metadata", "name"), "sloforge-ledger_sync", "is not a valid object name",
                 id="object name with _"),
    pytest.param("rule", ("metadata", "namespace"), "Monitoring_NS", "is not a valid namespace name",
                 id="bad namespace"),
    pytest.param("rule", ("metadata", "labels", "release"), "r" * 64, "at most 63", id="label value too long"),
])
def test_the_schemas_tell_right_from_wrong(tmp_path: Path, which: str, path: tuple[Any, ...], value: Any,
                                           message: str) -> None:
    obj = _config(tmp_path) if which == "config" else _rule(tmp_path)
    assert object_problems(obj) == []
    _set(obj, path, value)
    problems = object_problems(obj)
    assert any(message in p for p in problems), problems


def test_int_or_string_and_case_insensitive_patterns_are_read_as_kubernetes_does(tmp_path: Path) -> None:
    rule = _rule(tmp_path)
    rule["spec"]["groups"][0]["rules"][0]["expr"] = 1  # x-kubernetes-int-or-string
    rule["spec"]["groups"][0]["partial_response_strategy"] = "WARN"  # pattern ^(?i)(abort|warn)?$
    assert object_problems(rule) == []
    assert set(SCHEMAS.values()) == {"prometheusrule-v1.json", "alertmanagerconfig-v1alpha1.json"}


def test_sloforge_check_validates_kubernetes_objects(tmp_path: Path) -> None:
    specs = copy_specs(tmp_path)
    out = tmp_path / "out"
    result = run_cli("generate", str(specs), "--out", str(out), "--target", "kubernetes", "--namespace", "monitoring")
    assert result.returncode == 0, result.stderr
    result = run_cli("check", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (f"{out}/kubernetes/alertmanagerconfig-payments.yml: ok: kubernetes object (AlertmanagerConfig "
            "sloforge-payments against the operator's CRD schema)") in result.stdout
    path = out / "kubernetes" / "alertmanagerconfig-payments.yml"
    path.write_text(path.read_text().replace("groupWait: 30s", "groupWiat: 30s"))
    dashboard = out / "kubernetes" / "grafana-dashboard-slo-search.yml"
    obj = yaml.safe_load(dashboard.read_text())
    obj["data"]["padding.txt"] = "x" * (300 * 1024)
    dashboard.write_text(yaml.safe_dump(obj))
    result = run_cli("check", str(out))
    assert result.returncode == 1
    assert f"{path}: FAILED: kubernetes object\n    spec.route: Additional properties are not allowed " \
        "('groupWiat' was unexpected)" in result.stdout
    assert f"note: {dashboard} is " in result.stderr
    assert "KiB, over the 256 KiB a client-side `kubectl apply`" in result.stderr
    assert "1 of " in result.stderr


def test_objects_over_256_kib_get_a_note() -> None:
    small = OutputFile("kubernetes/prometheusrule-a.yml", "x" * (256 * 1024))
    big = OutputFile("kubernetes/prometheusrule-b.yml", "x" * (256 * 1024 + 1))
    plain = OutputFile("prometheus/b.yml", "x" * (512 * 1024))
    notes = size_notes([small, big, plain])
    assert len(notes) == 1 and notes[0].startswith("kubernetes/prometheusrule-b.yml is 256 KiB, over the 256 KiB")
    assert "--server-side" in notes[0]
    assert size_note("a.yml", "x" * 10) is None


def test_generate_notes_an_object_over_256_kib(tmp_path: Path) -> None:
    slos = "".join(f"""\
  - name: availability-{i}
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{{job="big",code=~"5..",shard="{i}"}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{job="big",shard="{i}"}}[{{{{ window }}}}]))
""" for i in range(12))
    (tmp_path / "big.yml").write_text(f"apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: big\nslos:\n{slos}")
    result = run_cli("generate", str(tmp_path / "big.yml"), "--out", str(tmp_path / "out"), "--target", "kubernetes",
                     "--no-promtool")
    assert result.returncode == 0, result.stderr
    size = (tmp_path / "out/kubernetes/grafana-dashboard-slo-big.yml").stat().st_size
    assert size > 256 * 1024
    assert (f"note: kubernetes/grafana-dashboard-slo-big.yml is {size // 1024} KiB, over the 256 KiB a client-side "
            "`kubectl apply`") in result.stderr
    assert "prometheusrule-big.yml is" not in result.stderr  # under the limit: no note
    assert (tmp_path / "out/kubernetes/prometheusrule-big.yml").stat().st_size < 256 * 1024
