"""`make test` in a bare clone (no ../shared beside it): the tests that need the shared
fixtures are left out with one line saying what is missing and how to get it; in CI the
run fails with that line instead."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def _pytest(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--co",
                           "tests/importers", "tests/dashboards"], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False, env={**clean, **env})


def test_missing_fixtures_are_one_line_not_a_traceback() -> None:
    result = _pytest({"SLOFORGE_FIXTURES": "/nonexistent/fixtures"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if "shared fixtures not found" in line]
    assert len(lines) == 1, result.stdout
    assert lines[0].startswith("shared fixtures not found at /nonexistent/fixtures: not run: ")
    assert "set SLOFORGE_FIXTURES" in lines[0] and "github.com/slok/sloth" in lines[0]
    assert "test_importers_golden.py" not in result.stdout.replace(lines[0], "")  # not collected
    ci = _pytest({"SLOFORGE_FIXTURES": "/nonexistent/fixtures", "CI": "1"})
    assert ci.returncode == 1
    assert "shared fixtures not found at /nonexistent/fixtures: required in CI" in ci.stdout + ci.stderr
