"""The three ways sloforge is used, end to end: a scaffolded repo's own commands
(`make rules`, `make check`, its pre-commit hooks on real commits), and this repo as a
pre-commit hook source (`pre-commit try-repo`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, run_cli

BIN = Path(sys.executable).parent


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})})


def _git_repo(path: Path) -> None:
    _run(["git", "init", "-q", "-b", "main"], path)
    _run(["git", "config", "user.email", "sre@example.com"], path)
    _run(["git", "config", "user.name", "SRE"], path)
    _run(["git", "config", "commit.gpgsign", "false"], path)


def test_init_scaffolds_a_repo_whose_own_commands_work(tmp_path: Path, promtool: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if not shutil.which("make"):
        pytest.skip("make not installed")
    # The scaffold's Makefile (which the hooks run too) installs its pinned sloforge from the
    # published repository; here it uses this checkout's (tests/core/test_install.py proves the
    # install itself, from a wheel).
    monkeypatch.setenv("SLOFORGE", str(BIN / "sloforge"))
    repo = tmp_path / "payments-slos"
    result = run_cli("init", str(repo))
    assert result.returncode == 0, result.stderr
    for name in ("specs/example.yml", "specs/routing.yml", "config/alertmanager-base.yml", "Makefile",
                 ".pre-commit-config.yaml", ".github/workflows/slo.yml"):
        assert (repo / name).is_file(), name
        assert f"created {(repo / name).as_posix()}" in result.stdout

    sloforge = f"SLOFORGE={BIN / 'sloforge'}"
    assert _run(["make", "check", sloforge], repo).returncode != 0  # out/ not generated yet
    rules = _run(["make", "rules", sloforge], repo)
    assert rules.returncode == 0, rules.stderr
    check = _run(["make", "check", sloforge], repo)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "out/prometheus/tests/example.test.yml: ok: promtool test rules" in check.stdout
    assert "out/alertmanager/alertmanager.yml: ok: amtool check-config" in check.stdout  # routing spec

    # pre-commit, installed as a git hook: a bad spec is refused, a good one committed.
    _git_repo(repo)
    assert _run(["pre-commit", "install"], repo).returncode == 0
    _run(["git", "add", "-A"], repo)
    first = _run(["git", "commit", "-qm", "SLOs for payments"], repo)
    assert first.returncode == 0, first.stdout + first.stderr
    spec = repo / "specs" / "example.yml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 100.5"))
    _run(["git", "add", "-A"], repo)
    refused = _run(["git", "commit", "-qm", "tighten availability"], repo)
    assert refused.returncode != 0
    assert "specs/example.yml:13: slos[0].objective: 100.5 must be below 100" in refused.stdout + refused.stderr
    spec.write_text(spec.read_text().replace("objective: 100.5", "objective: 99.95"))
    _run(["git", "add", "-A"], repo)
    stale = _run(["git", "commit", "-qm", "tighten availability"], repo)
    assert stale.returncode != 0  # out/ was not regenerated
    assert "out/prometheus/example.yml: out of date" in stale.stdout + stale.stderr
    assert _run(["make", "rules", sloforge], repo).returncode == 0
    _run(["git", "add", "-A"], repo)
    accepted = _run(["git", "commit", "-qm", "tighten availability"], repo)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    # The CI workflow is well-formed and runs the same `make check` after `make version` (the
    # pinned sloforge, its version checked); publishing only from main, and only once configured.
    workflow = yaml.safe_load((repo / ".github/workflows/slo.yml").read_text())
    steps = [step.get("run") for step in workflow["jobs"]["check"]["steps"]]
    assert steps.index("make version") < steps.index("make check")
    assert not any("pip install" in (run or "") for run in steps)  # the Makefile installs it
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "check" and "refs/heads/main" in publish["if"]
    first, *rest = publish["steps"]
    assert first["id"] == "configured" and "::notice::publish skipped" in first["run"]
    assert all(step["if"] == "steps.configured.outputs.ready == 'true'" for step in rest)
    # the one configuration check, run as GitHub would: unset -> one line and success; set -> ready
    script = first["run"]
    output = tmp_path / "github-output"
    skipped = _run(["bash", "-e", "-c", script], repo, {"REPO": "", "TOKEN": "", "GITHUB_OUTPUT": str(output)})
    assert skipped.returncode == 0 and skipped.stdout.count("\n") == 1, skipped.stdout
    assert not output.exists() or "ready=true" not in output.read_text()
    ready = _run(["bash", "-e", "-c", script], repo, {"REPO": "org/monitoring", "TOKEN": "t",
                                                      "GITHUB_OUTPUT": str(output)})
    assert ready.returncode == 0 and output.read_text() == "ready=true\n"


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("all:\n\techo mine\n")
    result = run_cli("init", str(tmp_path))
    assert result.returncode == 0
    assert f"kept {(tmp_path / 'Makefile').as_posix()} (exists; not overwritten)" in result.stdout
    assert (tmp_path / "Makefile").read_text() == "all:\n\techo mine\n"


def test_this_repo_works_as_a_pre_commit_hook_source(tmp_path: Path) -> None:
    """`pre-commit try-repo` installs sloforge from this repo into its own virtualenv (as a
    user's pre-commit would from the published repo) and runs both hooks."""
    if not (REPO / ".git").exists():
        pytest.skip("the hook source must be a git checkout")
    repo = tmp_path / "svc"
    (repo / "specs").mkdir(parents=True)
    shutil.copy(REPO / "specs" / "search.yml", repo / "specs" / "search.yml")
    assert run_cli("generate", "specs", "--out", "out", cwd=repo).returncode == 0
    _git_repo(repo)
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    spec = repo / "specs" / "search.yml"
    spec.write_text(spec.read_text().replace("objective: 95", "objective: 95\n    objectve: 96"))
    _run(["git", "add", "-A"], repo)
    bad = _run(["pre-commit", "try-repo", str(REPO)], repo, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "sloforge validate" in bad.stdout and "Failed" in bad.stdout
    assert "specs/search.yml:24: slos[1].objectve: unknown field; did you mean 'objective'?" in bad.stdout
    spec.write_text(spec.read_text().replace("\n    objectve: 96", ""))
    _run(["git", "add", "-A"], repo)
    good = _run(["pre-commit", "try-repo", str(REPO)], repo, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "sloforge validate" in good.stdout and "sloforge generate --check" in good.stdout
