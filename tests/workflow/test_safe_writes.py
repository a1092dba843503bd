"""Safe writes: only owned files are replaced or pruned; writes are atomic."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sloforge import write
from sloforge.pipeline import Options, generate

from tests.conftest import run_cli
from tests.workflow.conftest import service_spec, snapshot, write_spec

USER_README = "# Our monitoring repo\nHand-written, not sloforge's.\n"
FOREIGN_RULES = "groups:\n- name: hand-written\n  rules:\n  - record: job:up:sum\n    expr: sum(up)\n"


def _generate(specs: Path, out: Path, *extra: str) -> object:
    return run_cli("generate", str(specs), "--out", str(out), *extra)


def test_user_files_in_out_are_never_touched(specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "prometheus").mkdir(parents=True)
    (out / "README.md").write_text(USER_README)
    (out / "prometheus" / "team-rules.yml").write_text(FOREIGN_RULES)
    first = _generate(specs, out)
    assert first.returncode == 0, first.stderr
    (specs / "search.yml").unlink()  # a removed service prunes its own files only
    second = _generate(specs, out)
    assert second.returncode == 0, second.stderr
    assert (out / "README.md").read_text() == USER_README
    assert (out / "prometheus" / "team-rules.yml").read_text() == FOREIGN_RULES
    assert not (out / "prometheus" / "search.yml").exists()
    assert not (out / "prometheus" / "tests" / "search.test.yml").exists()
    assert (out / "prometheus" / "checkout.yml").exists()
    assert not (out / "grafana" / "search.json").exists()  # every producer's files for it


def test_rerun_is_byte_identical_and_writes_nothing(specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _generate(specs, out).returncode == 0
    before = snapshot(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = _generate(specs, out)
    assert again.returncode == 0
    assert snapshot(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == mtimes
    assert "0 written" in again.stdout


def test_a_removed_slo_disappears_from_the_rule_file_and_its_tests(specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _generate(specs, out).returncode == 0
    text = service_spec("checkout")
    write_spec(specs, "checkout.yml", text[: text.index("  - name: latency")])
    assert _generate(specs, out).returncode == 0
    assert "latency" not in (out / "prometheus" / "checkout.yml").read_text()
    assert "checkout/latency" not in (out / "prometheus" / "tests" / "checkout.test.yml").read_text()


def test_a_foreign_file_where_sloforge_would_write_is_refused(specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _generate(specs, out).returncode == 0
    (specs / "search.yml").unlink()
    assert _generate(specs, out).returncode == 0
    mine = out / "prometheus" / "search.yml"
    mine.write_text(FOREIGN_RULES)  # someone put their own file where search's rules went
    write_spec(specs, "search.yml", service_spec("search"))
    before = snapshot(out)
    result = _generate(specs, out)
    assert result.returncode == 1
    assert f"{mine.as_posix()}: exists and was not written by sloforge" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before


def test_without_a_manifest_only_files_with_the_sloforge_header_are_adopted(specs: Path,
                                                                          tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _generate(specs, out).returncode == 0
    (out / write.MANIFEST).unlink()  # e.g. a monitoring repo that never committed it
    assert _generate(specs, out).returncode == 0  # own headers recognised
    (out / write.MANIFEST).unlink()
    (out / "prometheus" / "checkout.yml").write_text(FOREIGN_RULES)
    result = _generate(specs, out)
    assert result.returncode == 1
    assert (out / "prometheus" / "checkout.yml").read_text() == FOREIGN_RULES


class _Interrupt:
    """os.replace that lets `allowed` renames through, then simulates a kill."""

    def __init__(self, allowed: int):
        self.allowed = allowed
        self.real = os.replace

    def __call__(self, src: str, dst: str) -> None:
        if self.allowed == 0:
            raise KeyboardInterrupt
        self.allowed -= 1
        self.real(src, dst)


@pytest.mark.parametrize("allowed", [0, 1, 2, 3, 4])
def test_an_interrupted_run_leaves_old_or_new_files_and_the_next_run_recovers(
        specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
    out = tmp_path / "out"
    options = Options(paths=[str(specs)], out=out, run_promtool=False)
    generate(options)
    old = snapshot(out)
    # A change to every file, a new service, and a removed one, all in one run.
    write_spec(specs, "checkout.yml", service_spec("checkout").replace("99.9", "99.5"))
    (specs / "search.yml").unlink()
    write_spec(specs, "cart.yml", service_spec("cart"))
    new = {f.path: f.content.encode() for f in generate_files(options)}
    monkeypatch.setattr(write.os, "replace", _Interrupt(allowed))
    with pytest.raises(KeyboardInterrupt):
        generate(options)
    monkeypatch.undo()
    for name, content in snapshot(out).items():
        assert not name.rsplit("/", 1)[-1].endswith(".tmp"), f"temporary file left: {name}"
        if name != write.MANIFEST:
            assert content in (old.get(name), new.get(name)), f"{name} is neither old nor new"
    generate(options)  # the next run completes: nothing half-owned blocks it
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k != write.MANIFEST} == new


def generate_files(options: Options) -> list:
    from sloforge.pipeline import build, load_catalog

    catalog, _ = load_catalog(options.paths)
    return build(catalog, options)


def test_generate_check_reports_stale_and_orphaned_files(specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _generate(specs, out).returncode == 0
    assert _generate(specs, out, "--check").returncode == 0
    (specs / "search.yml").unlink()
    write_spec(specs, "checkout.yml", service_spec("checkout").replace("99.9", "99.5"))
    before = snapshot(out)
    result = _generate(specs, out, "--check")
    assert result.returncode == 1
    for name in ("prometheus/checkout.yml", "prometheus/search.yml", "prometheus/tests/search.test.yml"):
        assert f"{(out / name).as_posix()}: out of date" in result.stderr
    assert snapshot(out) == before
