"""Fixtures for the routing tests: a spec folder of one's own, the example out/ generated once,
a real Alertmanager whose webhook receivers post into an inbox in the test."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from tests.conftest import REPO, built_once, copy_specs, free_port, require_tool, run_cli

BASE = REPO / "config" / "alertmanager-base.yml"


@pytest.fixture
def alertmanager_bin() -> str:
    """Debian names the server prometheus-alertmanager; upstream tarballs name it alertmanager."""
    for name in ("alertmanager", "prometheus-alertmanager"):
        if shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    return require_tool("prometheus-alertmanager")


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    """A copy of the example specs (services + routing) that a test may edit."""
    return copy_specs(tmp_path)


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), "utf-8")

    return replace


def _generate_example(root: Path) -> None:
    out = root / "out"
    result = run_cli("generate", "specs", "--out", str(out), "--alertmanager-base", str(BASE))
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/ as `make rules` leaves it (the example specs, merged into config/'s base), generated
    once for every module and worker that asks: read it, or copy it before editing."""
    return built_once(tmp_path_factory, "routing-example", _generate_example) / "out"


@dataclass
class Inbox:
    """A local HTTP server that webhook receivers post to: (path, JSON body) of each delivery."""

    url: str
    port: int
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    inbox: ClassVar[Inbox]  # set per server by the fixture

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.inbox.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    """One inbox per module: a module's configs name its port, so they are generated once; each
    test clears `received` when it starts its own Alertmanager (see start_alertmanager)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {}))
    port = server.server_address[1]
    box = Inbox(f"http://127.0.0.1:{port}", port)
    server.RequestHandlerClass.inbox = box  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield box
    server.shutdown()
    server.server_close()


StartAlertmanager = Callable[[Path | dict[str, Any]], str]


@pytest.fixture
def start_alertmanager(alertmanager_bin: str, tmp_path: Path, inbox: Inbox) -> Iterator[StartAlertmanager]:
    """start(config file or dict) -> the URL of a fresh Alertmanager on a free port, its state
    empty and the inbox cleared; every one started is stopped when the test ends."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(config: Path | dict[str, Any]) -> str:
        index = len(processes)
        if isinstance(config, dict):
            path = tmp_path / f"alertmanager-{index}.yml"
            path.write_text(yaml.safe_dump(config, sort_keys=False))
            config = path
        inbox.received.clear()
        port = free_port()
        log = tmp_path / f"alertmanager-{index}.log"
        with log.open("w") as handle:
            processes.append(subprocess.Popen(
                [alertmanager_bin, f"--config.file={config}", f"--storage.path={tmp_path / f'data-{index}'}",
                 f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
                stdout=handle, stderr=subprocess.STDOUT))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1).close()
                return url
            except OSError:
                if processes[-1].poll() is not None or time.monotonic() > deadline:
                    pytest.fail("alertmanager did not start:\n" + log.read_text())
                time.sleep(0.1)

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
