"""The mistakes a new user makes in the first hour (issue 15) are caught, located, all at once.

tests/examples/invalid holds one file per mistake with its exact message; these tests
vary what matters (the value behind a did-you-mean, the unit in a histogram's name) and
prove with promtool that a millisecond histogram gets the bucket of its threshold.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

SERVICE = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: web
owner: {owner}
slos:
{slos}
"""

EVENTS = """\
  - name: {name}
    objective: {objective}
    sli:
      events:
        errors: sum(rate(http_requests_total{{code=~"5.."}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total[{{{{ window }}}}]))
"""

LATENCY = """\
  - name: {name}
    objective: 99
    sli:
      latency:
        metric: {metric}
        selector: '{{job="web"}}'
        threshold: {threshold}
"""

ROUTING = """\
apiVersion: sloforge/v1
kind: Routing
teams:
  payments:
    page: {webhook: {url: "https://hooks.example.com/page"}}
    ticket: {webhook: {url: "https://hooks.example.com/ticket"}}
"""


def _validate(tmp_path: Path, text: str, *paths: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "svc.yml").write_text(text)
    return run_cli("validate", *(paths or ("svc.yml",)), cwd=tmp_path)


@pytest.mark.parametrize(("objective", "meant"), [("0.999", "99.9"), ("0.95", "95"), ("0.9995", "99.95")])
def test_objective_as_a_fraction_is_an_error_with_the_percentage_meant(
        tmp_path: Path, objective: str, meant: str) -> None:
    slos = EVENTS.format(name="availability", objective=objective)
    result = _validate(tmp_path, SERVICE.format(owner="payments", slos=slos))
    assert result.returncode == 1
    assert (f"svc.yml:7: slos[0].objective: {objective} is a fraction, but objective is a percentage; "
            f"did you mean {meant}?") in result.stderr.splitlines(), result.stderr
    # not the old symptoms: "can never fire" warnings with an error ratio above 100%
    assert "can never fire" not in result.stderr


@pytest.mark.parametrize("objective", ["1", "99.9", "50"])
def test_objectives_in_percent_pass(tmp_path: Path, objective: str) -> None:
    slos = EVENTS.format(name="availability", objective=objective)
    result = _validate(tmp_path, SERVICE.format(owner="payments", slos=slos))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("threshold", "message"), [
    ("250", "250 has no unit; write 250ms or 250s"),
    ("0.3", "0.3 has no unit; write 0.3ms or 0.3s"),
    ("'250'", '"250" is not a latency threshold with a unit (write it like 300ms or 1s)'),
])
def test_latency_threshold_needs_a_unit(tmp_path: Path, threshold: str, message: str) -> None:
    slos = LATENCY.format(name="latency", metric="http_request_duration_seconds", threshold=threshold)
    result = _validate(tmp_path, SERVICE.format(owner="payments", slos=slos))
    assert result.returncode == 1
    assert f"svc.yml:12: slos[0].sli.latency.threshold: {message}" in result.stderr.splitlines(), result.stderr


@pytest.mark.parametrize("suffix", ["_bucket", "_count", "_sum"])
def test_latency_metric_names_the_histogram_not_a_series(tmp_path: Path, suffix: str) -> None:
    slos = LATENCY.format(name="latency", metric=f"rpc_duration_seconds{suffix}", threshold="300ms")
    result = _validate(tmp_path, SERVICE.format(owner="payments", slos=slos))
    assert result.returncode == 1
    assert (f"svc.yml:10: slos[0].sli.latency.metric: 'rpc_duration_seconds{suffix}' names one series of "
            "the histogram; write its base name 'rpc_duration_seconds' (sloforge reads its _bucket and "
            "_count series)") in result.stderr.splitlines(), result.stderr


