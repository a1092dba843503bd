"""promtool / amtool wrappers -> list[Problem].

Generated files are checked before anything is written: a rule file that
Prometheus would refuse never reaches out/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from sloforge.errors import CheckError, Problem, ToolMissing

INSTALL_HINT = {
    "promtool": "install Debian's 'prometheus' package (apt-get install prometheus) "
                "or put promtool on PATH",
    "amtool": "install Debian's 'prometheus-alertmanager' package "
              "(apt-get install prometheus-alertmanager) or put amtool on PATH",
}
TIMEOUT_SECONDS = 300
PROMTOOL_FILES_PER_CALL = 20  # below this, a second process costs more than it saves
# A batch while rendering: at most ~1 s of promtool (30 ms of it start-up), small
# enough that the last batches finish soon after the rendering.
PROMTOOL_BATCH_BYTES = 4 * 1024 * 1024
PROMTOOL_BATCH_FILES = 50
BACKGROUND_NICENESS = 10  # promtool yields the CPU to the rendering it runs beside


def find_tool(name: str) -> str | None:
    return shutil.which(name)


def require_tool(name: str) -> str:
    found = find_tool(name)
    if not found:
        raise ToolMissing(f"{name} not found: {INSTALL_HINT.get(name, 'put it on PATH')}")
    return found


def run(argv: list[str], cwd: Path | None = None, merged: bool = False, env: dict[str, str] | None = None,
        niceness: int = 0) -> subprocess.CompletedProcess[str]:
    """Run a tool; `merged` interleaves stderr into stdout in the order it was written
    (promtool reports "Checking FILE" on stdout and that file's findings on stderr).
    `niceness` lowers its CPU priority right after the start (preexec_fn is unsafe with
    threads; lowering one's own child's priority is always allowed)."""
    with subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT if merged else subprocess.PIPE, text=True, env=env) as process:
        if niceness and hasattr(os, "setpriority"):
            try:
                os.setpriority(os.PRIO_PROCESS, process.pid, niceness)
            except OSError:
                pass  # already finished, or not allowed: only slower
        try:
            out, err = process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return subprocess.CompletedProcess(argv, 124, "", f"{argv[0]} timed out after {TIMEOUT_SECONDS}s")
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


def _materialise(directory: Path, texts: dict[str, str], prefix: str) -> dict[str, str]:
    """Write in-memory files under short safe names; returns {short name: real name}."""
    names = {}
    for index, (name, text) in enumerate(sorted(texts.items())):
        path = directory / f"{prefix}{index:05d}.yml"
        path.write_text(text, encoding="utf-8")
        names[path.name] = name
    return names


def _promtool_environment() -> dict[str, str]:
    """promtool parses one file after another on one goroutine; with Go's defaults its
    garbage collector runs often and on every core. One OS thread per process and a
    larger heap target (GOGC=400, ~70 MB per process on big files) cut its CPU time by
    a third; the user's own GOGC/GOMAXPROCS win."""
    env = dict(os.environ)
    env.setdefault("GOGC", "400")
    env.setdefault("GOMAXPROCS", "1")
    return env


class RuleChecker:
    """`promtool check rules --lint-fatal` over rule files as they are produced.

    Files are written to a temporary directory and checked in batches by up to one
    promtool per CPU in the background, so promtool works on one core while Python
    renders the next services on the other. `problems()` waits for every batch.
    """

    def __init__(self) -> None:
        self._promtool = require_tool("promtool")
        self._tmp = tempfile.TemporaryDirectory(prefix="sloforge-check-")
        self._dir = Path(self._tmp.name)
        self._workers = max(1, os.cpu_count() or 1)
        self._pool = ThreadPoolExecutor(max_workers=self._workers)
        self._env = _promtool_environment()
        self._names: dict[str, str] = {}  # short temporary name -> real name
        self._pending: list[str] = []
        self._pending_bytes = 0
        self._runs: list[Future[subprocess.CompletedProcess[str]]] = []

    def __enter__(self) -> RuleChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, name: str, text: str) -> None:
        short = f"{len(self._names):05d}.yml"
        (self._dir / short).write_text(text, encoding="utf-8")
        self._names[short] = name
        self._pending.append(short)
        self._pending_bytes += len(text)
        if self._pending_bytes >= PROMTOOL_BATCH_BYTES or len(self._pending) >= PROMTOOL_BATCH_FILES:
            self._submit(self._pending, niceness=BACKGROUND_NICENESS)
            self._pending, self._pending_bytes = [], 0

    def _submit(self, chunk: list[str], niceness: int = 0) -> None:
        argv = [self._promtool, "check", "rules", "--lint-fatal", *chunk]
        # Background batches run at a lower priority: they take the CPU the renderer leaves
        # instead of taking turns with it (which would hold back the last batches).
        self._runs.append(self._pool.submit(run, argv, self._dir, True, self._env, niceness))

    def problems(self) -> list[Problem]:
        """Check what is left (split over the CPUs) and wait for every batch."""
        if self._pending:
            workers = max(1, min(self._workers, len(self._pending) // PROMTOOL_FILES_PER_CALL))
            for i in range(workers):
                self._submit(self._pending[i::workers])
            self._pending = []
        results = [future.result() for future in self._runs]
        output = "".join(r.stdout + (r.stderr or "") for r in results if r.returncode != 0)
        return _problems_from_output(output, self._names, "promtool check rules") if output else []

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._tmp.cleanup()


def check_rule_texts(texts: dict[str, str]) -> list[Problem]:
    """`promtool check rules --lint-fatal` on in-memory rule files."""
    if not texts:
        return []
    with RuleChecker() as checker:
        for name, text in sorted(texts.items()):
            checker.add(name, text)
        return checker.problems()


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
        # promtool writes findings to stderr and "Checking" to stdout, so a finding
        # that names its file ("00007.yml: 5:11: ...") is attributed by that name.
        where = current
        prefix = text.split(":", 1)[0]
        if prefix in names:
            where, text = names[prefix], text.split(":", 1)[1].strip()
        for tmp_name, real in names.items():
            text = text.replace(tmp_name, real)
        problems.append(Problem(where, None, "", f"{tool}: {text}"))
    return problems or [Problem(tool, None, "", f"{tool} failed:\n{output.strip()}")]


def check_alertmanager_texts(texts: dict[str, str]) -> list[Problem]:
    """`amtool check-config` on in-memory alertmanager.yml files (one call).

    amtool does not read the `*_file` secrets, so this needs none of them.
    """
    if not texts:
        return []
    amtool = require_tool("amtool")
    with tempfile.TemporaryDirectory(prefix="sloforge-amcheck-") as tmp:
        names = _materialise(Path(tmp), texts, "alertmanager-")
        result = run([amtool, "check-config", *sorted(names)], cwd=Path(tmp))
    if result.returncode == 0:
        return []
    problems = []
    for line in (result.stdout + result.stderr).splitlines():
        # "Checking 'alertmanager-00000.yml'  FAILED: <reason>"
        if "FAILED:" in line and line.startswith("Checking "):
            tmp_name = line.split("'")[1] if "'" in line else ""
            reason = line.split("FAILED:", 1)[1].strip()
            problems.append(Problem(names.get(tmp_name, tmp_name), None, "",
                                    f"amtool check-config: {reason}"))
    if not problems:
        output = (result.stdout + result.stderr).strip()
        problems.append(Problem("amtool", None, "", f"amtool check-config failed:\n{output}"))
    return problems


def amtool_routes_test(config_text: str, labels: dict[str, str]) -> tuple[str, list[str]]:
    """`amtool config routes test --tree`: the matching route tree and the receivers, in order."""
    amtool = require_tool("amtool")
    with tempfile.TemporaryDirectory(prefix="sloforge-routes-") as tmp:
        path = Path(tmp) / "alertmanager.yml"
        path.write_text(config_text, encoding="utf-8")
        argv = [amtool, "config", "routes", "test", f"--config.file={path}", "--tree",
                *(f"{k}={v}" for k, v in sorted(labels.items()))]
        result = run(argv, cwd=Path(tmp))
    if result.returncode != 0:
        raise CheckError([Problem("amtool", None, "", "amtool config routes test failed: "
                                  + (result.stderr or result.stdout).strip())])
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    tree = "\n".join(line for line in lines[:-1] if line != "Matching routes:")
    return tree, [name.strip() for name in lines[-1].split(",")] if lines else []


def amtool_routes_show(config_text: str) -> str:
    """`amtool config routes`: the whole routing tree."""
    amtool = require_tool("amtool")
    with tempfile.TemporaryDirectory(prefix="sloforge-routes-") as tmp:
        path = Path(tmp) / "alertmanager.yml"
        path.write_text(config_text, encoding="utf-8")
        result = run([amtool, "config", "routes", f"--config.file={path}"], cwd=Path(tmp))
    if result.returncode != 0:
        raise CheckError([Problem("amtool", None, "", "amtool config routes failed: "
                                  + (result.stderr or result.stdout).strip())])
    return result.stdout.rstrip()
