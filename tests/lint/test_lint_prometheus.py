"""`sloforge lint` against a real Prometheus holding a day of backfilled data in which
each classic SLI mistake sits next to correct SLOs.

Every mistake must be reported at its spec line with its message, and the correct SLOs
must report nothing: a lint that reports everything, or nothing, fails here.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port, require_tool, run_cli

# One backfilled Prometheus for the module: its tests run on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("lint-prometheus")

MINUTE, HOUR = 60, 3600
HISTORY = 26 * HOUR  # a day of data plus margin, at 1m scrapes
BUCKETS = ("0.1", "0.5", "1", "+Inf")

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: api
labels: {tier: "1"}
slos:
  - name: good
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{job="api",code=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total{job="api"}[{{ window }}]))
  - name: fast
    objective: 99
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{job="api"}'
        threshold: 500ms
  - name: slow-threshold
    objective: 99
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{job="api"}'
        threshold: 250ms
  - name: typo
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_request_total{job="api",code="500"}[{{ window }}]))
        total: sum(rate(http_request_total{job="api"}[{{ window }}]))
  - name: by-region
    objective: 99.9
    sli:
      events:
        errors: sum by (region) (rate(http_requests_total{job="api",code="500"}[{{ window }}]))
        total: sum by (region) (rate(http_requests_total{job="api"}[{{ window }}]))
        group_by: [region]
  - name: status-code
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{job="api",status_code="500"}[{{ window }}]))
        total: sum(rate(http_requests_total{job="api"}[{{ window }}]))
  - name: wrong-value
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{job="api",code="503"}[{{ window }}]))
        total: sum(rate(http_requests_total{job="api"}[{{ window }}]))
  - name: quiet
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{job="quiet",code="500"}[{{ window }}]))
        total: sum(rate(http_requests_total{job="quiet"}[{{ window }}]))
  - name: idle
    objective: 99.9
    sli:
      events:
        errors: sum(rate(idle_requests_total{code="500"}[{{ window }}]))
        total: sum(rate(idle_requests_total[{{ window }}]))
  - name: superset
    objective: 99.9
    sli:
      events:
        errors: sum(rate(retries_total[{{ window }}]))
        total: sum(rate(http_requests_total{job="api"}[{{ window }}]))
  - name: uptime
    objective: 99.5
    sli:
      probe: probe_success{job="blackbox"}
  - name: negative
    objective: 99
    sli:
      ratio: 1 - 3 * sum(rate(retries_total[{{ window }}])) / sum(rate(retries_total[{{ window }}]))
  - name: by-code
    objective: 99.9
    sli:
      events:
        errors: sum by (job) (rate(http_requests_total{code="500"}[{{ window }}]))
        total: sum by (job) (rate(http_requests_total[{{ window }}]))
        group_by: [job]
"""
# The recorded 5m error ratio the deployed rules write: present for the correct SLOs, with
# the spec's labels, except `fast`, whose rules were loaded before tier changed from "2".
RECORDED = {"good": "1", "fast": "2", "uptime": "1", "by-code": "1"}
CORRECT = {"api/good", "api/uptime", "api/by-code"}


@dataclass
class Server:
    url: str
    specs: Path
    at: float