@pytest.mark.parametrize(("metric", "threshold", "le"), [
    ("http_request_duration_seconds", "250ms", '"0\\\\.25"'),
    ("http_request_duration_milliseconds", "250ms", '"250|250\\\\.0"'),
    ("http_request_duration_ms", "1.5s", '"1500|1500\\\\.0"'),
    ("grpc_latency_microseconds", "2ms", '"2000|2000\\\\.0"'),
    ("queue_wait", "2s", '"2|2\\\\.0"'),  # no unit in the name: seconds, the Prometheus convention
])
def test_the_bucket_bound_is_in_the_metric_s_unit(tmp_path: Path, metric: str, threshold: str, le: str) -> None:
    (tmp_path / "svc.yml").write_text(SERVICE.format(owner="payments", slos=LATENCY.format(
        name="latency", metric=metric, threshold=threshold)))
    result = run_cli("generate", "svc.yml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rules = (tmp_path / "out" / "prometheus" / "web.yml").read_text()
    assert f"{metric}_bucket{{job=\"web\", le=~{le}}}" in rules


def test_a_millisecond_histogram_measures_its_threshold_in_promtool(tmp_path: Path, promtool: str) -> None:
    """90 of 100 requests a second fall in the 250ms bucket of a _milliseconds histogram:
    the SLI's error ratio is 0.1. Reading 250ms as le="0.25" would match no bucket and
    record nothing, so the expectation could not be met."""
    (tmp_path / "svc.yml").write_text(SERVICE.format(owner="payments", slos=LATENCY.format(
        name="latency", metric="rpc_duration_milliseconds", threshold="250ms")))
    result = run_cli("generate", "svc.yml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    series = {'rpc_duration_milliseconds_bucket{job="web", le="100"}': 50,
              'rpc_duration_milliseconds_bucket{job="web", le="250"}': 90,
              'rpc_duration_milliseconds_bucket{job="web", le="+Inf"}': 100,
              'rpc_duration_milliseconds_count{job="web"}': 100}
    inputs = "".join(f"      - series: '{name}'\n        values: '0+{per_second * 60}x30'\n"
                     for name, per_second in series.items())
    (tmp_path / "ms.test.yml").write_text(
        "rule_files: [out/prometheus/web.yml]\n"
        "evaluation_interval: 1m\n"
        "tests:\n"
        "  - interval: 1m\n"
        "    input_series:\n" + inputs +
        "    promql_expr_test:\n"
        "      - expr: round(slo:sli_error:ratio_rate5m{slo_name=\"latency\"}, 0.001)\n"
        "        eval_time: 20m\n"
        "        exp_samples:\n"
        "          - labels: '{slo_name=\"latency\", slo_service=\"web\", slo_window=\"5m\"}'\n"
        "            value: 0.1\n")
    checked = subprocess.run([promtool, "test", "rules", "ms.test.yml"], cwd=tmp_path,
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_stage_reports_in_one_run(tmp_path: Path) -> None:
    """Six mistakes of three stages (schema, PromQL placeholders, the owner against the
    routing spec) and a file that is not YAML: one run names them all."""
    slos = (EVENTS.format(name="availability", objective="0.999").replace("[{{ window }}]))\n        total",
                                                                           "[5m]))\n        total", 1)
            + LATENCY.format(name="latency", metric="http_request_duration_seconds_bucket", threshold="250")
            + EVENTS.format(name="typo", objective="99").replace("objective", "objectve")
            .replace("[{{ window }}]))\n", "[{{ windw }}]))\n", 2))
    (tmp_path / "routing.yml").write_text(ROUTING)
    (tmp_path / "broken.yml").write_text("apiVersion: sloforge/v1\nkind: ServiceLevels\n  bad: [\n")
    result = _validate(tmp_path, SERVICE.format(owner="paymnets", slos=slos), ".")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    expected = [
        "broken.yml:3: YAML syntax error, column 6: mapping values are not allowed in this context",
        "svc.yml:4: owner: team 'paymnets' is not defined in the routing spec routing.yml; did you mean "
        "'payments'? known teams: payments",
        "svc.yml:7: slos[0].objective: 0.999 is a fraction, but objective is a percentage; did you mean 99.9?",
        "svc.yml:10: slos[0].sli.events.errors: query has no {{ window }} placeholder (write e.g. "
        "rate(x[{{ window }}]))",
        "svc.yml:16: slos[1].sli.latency.metric: 'http_request_duration_seconds_bucket' names one series of "
        "the histogram; write its base name 'http_request_duration_seconds' (sloforge reads its _bucket "
        "and _count series)",
        "svc.yml:18: slos[1].sli.latency.threshold: 250 has no unit; write 250ms or 250s",
        "svc.yml:20: slos[2].objectve: unknown field; did you mean 'objective'?",
        "svc.yml:23: slos[2].sli.events.errors: query has no {{ window }} placeholder (write e.g. "
        "rate(x[{{ window }}]))",
    ]
    for line in expected:
        assert line in lines, result.stderr
    assert lines[-1].startswith("10 problems found"), result.stderr


def test_a_walk_skips_dot_files_and_folders_sloforge_owns(tmp_path: Path) -> None:
    """`validate .` in a service repository reads its specs, not its pre-commit config,
    its CI workflow or the generated out/ (a folder holding sloforge's manifest)."""
    spec = SERVICE.format(owner="payments", slos=EVENTS.format(name="availability", objective="99.9"))
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "web.yml").write_text(spec)
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "slo.yml").write_text("on: push\n")
    (tmp_path / "out" / "prometheus").mkdir(parents=True)
    (tmp_path / "out" / "prometheus" / "web.yml").write_text("groups: []\n")
    (tmp_path / "out" / ".sloforge-manifest.json").write_text('{"generator": "sloforge", "files": []}\n')
    result = run_cli("validate", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: 1 service, 1 SLO"), result.stdout
    # a folder named on the command line is read, even sloforge's own
    result = run_cli("validate", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert "out/prometheus/web.yml" in result.stderr
    # without the manifest, out/ is just a folder of YAML files
    (tmp_path / "out" / ".sloforge-manifest.json").unlink()
    result = run_cli("validate", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "out/prometheus/web.yml" in result.stderr
