"""Shipped promtool unit tests: generated for every SLO, passing on the real rules,
failing when the rules are wrong, and `sloforge check` reporting per file."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import SPECS, built_once, run_cli
from tests.workflow.conftest import write_spec

VARIANTS = {
    # service name -> SLO body (indented under `slos:`), one corner of the model each
    "ratio28d": """\
  - name: freshness
    objective: 95
    window: 28d
    sli:
      ratio: 1 - avg(avg_over_time(fresh{job="x"}[{{ window }}]))
""",
    "custom": """\
  - name: api
    objective: 99.5
    window: 7d
    sli:
      probe: {query: 'min by (instance) (probe_success{job="bb"})'}
    alerting:
      windows:
        - {severity: page, long: 30m, short: 5m, factor: 20}
        - {severity: ticket, long: 12h, budget: 20%}
      page: {for: 30s, labels: {severity: sev1}}
      ticket: {for: 90s}
      absent: 7m
      budget: [{consumed: 20%, severity: ticket, for: 1m}, {consumed: 5000%, severity: page}]
""",
    "pageonly": """\
  - name: checkout
    objective: 99
    sli:
      latency: {metric: http_request_duration_seconds, threshold: 1s}
    alerting:
      ticket: {disable: true}
      min_events: 5000
""",
    "quiet": """\
  - name: batch
    objective: 90
    sli:
      events:
        errors: sum(rate(jobs_failed_total[{{ window }}])) or vector(0)
        total: sum(rate(jobs_total[{{ window }}]))
    alerting: {disable: true}
""",
}


def _variant(name: str, body: str) -> str:
    return f"apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: {name}\nslos:\n{body}"


def _generate(root: Path) -> None:
    specs = root / "specs"
    for name, body in VARIANTS.items():
        write_spec(specs, f"{name}.yml", _variant(name, body))
    for target, source in (("prometheus", SPECS), ("kubernetes", SPECS), ("variants", specs)):
        args = ["generate", str(source), "--out", str(root / target)]
        if target == "kubernetes":
            args += ["--target", "kubernetes", "--namespace", "monitoring"]
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Generated once for every worker; a test that edits an output copies it first."""
    root = built_once(tmp_path_factory, "unit-tests", _generate)
    return {target: root / target for target in ("prometheus", "kubernetes", "variants")}


@pytest.mark.parametrize("target", ["prometheus", "kubernetes", "variants"])
def test_shipped_tests_pass_against_the_shipped_rules(generated: dict[str, Path], target: str,
                                                      promtool: str) -> None:
    result = run_cli("check", str(generated[target]))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("all ") and lines[-1].endswith(" files passed")
    assert all(": ok: " in line for line in lines[:-1])
    assert any("promtool test rules" in line for line in lines)


def _tests_by_slo(out: Path, pattern: str) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for path in sorted(out.glob(pattern)):
        for test in yaml.safe_load(path.read_text())["tests"]:
            slo, _, what = test["name"].partition(": ")
            names.setdefault(slo, []).append(what)
    return names


def test_every_example_slo_proves_outage_slow_burn_and_healthy(generated: dict[str, Path]) -> None:
    names = _tests_by_slo(generated["prometheus"], "prometheus/tests/*.test.yml")
    # the example journey (specs/buy.yml) has tests of its own (compile/rules/journey_tests.py)
    assert names.pop("journey buy") == ["outage of the first step", "every step burning slowly",
                                        "every step healthy", "outage, before for:"]
    assert sorted(names) == ["checkout/availability", "checkout/latency", "checkout/uptime",
                             "search/availability", "search/freshness"]
    for slo, whats in names.items():
        assert whats[0] == "full outage pages", slo
        assert any(w.startswith("slow burn at ") and w.endswith("tickets and does not page") for w in whats)
        assert any(w.startswith("healthy service at ") for w in whats), slo
    assert any("stays quiet" in w for w in names["checkout/uptime"])  # min_events guard
    assert any("no-data alert" in w for w in names["search/availability"])  # absent


def test_variants_cover_their_corners(generated: dict[str, Path]) -> None:
    names = _tests_by_slo(generated["variants"], "prometheus/tests/*.test.yml")
    assert names["pageonly/checkout"][0] == "full outage pages"
    assert not any("slow burn" in w for w in names["pageonly/checkout"])  # no ticket tier to prove
    assert names["quiet/batch"] == [w for w in names["quiet/batch"] if w.startswith("healthy")]
    assert any("no-data" in w for w in names["custom/api"])
    kube = yaml.safe_load((generated["kubernetes"] / "kubernetes-tests/checkout.test.yml").read_text())
    assert kube["rule_files"] == ["checkout.rules.yml"]


@pytest.mark.parametrize(("old", "new"), [
    pytest.param("for: 2m", "for: 20m", id="page waits too long"),
    pytest.param("(1 * 0.001)", "(3 * 0.001)", id="3d ticket threshold too high"),
    pytest.param("error budget burning fast", "error budget burning", id="annotation changed"),
])
def test_check_fails_when_the_rules_do_not_do_what_the_tests_prove(
        generated: dict[str, Path], tmp_path: Path, old: str, new: str, promtool: str) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(generated["prometheus"], out)
    rules = out / "prometheus" / "checkout.yml"
    assert old in rules.read_text()
    rules.write_text(rules.read_text().replace(old, new))
    result = run_cli("check", str(out))
    assert result.returncode == 1
    assert f"{(out / 'prometheus/tests/checkout.test.yml').as_posix()}: FAILED: promtool test rules" \
        in result.stdout
    assert f"{(out / 'prometheus/tests/search.test.yml').as_posix()}: ok: promtool test rules" in result.stdout
    assert re.search(r"^1 of [0-9]+ files failed their checks$", result.stderr, re.M)


def test_check_runs_amtool_on_alertmanager_output(generated: dict[str, Path], tmp_path: Path,
                                                  amtool: str) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(generated["prometheus"], out)
    config = out / "alertmanager" / "alertmanager.yml"
    config.parent.mkdir(exist_ok=True)
    config.write_text("route:\n  receiver: team\nreceivers:\n- name: team\n")
    good = run_cli("check", str(out))
    assert good.returncode == 0, good.stdout
    assert f"{config.as_posix()}: ok: amtool check-config (1 receivers)" in good.stdout
    config.write_text("route:\n  receiver: nobody\nreceivers:\n- name: team\n")
    bad = run_cli("check", str(out))
    assert bad.returncode == 1
    assert f"{config.as_posix()}: FAILED: amtool check-config" in bad.stdout
    assert 'undefined receiver "nobody" used in route' in bad.stdout


def test_check_says_how_to_install_missing_tools(generated: dict[str, Path]) -> None:
    import subprocess

    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python, no promtool
    result = subprocess.run([sys.executable, "-m", "sloforge", "check", str(generated["prometheus"])],
                            capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 1
    assert "promtool not found: install Debian's 'prometheus' package (apt-get install prometheus)" \
        in result.stderr
    assert "Traceback" not in result.stderr


def test_check_on_an_empty_directory_says_what_to_do(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 1
    assert "nothing to check" in result.stderr and "sloforge generate" in result.stderr