def _counter(name: str, labels: str, per_minute: float, end: int) -> list[str]:
    start = end - HISTORY
    return [f"{name}{{{labels}}} {per_minute * i!r} {start + i * MINUTE}" for i in range(HISTORY // MINUTE + 1)]


def _openmetrics(end: int) -> str:
    lines: list[str] = ["# TYPE http_requests counter"]
    lines += _counter("http_requests_total", 'job="api",code="200"', 600.0, end)
    lines += _counter("http_requests_total", 'job="api",code="500"', 6.0, end)
    lines += _counter("http_requests_total", 'job="quiet",code="200"', 60.0, end)
    lines += ["# TYPE idle_requests counter"] + _counter("idle_requests_total", 'code="200"', 0.0, end)
    lines += ["# TYPE retries counter"] + _counter("retries_total", 'job="api"', 1200.0, end)
    # a histogram whose buckets are 0.1, 0.5, 1: 80% under 0.1s, 95% under 0.5s
    lines.append("# TYPE http_request_duration_seconds histogram")
    for le, share in zip(BUCKETS, (0.8, 0.95, 0.99, 1.0), strict=True):
        lines += _counter("http_request_duration_seconds_bucket", f'job="api",le="{le}"', 606.0 * share, end)
    lines += _counter("http_request_duration_seconds_count", 'job="api"', 606.0, end)
    lines.append("# TYPE probe_success gauge")
    start = end - HISTORY
    lines += [f'probe_success{{job="blackbox"}} 1 {start + i * MINUTE}' for i in range(HISTORY // MINUTE + 1)]
    lines.append("# TYPE slo:sli_error:ratio_rate5m gauge")
    for slo, tier in RECORDED.items():
        labels = f'slo_service="api",slo_name="{slo}",slo_window="5m",tier="{tier}"'
        lines += [f"slo:sli_error:ratio_rate5m{{{labels}}} 0.001 {end - i * MINUTE}" for i in range(120)]
    return "\n".join(lines) + "\n# EOF\n"



@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    promtool, prometheus = require_tool("promtool"), require_tool("prometheus")
    root = tmp_path_factory.mktemp("lint")
    specs = root / "specs"
    specs.mkdir()
    (specs / "api.yml").write_text(SPEC, encoding="utf-8")
    end = int(time.time()) // MINUTE * MINUTE - MINUTE
    (root / "data.om").write_text(_openmetrics(end), encoding="utf-8")
    done = subprocess.run([promtool, "tsdb", "create-blocks-from", "--max-block-duration=240h", "openmetrics",
                           str(root / "data.om"), str(root / "tsdb")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    (root / "prometheus.yml").write_text("global: {evaluation_interval: 1m}\n", encoding="utf-8")
    port = free_port()
    log = (root / "prometheus.log").open("w")
    process = subprocess.Popen([prometheus, f"--config.file={root / 'prometheus.yml'}",
                                f"--storage.tsdb.path={root / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
                                "--storage.tsdb.retention.time=3650d"], stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 40
        while True:
            assert process.poll() is None, (root / "prometheus.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.time() < deadline, "Prometheus did not start"
            time.sleep(0.3)
        yield Server(url, specs, end)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _lint(server: Server, *args: str) -> tuple[int, dict[str, list[dict]], str]:
    done = run_cli("lint", str(server.specs), "--prometheus", server.url, "--at", str(server.at),
                   "--format", "json", *args)
    data = json.loads(done.stdout)
    by_slo: dict[str, list[dict]] = {}
    for finding in data["findings"]:
        by_slo.setdefault(finding["slo"], []).append(finding)
    return done.returncode, by_slo, done.stderr


def _line(text: str, slo: str, field: str) -> int:
    """The spec line of `field` below the SLO named `slo` (counted from 1)."""
    lines = text.splitlines()
    start = lines.index(f"  - name: {slo}")
    return next(i + 1 for i in range(start, len(lines)) if lines[i].strip().startswith(f"{field}:"))


def test_each_mistake_is_reported_at_its_line_and_correct_slos_report_nothing(server: Server) -> None:
    code, found, stderr = _lint(server)
    assert code == 1, stderr
    assert set(found) & CORRECT == set(), {k: found[k] for k in set(found) & CORRECT}

    def only(slo: str) -> dict:
        [finding] = [f for f in found[f"api/{slo}"] if "recorded" not in f["message"]]
        return finding

    threshold = only("slow-threshold")
    assert threshold["severity"] == "error"
    assert threshold["line"] == _line(SPEC, "slow-threshold", "threshold")
    assert threshold["field"] == "slos[2].sli.latency.threshold"
    assert "250ms is not a bucket of http_request_duration_seconds" in threshold["message"]
    assert "buckets near it: 100ms, 500ms" in threshold["message"]

    typo = only("typo")
    assert typo["line"] == _line(SPEC, "typo", "total") and typo["severity"] == "error"
    assert "http_request_total has no series at all" in typo["message"]

    region = only("by-region")
    assert region["line"] == _line(SPEC, "by-region", "group_by")
    assert "group_by region: no series of the total query has this label" in region["message"]

    status = only("status-code")
    assert status["line"] == _line(SPEC, "status-code", "errors") and status["severity"] == "error"
    assert "never has a label status_code" in status["message"] and "code, job" in status["message"]

    value = only("wrong-value")
    assert value["severity"] == "error"
    assert 'no http_requests_total series has code="503" (values of code: 200, 500)' in value["message"]

    quiet = only("quiet")
    assert quiet["severity"] == "warning" and quiet["message"].startswith("no errors yet")

    idle = only("idle")
    assert idle["severity"] == "error" and idle["line"] == _line(SPEC, "idle", "total")
    assert "no traffic in the last 1d" in idle["message"]

    superset = only("superset")
    assert superset["severity"] == "error" and superset["line"] == _line(SPEC, "superset", "errors")
    assert "the error ratio reaches 1.98" in superset["message"] and "above 1" in superset["message"]

    negative = only("negative")
    assert negative["severity"] == "error" and negative["field"] == "slos[11].sli.ratio"
    assert negative["line"] == _line(SPEC, "negative", "ratio")
    assert "the error ratio reaches -2 in the last 1d, below 0" in negative["message"]


def test_rules_not_loaded_or_loaded_with_old_labels_are_warnings(server: Server) -> None:
    _, found, _ = _lint(server)
    fast = [f for f in found["api/fast"] if "recorded" in f["message"]]
    assert [f["severity"] for f in fast] == ["warning"]
    assert 'recorded series carry {tier="2"} where the spec now gives {tier="1"}' in fast[0]["message"]
    assert fast[0]["line"] == SPEC.splitlines().index("  - name: fast") + 1
    missing = [f for f in found["api/typo"] if "recorded" in f["message"]]
    assert missing and missing[0]["message"].startswith("no recorded sloforge series")


def test_text_output_lists_located_lines_and_a_summary(server: Server) -> None:
    done = run_cli("lint", str(server.specs), "--prometheus", server.url, "--at", str(server.at))
    assert done.returncode == 1
    line = _line(SPEC, "slow-threshold", "threshold")
    assert f"api.yml:{line}: slos[2].sli.latency.threshold: 250ms is not a bucket" in done.stdout
    assert "[api/good]" not in done.stdout and "[api/uptime]" not in done.stdout
    assert "errors in" in done.stderr and "of 13 SLOs" in done.stderr
    assert "13 SLOs: 3 ok, 2 with warnings only, 8 failing" in done.stdout


def test_one_slo_without_mistakes_exits_0(server: Server) -> None:
    code, found, stderr = _lint(server, "--slo", "good")
    assert code == 0, stderr
    assert found == {}


def test_more_groups_than_expected_is_a_warning_with_their_share(server: Server) -> None:
    code, found, stderr = _lint(server, "--slo", "by-code", "--max-groups", "1")
    assert code == 0, stderr
    [finding] = found["api/by-code"]
    assert finding["severity"] == "warning" and finding["line"] == _line(SPEC, "by-code", "group_by")
    assert "2 groups (more than --max-groups 1); the 10 largest carry 100% of the events" in finding["message"]


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "api.yml").write_text(SPEC, encoding="utf-8")
    done = run_cli("lint", str(tmp_path), "--prometheus", f"http://127.0.0.1:{free_port()}", "--timeout", "2")
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: cannot reach Prometheus at http://127.0.0.1:")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
