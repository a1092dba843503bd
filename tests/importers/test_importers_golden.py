"""Golden tests: every Sloth, OpenSLO and Pyrra fixture -> rule files, converted native specs, or errors.

Refresh with SLOFORGE_UPDATE_GOLDEN=1 after an intended change, and review the diff.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from importers_cases import FIXTURES, GOLDEN, PYRRA, UPDATE, cases, compile_files, relative, root
from sloforge import durations
from sloforge.convert import native as convert
from sloforge.load.options import LoadOptions
from sloforge.pipeline import load_catalog

CASES = cases()


def outputs(paths: list[Path], period: str) -> dict[str, str]:
    rules, problems = compile_files(paths, period)
    out = {f"rules/{name}": text for name, text in rules.items()}
    if problems:
        out["problems.txt"] = "\n".join(problems) + "\n"
    if rules:
        with contextlib.chdir(root(paths[0])):
            catalog, _ = load_catalog([relative(p) for p in paths], LoadOptions(durations.parse(period)))
        out.update({f"native/{name}": text for name, text in convert.files(catalog).items()})
    return out


@pytest.mark.parametrize(("case", "paths", "period"), CASES, ids=[c[0] for c in CASES])
def test_fixture_matches_golden(case: str, paths: list[Path], period: str) -> None:
    produced = outputs(paths, period)
    folder = GOLDEN / case
    if UPDATE:
        for old in folder.rglob("*") if folder.exists() else []:
            if old.is_file():
                old.unlink()
        for name, text in produced.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, "utf-8")
    expected = {p.relative_to(folder).as_posix(): p.read_text("utf-8") for p in folder.rglob("*") if p.is_file()}
    assert produced == expected, f"output of {case} changed; SLOFORGE_UPDATE_GOLDEN=1 refreshes {folder}"


def test_every_fixture_is_a_case() -> None:
    covered = {p for _, paths, _ in CASES for p in paths}
    every = {p for p in FIXTURES.rglob("*.y*ml") if "_gen" not in p.parts and "grafana" not in p.parts}
    every |= set(PYRRA.glob("*.y*ml"))
    assert every <= covered
