"""Editors that work (issue 15): every file `init` and `convert` write names a JSON Schema
that exists beside it, and a real yaml-language-server reports a spec's mistakes at their lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.editors.lsp import diagnostics

SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("editors") / "svc"
    result = run_cli("init", str(repo))
    assert result.returncode == 0, result.stderr
    return repo


def _schema_of(spec: Path) -> Path:
    match = SCHEMA_LINE.search(spec.read_text("utf-8"))
    assert match, f"{spec} names no schema"
    return (spec.parent / match.group(1)).resolve()


def test_every_scaffolded_spec_names_a_schema_beside_it(scaffold: Path) -> None:
    specs = sorted((scaffold / "specs").glob("*.yml"))
    assert [p.name for p in specs] == ["example.yml", "routing.yml"]
    assert {p.name: _schema_of(p).name for p in specs} == {"example.yml": "service-levels.schema.json",
                                                           "routing.yml": "routing.schema.json"}
    for spec in specs:
        assert _schema_of(spec).is_file()
    assert (scaffold / "specs" / "budget-policy.schema.json").is_file()
    for spec in REPO.glob("specs/*.yml"):  # this repository's own examples too
        assert _schema_of(spec).is_file(), spec


def test_schema_write_keeps_them_current(scaffold: Path, tmp_path: Path) -> None:
    stale = scaffold / "specs" / "routing.schema.json"
    stale.write_text("{}\n")
    result = run_cli("schema", "--write", "specs", cwd=scaffold)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote specs/routing.schema.json\n"  # only what changed
    assert run_cli("schema", "--write", "specs", cwd=scaffold).stdout == ""
    assert stale.read_text().startswith('{\n  "$schema": "https://json-schema.org/draft/2020-12/schema"')
    assert "schema --write $(SPECS)" in (scaffold / "Makefile").read_text()  # make rules does it


def test_the_language_server_accepts_the_scaffold(scaffold: Path) -> None:
    for name in ("example.yml", "routing.yml"):
        assert diagnostics(scaffold / "specs" / name) == [], name


@pytest.mark.parametrize(("old", "new", "says"), [
    ("    objective: 99.9\n", "    objectve: 99.9\n", "Property objectve is not allowed."),
    ("    objective: 99.9\n", "    objective: 0.999\n", "Value is below the minimum of 1."),
    ("threshold: 300ms", "threshold: 250", "is not a latency threshold with a unit (write it like 300ms or 1s)"),
    ("owner: my-team ", "owner: My Team ", 'String does not match the pattern of "^[a-z0-9][a-z0-9_-]*$".'),
])
def test_the_language_server_reports_a_mistake_at_its_line(scaffold: Path, tmp_path: Path,
                                                           old: str, new: str, says: str) -> None:
    text = (scaffold / "specs" / "example.yml").read_text()
    assert old in text
    bad = scaffold / "specs" / "mistake.yml"
    changed = text.replace(old, new, 1)
    bad.write_text(changed)
    try:
        line = next(n for n, t in enumerate(changed.splitlines()) if new.strip() in t)
        found = diagnostics(bad)
    finally:
        bad.unlink()
    assert any(d["message"] == says and d["range"]["start"]["line"] == line for d in found), found
    # sloforge itself locates the same mistake at the same line (1-based)
    bad.write_text(changed)
    try:
        result = run_cli("validate", "specs/mistake.yml", cwd=scaffold)
    finally:
        bad.unlink()
    assert result.returncode == 1 and f"specs/mistake.yml:{line + 1}: " in result.stderr, result.stderr


def test_a_routing_typo_is_reported_at_its_line(scaffold: Path) -> None:
    text = (scaffold / "specs" / "routing.yml").read_text()
    bad = scaffold / "specs" / "routing-mistake.yml"
    changed = text.replace("    ticket:\n", "    tickets:\n", 1)
    bad.write_text(changed)
    try:
        line = changed.splitlines().index("    tickets:")
        found = diagnostics(bad)
    finally:
        bad.unlink()
    assert any(d["message"] == "Property tickets is not allowed." and d["range"]["start"]["line"] == line
               for d in found), found


def test_converted_specs_name_their_schema(tmp_path: Path) -> None:
    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "web.yml").write_text(
        'version: "prometheus/v1"\nservice: "web"\nslos:\n  - name: "availability"\n    objective: 99.9\n'
        "    sli:\n      events:\n"
        '        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))\n'
        "        total_query: sum(rate(http_requests_total[{{.window}}]))\n"
        "    alerting:\n      name: WebAvailability\n")
    result = run_cli("convert", "slos", "--out", "specs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    converted = tmp_path / "specs" / "web.yml"
    assert _schema_of(converted) == (tmp_path / "specs" / "service-levels.schema.json").resolve()
    assert _schema_of(converted).is_file()
    assert diagnostics(converted) == []
