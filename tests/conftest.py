"""Shared fixtures: repo paths, the real CLI, real promtool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = SHARED / "fixtures"
SPECS = REPO / "specs"


def copy_specs(root: Path, base: bool = True) -> Path:
    """A copy of the example specs (and the Alertmanager base config their routing spec
    names, under root/config) that a test may edit. base=False drops the base from the
    routing spec, for a standalone Alertmanager config."""
    target = root / "specs"
    shutil.copytree(SPECS, target)
    shutil.copytree(REPO / "config", root / "config")
    if not base:
        routing = target / "routing.yml"
        routing.write_text("".join(line for line in routing.read_text().splitlines(keepends=True)
                                   if not line.startswith("alertmanager_base:")))
    return target


def require_tool(name: str) -> str:
    """Path of a real tool. In CI a missing tool fails the test instead of skipping it."""
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI (make test installs it)")
    pytest.skip(f"{name} not installed (make test installs it)")


@pytest.fixture
def promtool() -> str:
    return require_tool("promtool")


@pytest.fixture
def amtool() -> str:
    return require_tool("amtool")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `sloforge` as a user would, in a fresh process."""
    return subprocess.run([sys.executable, "-m", "sloforge", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=600, check=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*/expected from the current generator")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `slow` run only when asked (`pytest -m slow`): the default run, which CI
    makes, stays under a few minutes on two cores."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="long run: pytest -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)
