"""promtool / amtool wrappers -> list[Problem].

Generated files are checked before anything is written: a rule file that
Prometheus would refuse never reaches out/.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from sloforge.errors import Problem, ToolMissing

INSTALL_HINT = {
    "promtool": "install Debian's 'prometheus' package (apt-get install prometheus) "
                "or put promtool on PATH",
    "amtool": "install Debian's 'prometheus-alertmanager' package "
              "(apt-get install prometheus-alertmanager) or put amtool on PATH",
}
TIMEOUT_SECONDS = 300


def find_tool(name: str) -> str | None:
    return shutil.which(name)


def require_tool(name: str) -> str:
    found = find_tool(name)
    if not found:
        raise ToolMissing(f"{name} not found: {INSTALL_HINT.get(name, 'put it on PATH')}")
    return found


def run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, 124, "", f"{argv[0]} timed out after {TIMEOUT_SECONDS}s")


def check_rule_texts(texts: dict[str, str]) -> list[Problem]:
    """`promtool check rules --lint-fatal` on in-memory rule files (one call)."""
    if not texts:
        return []
    promtool = require_tool("promtool")
    with tempfile.TemporaryDirectory(prefix="sloforge-check-") as tmp:
        names = {}
        for index, (name, text) in enumerate(sorted(texts.items())):
            path = Path(tmp) / f"{index:05d}.yml"
            path.write_text(text, encoding="utf-8")
            names[path.name] = name
        result = run([promtool, "check", "rules", "--lint-fatal", *sorted(names)], cwd=Path(tmp))
    if result.returncode == 0:
        return []
    return _problems_from_output(result.stdout + result.stderr, names, "promtool check rules")


def _problems_from_output(output: str, names: dict[str, str], tool: str) -> list[Problem]:
    """promtool prints "Checking FILE" then "SUCCESS" or "FAILED:" and the findings."""
    problems = []
    current = tool
    for raw in output.splitlines():
        text = raw.strip()
        if text.startswith("Checking "):
            current = names.get(text.split()[-1], text.split()[-1])
            continue
        if not text or text in ("FAILED:", "SUCCESS") or text.startswith("SUCCESS:"):
            continue
        for tmp_name, real in names.items():
            text = text.replace(tmp_name, real)
        problems.append(Problem(current, None, "", f"{tool}: {text}"))
    return problems or [Problem(tool, None, "", f"{tool} failed:\n{output.strip()}")]
