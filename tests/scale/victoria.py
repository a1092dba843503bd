"""A local VictoriaMetrics and vmalert's replay mode, for the second-engine tests.

The server runs on 127.0.0.1 on a free port with its data in a temporary folder and is
stopped by whoever started it. Samples are imported in Prometheus text format with
millisecond timestamps; vmalert's replay evaluates rule files over that stored history
(range queries per rule, group by group) and remote-writes the recorded series and the
`ALERTS` series back into the same server.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import free_port, require_tool
from tests.core.harness import Phase

# Every minute of a promtool unit test (time 0 = the epoch) is this instant in VictoriaMetrics:
# a fixed date, never today's, so the test reads no clock. It is a multiple of 1h and 3m since
# the epoch, like promtool's time 0, so `[30d:1h]` subqueries and 3m groups align the same way.
T0 = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())



def iso(minute: float) -> str:
    return datetime.fromtimestamp(T0 + minute * 60, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Victoria:
    """One victoria-metrics server (already started) and the calls the tests make to it."""

    def __init__(self, base: str, root: Path) -> None:
        self.base = base
        self.root = root

    def get(self, path: str, **params: object) -> dict[str, Any]:
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]

    def post(self, path: str, body: str) -> None:
        request = urllib.request.Request(f"{self.base}{path}", data=body.encode(), method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    def flush(self) -> None:
        """Make every accepted sample searchable now (not after the ~1 s in-memory buffer)."""
        with urllib.request.urlopen(f"{self.base}/internal/force_flush", timeout=30) as response:
            response.read()

    def import_minutes(self, series: dict[str, list[float]]) -> None:
        """One value per minute from T0 for each series (Prometheus text, ms timestamps)."""
        lines = [f"{name} {value!r} {(T0 + 60 * minute) * 1000}"
                 for name, values in series.items() for minute, value in enumerate(values)]
        self.post("/api/v1/import/prometheus", "\n".join(lines) + "\n")
        self.flush()

    def replay(self, rules: list[Path], until_minute: int, rules_delay: str = "1s", from_minute: int = 0,
               attempts: int = 5) -> str:
        """vmalert -replay over [T0 + from_minute, T0 + until_minute]; returns its log. A rule that
        fails `attempts` times in a row ends the replay (vmalert exits with a fatal error)."""
        vmalert = require_tool("vmalert")
        result = subprocess.run(
            [vmalert, *(f"-rule={r}" for r in rules), f"-datasource.url={self.base}",
             f"-remoteWrite.url={self.base}", "-remoteWrite.flushInterval=100ms",
             f"-replay.timeFrom={iso(from_minute)}", f"-replay.timeTo={iso(until_minute)}",
             f"-replay.rulesDelay={rules_delay}", "-replay.disableProgressBar",
             "-replay.maxDatapointsPerQuery=10000", f"-replay.ruleRetryAttempts={attempts}",
             # vmalert 1.79 sends -datasource.queryStep (default 5m) as the step of replay's range
             # queries, whatever the group's interval: 0 makes the step the group's interval.
             "-datasource.queryStep=0",
             f"-httpListenAddr=127.0.0.1:{free_port()}"],
            capture_output=True, text=True, timeout=300, check=False)
        log = result.stdout + result.stderr
        assert result.returncode == 0, log[-3000:]
        self.flush()
        return log

    def values(self, selector: str, until_minute: int) -> dict[str, dict[int, float]]:
        """The raw samples of every series `selector` matches, by its labels (JSON) and minute."""
        # /api/v1/export returns the samples as stored, without lookback or interpolation.
        url = f"{self.base}/api/v1/export?" + urllib.parse.urlencode(
            {"match[]": selector, "start": T0, "end": T0 + until_minute * 60})
        found: dict[str, dict[int, float]] = {}
        with urllib.request.urlopen(url, timeout=30) as response:
            for line in response.read().decode().splitlines():
                row = json.loads(line)
                minutes = ((t // 1000 - T0) // 60 for t in row["timestamps"])
                found[json.dumps(row["metric"], sort_keys=True)] = dict(zip(minutes, row["values"], strict=True))
        return found

    def minutes(self, selector: str, until_minute: int) -> dict[str, list[int]]:
        """The minutes at which each series `selector` matches has a sample."""
        return {key: sorted(samples) for key, samples in self.values(selector, until_minute).items()}


def per_minute(phases: list[Phase], bad: bool) -> list[float]:
    """The counter harness.counter writes for promtool, one value per minute."""
    values, value = [0.0], 0.0
    for phase in phases:
        increment = phase.rate * 60 * (phase.error_ratio if bad else 1 - phase.error_ratio)
        for _ in range(phase.minutes):
            value += increment
            values.append(value)
    return values


RECORDED = re.compile(r"\bslo:[a-z0-9_:]+")


def levels(rules: list[Path], root: Path) -> list[Path]:
    """The rule files split by chain level, groups (name, interval) kept.

    Level 0 reads only raw series; a rule one level above the highest level of the series it
    reads (every rule recording that name). Replaying level after level, with the writes flushed
    in between, is what `-replay.rulesDelay` is for, without a sleep between every two rules."""
    groups = [g for path in rules for g in yaml.safe_load(path.read_text())["groups"]]
    level_of: dict[str, int] = {}
    pending = [r for g in groups for r in g["rules"]]
    while pending:
        progressed = False
        unrecorded = {r["record"] for r in pending if "record" in r}
        for rule in list(pending):
            reads = set(RECORDED.findall(rule["expr"])) - {rule.get("record")}
            if not reads & unrecorded:
                level = 1 + max((level_of[n] for n in reads), default=-1)
                rule["_level"] = level
                if "record" in rule:
                    level_of[rule["record"]] = max(level_of.get(rule["record"], 0), level)
                pending.remove(rule)
                progressed = True
        assert progressed, f"unresolved reads: {[r.get('record') or r.get('alert') for r in pending]}"
    files = []
    for level in range(1 + max(r["_level"] for g in groups for r in g["rules"])):
        split = [{**{k: v for k, v in g.items() if k != "rules"},
                  "rules": [{k: v for k, v in r.items() if k != "_level"} for r in g["rules"]
                            if r["_level"] == level]} for g in groups]
        path = root / f"level-{level}.yml"
        path.write_text(yaml.safe_dump({"groups": [g for g in split if g["rules"]]}), encoding="utf-8")
        files.append(path)
    return files


@contextlib.contextmanager
def victoria_metrics(root: Path) -> Iterator[Victoria]:
    """Start victoria-metrics with its data under root; stop it (by its own pid) on exit."""
    server = require_tool("victoria-metrics")
    port = free_port()
    log_path = root / "victoria-metrics.log"
    log = log_path.open("w")
    # A 100y retention keeps the backdated samples (VictoriaMetrics drops samples older than it);
    # the cache is off because the replay writes into the past that queries already read.
    process = subprocess.Popen(
        [server, f"-storageDataPath={root / 'data'}", f"-httpListenAddr=127.0.0.1:{port}",
         "-retentionPeriod=100y", "-search.disableCache", "-loggerLevel=WARN"],
        stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise AssertionError(f"victoria-metrics exited: {log_path.read_text()[-2000:]}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/health", timeout=1) as response:
                if response.read().strip() == b"OK":
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"victoria-metrics did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.1)
        yield Victoria(base, root)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
