"""The small things a new user trips on in the first hour (issue 15): exact hints, honest
summaries, `-h`, `explain` that fits the terminal, `convert` that keeps hand edits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_specs, run_cli

SLOTH = """\
version: "prometheus/v1"
service: "web"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{{job="web",code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(http_requests_total{{job="web"}}[{{{{.window}}}}]))
    alerting:
      name: WebAvailability
      page_alert: {{disable: {disable}}}
      ticket_alert: {{disable: true}}
"""


def _env_run(*args: str, cwd: Path, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "sloforge", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_stale_output_hint_is_the_exact_command(tmp_path: Path) -> None:
    specs = copy_specs(tmp_path)
    args = ["generate", "specs", "--out", "rendered", "--no-promtool", "--no-amtool"]
    assert run_cli(*args, cwd=tmp_path).returncode == 0
    (tmp_path / "rendered" / "prometheus" / "checkout.yml").write_text("groups: []\n")
    result = run_cli(*args[:2], "--check", *args[2:], cwd=tmp_path)
    assert result.returncode == 1
    assert ("1 file(s) in rendered differ from the specs: run `sloforge generate specs --out rendered "
            "--no-promtool --no-amtool` and commit the result") in result.stderr.splitlines(), result.stderr
    assert specs.is_dir()


def test_only_commands_that_write_say_nothing_was_written(tmp_path: Path) -> None:
    specs = copy_specs(tmp_path)
    (specs / "checkout.yml").write_text((specs / "checkout.yml").read_text().replace("objective: 99.9",
                                                                                     "objective: 100.5", 1))
    for command in (["validate", "specs"], ["routes", "show", "--specs", "specs"],
                    ["explain", "specs"]):
        result = run_cli(*command, cwd=tmp_path)
        assert result.returncode == 1, (command, result.stderr)
        assert result.stderr.splitlines()[-1] == "1 problem found", (command, result.stderr)
    result = run_cli("generate", "specs", "--out", "out", cwd=tmp_path)
    assert result.stderr.splitlines()[-1] == "1 problem found; nothing was written", result.stderr


@pytest.mark.parametrize("args", [["-h"], ["validate", "-h"], ["routes", "show", "-h"]])
def test_h_is_help(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ") and "-h, --help" in result.stdout
    assert result.stdout == run_cli(*args[:-1], "--help").stdout


def test_explain_fits_a_narrow_terminal_and_uses_the_width_of_a_wide_one() -> None:
    narrow = _env_run("explain", "specs", "--slo", "checkout/availability", cwd=REPO, columns=80)
    assert narrow.returncode == 0, narrow.stderr
    assert max(len(line.rstrip()) for line in narrow.stdout.splitlines()) <= 80, narrow.stdout
    # the eleven-column tier table is turned: one line per column, no header cut to "fac…"
    assert "…" not in narrow.stdout
    assert any(line.startswith("│ full outage: fires") for line in narrow.stdout.splitlines()), narrow.stdout
    wide = _env_run("explain", "specs", "--slo", "checkout/availability", cwd=REPO, columns=200)
    header = next(line for line in wide.stdout.splitlines() if "full outage: fires" in line)
    assert "tier" in header and "resets after" in header  # one header row: the normal layout
    assert max(len(line.rstrip()) for line in wide.stdout.splitlines()) <= 200


def test_explain_json_rounds_floats() -> None:
    result = run_cli("explain", "specs", "--format", "json")
    assert result.returncode == 0, result.stderr
    floats: list[float] = []

    def walk(value: object) -> None:
        if isinstance(value, float):
            floats.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(result.stdout))
    assert floats
    assert all(len(repr(f).lstrip("-").replace(".", "").lstrip("0").rstrip("0")) <= 7 for f in floats), \
        [f for f in floats if len(repr(f)) > 10]
    assert '"threshold": 0.0144' in result.stdout  # 14.4 x 0.001, not 0.014400000000000001


def test_explain_without_slos_says_so(tmp_path: Path) -> None:
    result = run_cli("explain", "specs/routing.yml")
    assert result.returncode == 1
    assert result.stderr.startswith("error: no SLOs in specs/routing.yml"), result.stderr
    assert result.stdout == ""


def test_convert_keeps_hand_edits_and_no_manifest_in_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "web.sloth.yml").write_text(SLOTH.format(disable="false"))
    convert = ["convert", "web.sloth.yml", "--out", "specs"]
    result = run_cli(*convert, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "converted 1 SLO of 1 service into specs: 1 written, 0 unchanged\n"
    # the spec and the schemas its `$schema` line names; no manifest
    assert sorted(p.name for p in (tmp_path / "specs").iterdir()) == [
        "budget-policy.schema.json", "journey.schema.json", "routing.schema.json", "service-levels.schema.json",
        "web.yml"]
    converted = tmp_path / "specs" / "web.yml"
    assert run_cli("validate", "specs", cwd=tmp_path).stdout.startswith("ok: 1 service, 1 SLO")

    # the source changed, the converted file did not: convert may replace it
    (tmp_path / "web.sloth.yml").write_text(SLOTH.format(disable="true"))
    result = run_cli(*convert, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "disable: true" in converted.read_text()

    # edited by hand, as its header invites: kept, unless --force
    edited = converted.read_text().replace("objective: 99.9", "objective: 99.5")
    converted.write_text(edited)
    result = run_cli(*convert, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "specs/web.yml: was edited since sloforge converted it; keep your edits (convert to another "
        "--out) or pass --force to overwrite it", "1 problem found; nothing was written"]
    assert converted.read_text() == edited
    result = run_cli(*convert, "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "objective: 99.9" in converted.read_text()

    # a file of the user's by the same name is never overwritten without --force
    converted.write_text("# mine\n")
    result = run_cli(*convert, cwd=tmp_path)
    assert "specs/web.yml: exists and was not written by sloforge convert" in result.stderr
    assert converted.read_text() == "# mine\n"


def test_convert_removes_the_manifest_earlier_versions_left_among_specs(tmp_path: Path) -> None:
    (tmp_path / "web.sloth.yml").write_text(SLOTH.format(disable="false"))
    (tmp_path / "specs").mkdir()
    old = {"generator": "sloforge", "files": ["web.yml"]}
    (tmp_path / "specs" / ".sloforge-manifest.json").write_text(json.dumps(old))
    assert run_cli("convert", "web.sloth.yml", "--out", "specs", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "specs" / ".sloforge-manifest.json").exists()
    # generate's manifest (files in subfolders) is never touched
    (tmp_path / "out").mkdir()
    generated = {"generator": "sloforge", "files": ["prometheus/web.yml"]}
    (tmp_path / "out" / ".sloforge-manifest.json").write_text(json.dumps(generated))
    assert run_cli("convert", "web.sloth.yml", "--out", "out", cwd=tmp_path).returncode == 0
    assert (tmp_path / "out" / ".sloforge-manifest.json").exists()


def test_convert_writes_latency_thresholds_with_their_unit(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "api.yml").write_text(
        "apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: api\nslos:\n"
        "  - name: latency\n    objective: 99\n    sli:\n      latency:\n"
        "        metric: rpc_duration_milliseconds\n        threshold: 1.5s\n")
    result = run_cli("convert", "src", "--out", "specs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "specs" / "api.yml").read_text()
    assert "threshold: 1500ms" in text
    assert run_cli("validate", "specs", cwd=tmp_path).returncode == 0


def test_the_scaffold_catches_every_alert_and_generate_warns_when_nothing_does(tmp_path: Path) -> None:
    assert run_cli("init", ".", cwd=tmp_path).returncode == 0
    assert (tmp_path / "config" / "alertmanager-base.yml").is_file()
    result = run_cli("generate", "specs", "--out", "out", "--no-promtool", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    merged = (tmp_path / "out" / "alertmanager" / "alertmanager.yml").read_text()
    assert "receiver: default\n" in merged and "api_url_file: /etc/alertmanager/secrets/default-slack" in merged

    # a root receiver that notifies no one: located at the base's route.receiver
    base = tmp_path / "config" / "alertmanager-base.yml"
    text = base.read_text()
    base.write_text(text[: text.index("    slack_configs:")])
    result = run_cli("generate", "specs", "--out", "out", "--no-promtool", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(n for n, t in enumerate(base.read_text().splitlines(), 1) if t.startswith("  receiver:"))
    assert (f"config/alertmanager-base.yml:{line}: route.receiver: warning: the root route's receiver "
            "'default' notifies no one") in result.stderr, result.stderr

    # no base at all: the standalone config's root receiver is empty
    routing = tmp_path / "specs" / "routing.yml"
    routing.write_text("".join(line for line in routing.read_text().splitlines(keepends=True)
                               if not line.startswith("alertmanager_base:")))
    result = run_cli("generate", "specs", "--out", "out", "--no-promtool", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("specs/routing.yml: alertmanager_base: warning: no Alertmanager base config: alerts that match "
            "no sloforge route go to the empty receiver 'sloforge-default' and are dropped") in result.stderr
    # the kubernetes target merges into no base (the operator's Alertmanager has its own root)
    result = run_cli("generate", "specs", "--out", "k8s", "--target", "kubernetes", "--namespace", "monitoring",
                     "--no-promtool", "--no-amtool", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr


def test_validate_dot_in_a_scaffolded_repo_reads_only_its_specs(tmp_path: Path) -> None:
    """Beside the specs: .pre-commit-config.yaml, .github/, the generated out/ and the
    Alertmanager base the routing spec names; none of them is a spec."""
    assert run_cli("init", ".", cwd=tmp_path).returncode == 0
    assert run_cli("generate", "specs", "--out", "out", "--no-promtool", "--no-amtool", cwd=tmp_path).returncode == 0
    result = run_cli("validate", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok: 1 service, 2 SLOs\n" and result.stderr == ""
    # a YAML file that is neither a spec nor the named base is still reported
    (tmp_path / "config" / "other.yml").write_text("global: {}\n")
    result = run_cli("validate", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("config/other.yml:1: "), result.stderr
