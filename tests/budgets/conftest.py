"""Helpers for the budget tests: rule files from spec text, real promtool runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from sloforge.pipeline import Options, build, load_catalog


def rule_files(spec_text: str, directory: Path) -> list[str]:
    """Compile one spec with the real pipeline; the rule files' names, written into directory."""
    spec = directory / "spec.yml"
    spec.write_text(spec_text, encoding="utf-8")
    catalog, _ = load_catalog([str(spec)])
    names = []
    for output in build(catalog, Options(paths=[str(spec)])):
        if output.rules_text is not None:
            path = directory / Path(output.path).name
            path.write_text(output.rules_text, encoding="utf-8")
            names.append(path.name)
    return names


def steady_counter(per_minute: float, minutes: int) -> str:
    """A counter growing by `per_minute` each 1m step (full precision: no fake resets)."""
    return f"0+{per_minute!r}x{minutes}"


def run_promtool_test(promtool: str, directory: Path, rules: list[str], tests: list[dict]) -> str:
    document = {"rule_files": rules, "evaluation_interval": "1m", "tests": tests}
    path = directory / "test.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=1000), encoding="utf-8")
    done = subprocess.run([promtool, "test", "rules", path.name], cwd=directory, check=False,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
