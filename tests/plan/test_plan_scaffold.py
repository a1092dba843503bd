"""The scaffold's plan step, run as its CI workflow runs it: `make -s plan BASE=...` in a
scaffolded repository with two commits, and the workflow posts exactly that output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_tool, run_cli

GIT = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@example.com"}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT})


def test_make_plan_prints_the_markdown_the_workflow_posts(tmp_path: Path) -> None:
    require_tool("amtool")
    if not shutil.which("make") or not shutil.which("git"):
        pytest.fail("make and git are required")
    repo = tmp_path / "svc"
    assert run_cli("init", str(repo)).returncode == 0
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "before")
    spec = repo / "specs" / "example.yml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 99.5", 1))
    _git(repo, "commit", "-q", "-am", "lower the objective")
    sloforge = Path(sys.executable).parent / "sloforge"  # this checkout's, instead of the pinned install
    done = subprocess.run(["make", "-s", "plan", "BASE=HEAD~1", f"SLOFORGE={sloforge}"], cwd=repo,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("### sloforge plan\n")
    assert "objective 99.9% -> 99.5%" in done.stdout
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "slo.yml").read_text())
    plan = workflow["jobs"]["plan"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    runs = [step.get("run", "") for step in plan["steps"]]
    assert any(r.startswith("make -s plan BASE=") and r.endswith("> plan.md") for r in runs)
    assert any("gh pr comment" in r and "--body-file plan.md" in r for r in runs)
