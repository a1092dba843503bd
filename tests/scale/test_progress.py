"""The progress bar: only on a terminal, only for long runs, gone when the run ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sloforge.cli.progress import MIN_SERVICES, service_progress

from tests.conftest import copy_specs, run_cli


def test_no_bar_when_not_a_terminal(tmp_path: Path) -> None:
    result = run_cli("generate", str(copy_specs(tmp_path)), "--out", str(tmp_path / "out"), "--no-promtool")
    assert result.returncode == 0, result.stderr
    assert "rendering services" not in result.stderr


def test_bar_on_a_terminal_for_many_services(capfd: pytest.CaptureFixture[str]) -> None:
    with service_progress(enabled=True) as advance:
        assert advance is not None
        for done in range(1, MIN_SERVICES + 1):
            advance(done, MIN_SERVICES)
    assert "rendering services" in capfd.readouterr().err


def test_no_bar_for_few_services(capfd: pytest.CaptureFixture[str]) -> None:
    with service_progress(enabled=True) as advance:
        assert advance is not None
        for done in range(1, 4):
            advance(done, 3)
    assert capfd.readouterr().err == ""


def test_disabled_gives_no_callback() -> None:
    with service_progress(enabled=False) as advance:
        assert advance is None
