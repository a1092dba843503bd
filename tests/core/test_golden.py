"""Golden files: tests/golden/<case>/{input,args,expected}; `pytest --update-golden` refreshes them.

Also: the committed out/ is exactly what `make rules` generates from specs/, and
generation is deterministic (byte-identical on re-run).
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

GOLDEN = REPO / "tests" / "golden"
MANIFEST = ".sloforge-manifest.json"


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text("utf-8") for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_golden(case: str, tmp_path: Path, update_golden: bool) -> None:
    root = GOLDEN / case
    args = (root / "args").read_text().split() if (root / "args").exists() else []
    out = tmp_path / "out"
    result = run_cli("generate", "input", "--out", str(out), *args, cwd=root)
    assert result.returncode == 0, result.stderr
    if update_golden:
        shutil.rmtree(root / "expected", ignore_errors=True)
        shutil.copytree(out, root / "expected")
    assert _tree(out) == _tree(root / "expected")


def test_committed_out_matches_specs() -> None:
    """`make rules` leaves out/ identical to what is committed."""
    result = run_cli("generate", "specs", "--out", "out", "--check",
                     "--alertmanager-base", "config/alertmanager-base.yml")  # as `make rules`
    assert result.returncode == 0, result.stderr + result.stdout


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert run_cli("generate", "specs", "--out", str(out)).returncode == 0
    comparison = filecmp.dircmp(first, second)
    assert _tree(first) == _tree(second)
    assert not comparison.diff_files
    # and re-running into the same directory rewrites nothing
    result = run_cli("generate", "specs", "--out", str(first))
    assert " 0 written, 0 removed" in result.stdout


def test_every_generated_rule_file_passes_promtool_lint_fatal(promtool: str) -> None:
    import subprocess

    files = sorted(str(p) for p in (REPO / "out" / "prometheus").glob("*.yml"))
    expected = sorted(str(p) for p in GOLDEN.glob("*/expected/prometheus/*.yml"))
    result = subprocess.run([promtool, "check", "rules", "--lint-fatal", *files, *expected],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert files
