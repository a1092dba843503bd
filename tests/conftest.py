"""Shared fixtures: repo paths, the real CLI, real promtool."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# Real spec files of other tools and Grafana's JSON Schemas (their origin and licence:
# tests/importers/importers_cases.py, tests/dashboards/support.py); kept beside the repository,
# or wherever SLOFORGE_FIXTURES points.
FIXTURES = Path(os.environ.get("SLOFORGE_FIXTURES") or SHARED / "fixtures")
SPECS = REPO / "specs"
# Test modules that read FIXTURES while they are collected or run.
NEEDS_FIXTURES = ("tests/importers/test_importers_golden.py", "tests/importers/test_importers_rules.py",
                  "tests/importers/test_importers_outage.py", "tests/dashboards/test_schema.py")
FIXTURES_MISSING = (f"shared fixtures not found at {FIXTURES}: not run: {', '.join(NEEDS_FIXTURES)}; "
                    "get them by placing the shared/ folder beside this repository (sloth/: examples/ "
                    "of github.com/slok/sloth at 0e395d81; openslo/: pkg/openslo/*/examples/ of "
                    "github.com/OpenSLO/go-sdk; grafana/: jsonschema/ of grafana-foundation-sdk at "
                    "f178d5a4) or set SLOFORGE_FIXTURES to the fixtures folder")
_skipped_for_fixtures: list[str] = []
# The date sloforge judges overdue reviews on (load/relations.py) under the tests, in this process
# and in every CLI it starts: the example specs' reviews must not fall overdue as the calendar moves.
TODAY = "2026-12-01"
os.environ.setdefault("SLOFORGE_TODAY", TODAY)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Without the shared fixtures, the modules that need them are left out (CI: the run fails)."""
    if FIXTURES.is_dir() or not collection_path.is_relative_to(REPO):
        return None
    if collection_path.relative_to(REPO).as_posix() in NEEDS_FIXTURES:
        _skipped_for_fixtures.append(collection_path.name)
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _skip_slow(config, items)
    _skip_without_fixtures(items)


def _skip_without_fixtures(items: list[pytest.Item]) -> None:
    """A module named on the command line is collected even so: its tests are skipped."""
    if FIXTURES.is_dir():
        return
    for item in items:
        if item.path.is_relative_to(REPO) and item.path.relative_to(REPO).as_posix() in NEEDS_FIXTURES:
            _skipped_for_fixtures.append(item.path.name)
            item.add_marker(pytest.mark.skip(reason=f"shared fixtures not found at {FIXTURES}"))


def pytest_sessionstart(session: pytest.Session) -> None:
    if not FIXTURES.is_dir() and os.environ.get("CI"):
        pytest.exit(FIXTURES_MISSING.replace("not run", "required in CI"), returncode=1)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_for_fixtures:
        terminalreporter.write_line(FIXTURES_MISSING, yellow=True)


def copy_specs(root: Path, base: bool = True) -> Path:
    """A copy of the example specs (and the Alertmanager base config their routing spec
    names, under root/config) that a test may edit. base=False drops the base from the
    routing spec, for a standalone Alertmanager config."""
    target = root / "specs"
    shutil.copytree(SPECS, target)
    shutil.copytree(REPO / "config", root / "config")
    if not base:
        routing = target / "routing.yml"
        routing.write_text("".join(line for line in routing.read_text().splitlines(keepends=True)
                                   if not line.startswith("alertmanager_base:")))
    return target


def require_tool(name: str) -> str:
    """Path of a real tool. In CI a missing tool fails the test instead of skipping it."""
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI (make test installs it)")
    pytest.skip(f"{name} not installed (make test installs it)")


@pytest.fixture
def promtool() -> str:
    return require_tool("promtool")


@pytest.fixture
def amtool() -> str:
    return require_tool("amtool")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder that `build` fills once per test run, shared by every pytest-xdist worker.

    For expensive outputs that tests only read (a wheel, a generated out/): the first worker
    to ask builds it under a lock in the run's common temp folder, the others wait and reuse
    it. A test that edits such a folder copies it into its own tmp_path first."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # popen-gwN's parent: one per run, common to its workers
    target = root / "built-once" / name
    done = target.with_name(name + ".done")
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not done.exists():
            shutil.rmtree(target, ignore_errors=True)  # a build that failed half-way
            target.mkdir()
            build(target)
            done.touch()
    return target


@pytest.fixture(scope="session", autouse=True)
def _cache_of_this_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """sloforge's incremental cache (~/.cache/sloforge by default) in this run's temp folder,
    one per worker: no test reads what another run or another worker left there (two
    processes generating into one out/ would share a cache folder), and nothing piles up in
    the home folder."""
    before = os.environ.get("SLOFORGE_CACHE_DIR")
    os.environ["SLOFORGE_CACHE_DIR"] = str(tmp_path_factory.mktemp("sloforge-cache"))
    yield
    if before is None:
        os.environ.pop("SLOFORGE_CACHE_DIR", None)
    else:
        os.environ["SLOFORGE_CACHE_DIR"] = before


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run `sloforge` as a user would, in a fresh process (`env`: variables to set, e.g. COLUMNS)."""
    return subprocess.run([sys.executable, "-m", "sloforge", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, **env} if env else None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*/expected from the current generator")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def _skip_slow(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `slow` run only when asked (`pytest -m slow`): the default run, which CI
    makes, stays under a few minutes on two cores."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="long run: pytest -m slow")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)
