"""A throwaway Prometheus on 127.0.0.1 for the rule-cost bench: backfill, query, stop."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`prometheus` over a data directory, optionally loading rule files."""

    def __init__(self, work: Path, data: Path, rule_files: list[Path] | None = None):
        self.work, self.data, self.rule_files = work, data, rule_files or []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        config = self.work / f"prometheus-{self.port}.yml"
        files = "".join(f"  - {p}\n" for p in self.rule_files)
        config.write_text("global:\n  evaluation_interval: 1m\n"
                          + (f"rule_files:\n{files}" if files else ""), encoding="utf-8")
        log = (self.work / f"prometheus-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={self.data}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=3650d",
             "--query.max-samples=200000000", "--query.timeout=10m"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited; see {log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("prometheus did not become ready in 120 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def get(self, path: str, **params: str) -> Any:
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=600) as response:
            body = json.loads(response.read())
        if body.get("status") != "success":
            raise RuntimeError(f"{path} failed: {body}")
        return body["data"]

    def query(self, expr: str, at: int) -> tuple[list[Any], int, float]:
        """Result, samples touched, and eval seconds of an instant query at `at`."""
        data = self.get("/api/v1/query", query=expr, time=str(at), stats="all")
        stats = data.get("stats", {})
        samples = int(stats.get("samples", {}).get("totalQueryableSamples", 0))
        seconds = float(stats.get("timings", {}).get("evalTotalTime", 0.0))
        return data["result"], samples, seconds

    def value(self, expr: str, at: int) -> float | None:
        result, _, _ = self.query(expr, at)
        return float(result[0]["value"][1]) if result else None


def backfill(server: Server, rule_file: Path, start: int, end: int, data: Path) -> None:
    """Evaluate the recording rules of `rule_file` over [start, end] into blocks, add them to `data`."""
    blocks = rule_file.parent / f"blocks-{rule_file.stem}"
    shutil.rmtree(blocks, ignore_errors=True)
    result = subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "rules", f"--start={start}", f"--end={end}",
         f"--url={server.url}", f"--output-dir={blocks}", "--quiet", str(rule_file)],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"backfill of {rule_file.name} failed: {result.stderr or result.stdout}")
    for block in blocks.iterdir():
        shutil.move(str(block), data / block.name)
    shutil.rmtree(blocks, ignore_errors=True)


def import_openmetrics(path: Path, data: Path) -> None:
    result = subprocess.run(["promtool", "tsdb", "create-blocks-from", "--max-block-duration=240h",
                             "openmetrics", str(path), str(data)], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise RuntimeError(f"openmetrics import failed: {result.stderr[-2000:]}")
