"""Exit codes are a contract: 0 ok, 1 invalid input or failed check, 2 usage, 3 bug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sloforge import __version__

from tests.conftest import REPO, run_cli
from tests.workflow.conftest import snapshot, write_spec


def test_0_when_everything_is_fine(specs: Path, tmp_path: Path) -> None:
    assert run_cli("validate", str(specs)).returncode == 0
    assert run_cli("generate", str(specs), "--out", str(tmp_path / "out")).returncode == 0


def test_1_for_invalid_input(specs: Path, tmp_path: Path) -> None:
    write_spec(specs, "bad.yml", "apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: x\nslos: []\n")
    for args in (("validate", str(specs)), ("generate", str(specs), "--out", str(tmp_path / "out"))):
        result = run_cli(*args)
        assert result.returncode == 1
        assert f"{(specs / 'bad.yml').as_posix()}:4: slos: must not be empty" in result.stderr


def test_1_for_a_failed_check(specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("generate", str(specs), "--out", str(out)).returncode == 0
    rules = out / "prometheus" / "checkout.yml"
    rules.write_text(rules.read_text().replace("for: 2m", "for: 1h"))
    result = run_cli("check", str(out))
    assert result.returncode == 1
    assert f"{(out / 'prometheus/tests/checkout.test.yml').as_posix()}: FAILED: promtool test rules" \
        in result.stdout


def test_2_for_usage_errors(specs: Path) -> None:
    for args in (("generate",), ("generate", str(specs), "--no-such-flag"), ("no-such-command",),
                 ("generate", str(specs), "--target", "nagios"), ("generate", str(specs), "--label", "x")):
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_3_for_an_internal_error_with_the_version_and_nothing_written(specs: Path,
                                                                      tmp_path: Path) -> None:
    """A real bug path: a compiler that raises, in a real process, through the real CLI."""
    out = tmp_path / "out"
    assert run_cli("generate", str(specs), "--out", str(out)).returncode == 0
    before = snapshot(out)
    program = (
        "import sys, sloforge.compile.rules.groups as g\n"
        "def broken(slo):\n"
        "    return {}['no such key']\n"
        "g.alerting_rules = broken\n"
        "from sloforge.cli import main\n"
        "sys.argv[0] = 'sloforge'\n"
        "main()\n"
    )
    # No incremental cache: the compiler must really run on these unchanged specs.
    env = {**os.environ, "SLOFORGE_NO_CACHE": "1"}
    result = subprocess.run([sys.executable, "-c", program, "generate", str(specs), "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=120, check=False, env=env)
    assert result.returncode == 3
    assert "internal error: KeyError: 'no such key'" in result.stderr
    assert f"This is a bug in sloforge {__version__}; please report it" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(out) == before

