"""A real Prometheus over backfilled data, and the reference evaluation of generated rules in it.

The reference never runs sloforge's history code: Prometheus itself computes every recorded
series the alerts read (what `promtool tsdb create-blocks-from rules` does: a query_range of
each rule at its group's interval, written back as blocks, one dependency level at a time
with the server restarted to load the level below) and every alert expression (a query_range
of the alert's PromQL at its group's interval over those recorded series). The only logic
this module adds is the `for:` state machine, as Prometheus' rules/alerting.go runs it:
pending at the first true evaluation, firing at the first evaluation at least `for` later,
gone at the first false one.

Why not `promtool test rules`: it evaluates every group at the test's one interval (the
`-long` group every minute, not every 3), so its alerts are not the deployed ones'; and it
answers only yes/no at chosen times, not the start and end of every firing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sloforge import durations

from tests.conftest import free_port, require_tool

# Prometheus refuses a query_range of more than 11000 points.
MAX_POINTS = 10_000
Key = tuple[tuple[str, str], ...]
RECORDED = re.compile(r"\bslo:[a-z0-9_:]+")


class Server:
    """`prometheus` on 127.0.0.1 over a TSDB directory; `restart` picks up new blocks."""

    def __init__(self, storage: Path, log: Path, flags: tuple[str, ...] = ()) -> None:
        self.binary = require_tool("prometheus")
        self.flags = flags
        self.storage, self.log = storage, log
        self.config = storage.parent / "prometheus.yml"
        self.config.write_text("global: {scrape_interval: 1m}\n")
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [self.binary, f"--config.file={self.config}", f"--storage.tsdb.path={self.storage}",
                 f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=400d", *self.flags],
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("prometheus did not become ready:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def query_range(self, query: str, start: int, end: int, step: int) -> dict[Key, dict[int, float]]:
        """Series (sorted label pairs) -> {unix time: value}, chunked under the point limit."""
        out: dict[Key, dict[int, float]] = {}
        chunk = start
        while chunk <= end:
            last = min(chunk + step * (MAX_POINTS - 1), end)
            params = urllib.parse.urlencode({"query": query, "start": chunk, "end": last, "step": step})
            with urllib.request.urlopen(f"{self.url}/api/v1/query_range?{params}", timeout=120) as answer:
                data = json.loads(answer.read())
            assert data["status"] == "success", data
            for series in data["data"]["result"]:
                key = tuple(sorted(series["metric"].items()))
                out.setdefault(key, {}).update({int(float(t)): float(v) for t, v in series["values"]})
            chunk = last + step
        return out


def backfill_openmetrics(text: str, storage: Path) -> None:
    data = storage.parent / "data.om"
    data.write_text(text)
    done = subprocess.run([require_tool("promtool"), "tsdb", "create-blocks-from", "openmetrics",
                           "--max-block-duration=240h", str(data), str(storage)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    data.unlink()


@dataclass(frozen=True)
class RefFiring:
    alert: str
    labels: dict[str, str]  # the alert expression's labels (slo_service, slo_name, group labels)
    kind: str
    tier: str
    threshold: str  # slo_budget_consumed for budget alerts, "" otherwise
    start: int
    end: int | None


def _levels(groups: list[dict]) -> list[list[dict]]:
    """The recording rules the alerts need, in dependency levels: level k reads only raw
    series and levels below k. Each level is a rules document (groups keep their interval)."""
    recorded: dict[str, list[str]] = {}
    for group in groups:
        for rule in group["rules"]:
            if "record" in rule:
                recorded.setdefault(rule["record"], []).append(rule["expr"])
    needed: set[str] = set()
    todo = [name for g in groups for r in g["rules"] if "alert" in r for name in RECORDED.findall(r["expr"])]
    while todo:
        name = todo.pop()
        if name in needed or name not in recorded:
            continue
        needed.add(name)
        todo += [n for expr in recorded[name] for n in RECORDED.findall(expr)]
    level: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in level:
            level[name] = 1 + max((depth(n) for e in recorded[name] for n in RECORDED.findall(e) if n in recorded),
                                  default=0)
        return level[name]

    deepest = max((depth(n) for n in needed), default=0)
    documents = []
    for k in range(1, deepest + 1):
        doc = []
        for group in groups:
            rules = [r for r in group["rules"] if r.get("record") in needed and depth(r["record"]) == k]
            if rules:
                doc.append({"name": group["name"], "interval": group.get("interval", "1m"), "rules": rules})
        documents.append(doc)
    return documents


def _read_over_ranges(groups: list[dict]) -> set[str]:
    """Records that some recording rule reads over a range (`x{...}[1h]`, `(x{...})[30d:1h]`)."""
    exprs = [r["expr"] for g in groups for r in g["rules"] if "record" in r]
    return {name for expr in exprs for name in RECORDED.findall(expr)
            if re.search(re.escape(name) + r"\{[^}]*\}\)?\[", expr)}


def record_rules(server: Server, groups: list[dict], start: int, alerts_from: int, end: int,
                 work: Path) -> list[float]:
    """Backfill every recording rule the alerts need, level by level, and restart the server
    after each level so the next one reads it: over [start, end] the records other rules read
    over a range (the 5m and 1h rates), over [alerts_from, end] those read only at the instant
    (the window ratios, the budget). Both times are multiples of every group interval, so
    evaluations fall where the engine's do.

    This is what `promtool tsdb create-blocks-from rules` does (rules/importer.go: a
    query_range of the rule's expression at its group's interval; each result series renamed
    to the record and given the rule's labels), but with one query per rule and one block per
    level: the importer queries and writes one block per rule per 2 hours, and over 4.5 days
    its ~1,700 blocks took 243 s to make and slowed every later query. Returns each level's
    seconds."""
    timings = []
    ranged = _read_over_ranges(groups)
    for k, document in enumerate(_levels(groups), start=1):
        began = time.monotonic()
        families: dict[str, list[str]] = {}
        for group in document:
            step = durations.parse(group["interval"])
            for rule in group["rules"]:
                first = start if rule["record"] in ranged else alerts_from
                results = server.query_range(rule["expr"], -(-first // step) * step, end, step)
                for key, values in results.items():
                    labels = {**dict(key), **rule.get("labels", {})}
                    labels.pop("__name__", None)
                    text = ",".join(f'{name}="{_escape(str(value))}"' for name, value in sorted(labels.items()))
                    families.setdefault(rule["record"], []).extend(
                        f"{rule['record']}{{{text}}} {value!r} {moment}" for moment, value in sorted(values.items()))
        output = work / f"level{k}"
        output.mkdir()
        text = "\n".join(line for lines in families.values() for line in lines) + "\n# EOF\n"
        backfill_openmetrics(text, output)
        for block in output.iterdir():
            shutil.move(str(block), server.storage / block.name)
        server.restart()
        timings.append(time.monotonic() - began)
    return timings


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def alert_firings(server: Server, groups: list[dict], start: int, end: int) -> list[RefFiring]:
    """Every alert of the rules, evaluated at its group's interval over [start, end] (at whole
    multiples of the interval since the epoch), with `for:` applied."""
    firings = []
    for group in groups:
        step = durations.parse(group.get("interval", "1m"))
        first = -(-start // step) * step
        evaluations = range(first, end + 1, step)
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            hold = durations.parse(rule["for"]) if rule.get("for") else 0
            labels = rule.get("labels", {})
            for key, values in server.query_range(rule["expr"], first, end, step).items():
                active: int | None = None
                fired: int | None = None
                for moment in evaluations:
                    if moment in values:
                        if active is None:
                            active = moment
                        if fired is None and moment - active >= hold:
                            fired = moment
                    else:
                        if fired is not None:
                            firings.append(_firing(rule, labels, dict(key), fired, moment))
                        active = fired = None
                if fired is not None:
                    firings.append(_firing(rule, labels, dict(key), fired, None))
    return sorted(firings, key=lambda f: (f.alert, f.kind, f.tier, sorted(f.labels.items()), f.start))


def _firing(rule: dict, labels: dict, key: dict[str, str], start: int, end: int | None) -> RefFiring:
    return RefFiring(rule["alert"], key, labels["slo_alert_kind"], labels["slo_severity"],
                     str(labels.get("slo_budget_consumed", "")), start, end)
