"""Fixtures for the routing tests: a spec folder of one's own, the real alertmanager binary."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, SPECS, require_tool

BASE = REPO / "config" / "alertmanager-base.yml"


@pytest.fixture
def alertmanager_bin() -> str:
    """Debian names the server prometheus-alertmanager; upstream tarballs name it alertmanager."""
    for name in ("alertmanager", "prometheus-alertmanager"):
        if shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    return require_tool("prometheus-alertmanager")


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    """A copy of the example specs (services + routing) that a test may edit."""
    target = tmp_path / "specs"
    shutil.copytree(SPECS, target)
    return target


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), "utf-8")

    return replace
