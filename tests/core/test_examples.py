"""tests/examples/{valid,invalid}: every file is a case; each invalid one names its exact error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

EXAMPLES = REPO / "tests" / "examples"


def _cases(kind: str) -> list[Path]:
    return sorted((EXAMPLES / kind).glob("*.yml"))


@pytest.mark.parametrize("path", _cases("valid"), ids=lambda p: p.name)
def test_valid_example_validates(path: Path) -> None:
    result = run_cli("validate", str(path.relative_to(REPO)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", _cases("invalid"), ids=lambda p: p.name)
def test_invalid_example_gives_its_exact_error(path: Path, tmp_path: Path) -> None:
    expected = path.read_text("utf-8").splitlines()[0].removeprefix("# expect: ")
    relative = path.relative_to(REPO).as_posix()
    result = run_cli("validate", relative)
    assert result.returncode == 1
    assert f"{relative}:{expected}" in result.stderr.splitlines(), result.stderr
    assert "Traceback" not in result.stderr

    # generate refuses too, and leaves an existing out/ exactly as it was
    out = tmp_path / "out"
    (out / "prometheus").mkdir(parents=True)
    (out / "prometheus" / "keep.yml").write_text("groups: []\n")
    result = run_cli("generate", relative, "--out", str(out))
    assert result.returncode == 1
    assert sorted(p.name for p in out.rglob("*")) == ["keep.yml", "prometheus"]
    assert (out / "prometheus" / "keep.yml").read_text() == "groups: []\n"


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    spec = tmp_path / "many.yml"
    spec.write_text(
        "apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: api\nslos:\n"
        "  - name: a\n    objective: 100.5\n    sli: {probe: 'up'}\n"
        "  - name: b\n    objective: 99\n    window: 5x\n    sli: {probe: 'up'}\n")
    result = run_cli("validate", str(spec))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(spec))]
    assert len(lines) == 2, result.stderr
    assert lines[0].endswith(":6: slos[0].objective: 100.5 must be below 100")
    assert ":10: slos[1].window:" in lines[1]


def test_duplicate_service_across_files_is_an_error(tmp_path: Path) -> None:
    body = "apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: api\nslos:\n" \
           "  - {name: a, objective: 99, sli: {probe: up}}\n"
    (tmp_path / "one.yml").write_text(body)
    (tmp_path / "two.yml").write_text(body)
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert f"service 'api' is already defined in {(tmp_path / 'one.yml').as_posix()}" in result.stderr
