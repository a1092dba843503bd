"""Incremental generation: a warm cache gives byte-identical output, and a
changed spec is re-read and re-rendered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_specs, run_cli


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_cached_runs_match_cold_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs = copy_specs(tmp_path)
    monkeypatch.setenv("SLOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    for _ in range(2):
        result = run_cli("generate", str(specs), "--out", str(warm))
        assert result.returncode == 0, result.stderr
    assert any((tmp_path / "cache").rglob("*.pickle"))
    checkout = specs / "checkout.yml"
    checkout.write_text(checkout.read_text().replace("objective: 99.9", "objective: 99.95", 1))
    result = run_cli("generate", str(specs), "--out", str(warm))
    assert result.returncode == 0, result.stderr
    # the service's rule file, its dashboard, its unit tests, its SLO document and the documents' index;
    # and, as checkout/availability is a step of the example journey (specs/buy.yml) whose default
    # objective is the steps' product, the journey's rule file, its unit tests, the overview's journey row
    # and search's document (it lists the journeys search/availability is a step of, with their objective)
    assert "9 written" in result.stdout
    monkeypatch.setenv("SLOFORGE_NO_CACHE", "1")
    assert run_cli("generate", str(specs), "--out", str(cold)).returncode == 0
    assert _tree(warm) == _tree(cold)
    assert "0.9995" in (warm / "prometheus" / "checkout.yml").read_text()


def test_a_changed_dashboard_is_filled_from_cached_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dashboard shapes come from the cache: re-rendering one service's dashboard (and the
    overview) does not import the Grafana SDK (~0.15 s), and the output is the same as cold."""
    specs = copy_specs(tmp_path)
    monkeypatch.setenv("SLOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    assert run_cli("generate", str(specs), "--out", str(warm)).returncode == 0
    checkout = specs / "checkout.yml"
    checkout.write_text(checkout.read_text().replace("objective: 99.9", "objective: 99.95", 1))
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "sloforge", "generate", str(specs),
                             "--out", str(warm)], capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "9 written" in result.stdout  # as above: rules, dashboard, unit tests, documents, index, journey
    assert "import time:" in result.stderr and "grafana_foundation_sdk" not in result.stderr
    monkeypatch.setenv("SLOFORGE_NO_CACHE", "1")
    assert run_cli("generate", str(specs), "--out", str(cold)).returncode == 0
    assert _tree(warm) == _tree(cold)


def test_cached_spec_still_gets_located_cross_file_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A service read from the cache is still checked against a changed routing spec, with its line."""
    specs = copy_specs(tmp_path)
    monkeypatch.setenv("SLOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert run_cli("generate", str(specs), "--out", str(out)).returncode == 0
    routing = specs / "routing.yml"
    routing.write_text(routing.read_text().replace("\n  payments:\n", "\n  billing:\n"))
    result = run_cli("generate", str(specs), "--out", str(out))
    assert result.returncode == 1
    assert f"{(specs / 'checkout.yml').as_posix()}:5: owner: team 'payments' is not defined" in result.stderr


def test_hand_edited_or_deleted_outputs_are_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unchanged service is skipped only while OUT still holds its files as written:
    a file edited by hand (same size even) or deleted is noticed and rewritten."""
    specs = copy_specs(tmp_path)
    monkeypatch.setenv("SLOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert run_cli("generate", str(specs), "--out", str(out)).returncode == 0
    rules, dashboard = out / "prometheus" / "checkout.yml", out / "grafana" / "checkout.json"
    original = rules.read_text()
    rules.write_text(original.replace("slo_name", "slo_nAme", 1))  # same size, new mtime
    dashboard.unlink()
    result = run_cli("generate", str(specs), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "2 written" in result.stdout
    assert rules.read_text() == original and dashboard.exists()
    again = run_cli("generate", str(specs), "--out", str(out))
    assert "0 written" in again.stdout and "0 removed" in again.stdout


def test_check_mode_trusts_nothing_but_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`generate --check` after a hand edit fails even with a warm cache."""
    specs = copy_specs(tmp_path)
    monkeypatch.setenv("SLOFORGE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert run_cli("generate", str(specs), "--out", str(out)).returncode == 0
    assert run_cli("generate", str(specs), "--out", str(out), "--check").returncode == 0
    rules = out / "prometheus" / "checkout.yml"
    rules.write_text(rules.read_text() + "# edited\n")
    result = run_cli("generate", str(specs), "--out", str(out), "--check")
    assert result.returncode == 1
    assert "prometheus/checkout.yml: out of date" in result.stderr
