"""A real Prometheus over backfilled history, for tests that read the past (plan, backtest)."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import free_port, require_tool


@contextmanager
def backfilled_prometheus(root: Path, openmetrics: str) -> Iterator[str]:
    """Backfill `openmetrics` (text ending in `# EOF`) into a TSDB under `root`, start Prometheus
    on 127.0.0.1 with a retention that keeps it all, yield its URL, stop it afterwards."""
    promtool, prometheus = require_tool("promtool"), require_tool("prometheus")
    (root / "data.om").write_text(openmetrics, encoding="utf-8")
    done = subprocess.run([promtool, "tsdb", "create-blocks-from", "--max-block-duration=240h", "openmetrics",
                           str(root / "data.om"), str(root / "tsdb")], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    (root / "data.om").unlink()
    (root / "prometheus.yml").write_text("global: {evaluation_interval: 1m}\n", encoding="utf-8")
    port = free_port()
    log = (root / "prometheus.log").open("w")
    process = subprocess.Popen([prometheus, f"--config.file={root / 'prometheus.yml'}",
                                f"--storage.tsdb.path={root / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
                                "--storage.tsdb.retention.time=3650d"], stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            assert process.poll() is None, (root / "prometheus.log").read_text()[-2000:]
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.time() < deadline, "Prometheus did not start"
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
