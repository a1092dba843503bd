"""Rule evaluation cost in a real Prometheus: sloforge vs Sloth-style vs Pyrra-style.

    python bench/rule_cost.py [--work DIR] [--pods 5,50] [--results bench/RESULTS.md]

1. Writes 35 days of synthetic counters (cost_data: 5 status codes per pod,
   uneven day/night traffic) for one events SLO per size, and imports them with
   `promtool tsdb create-blocks-from openmetrics`.
2. Generates the rules: sloforge through its own pipeline, Sloth- and
   Pyrra-style by hand (cost_styles), and backfills the recording rules level
   by level with `promtool tsdb create-blocks-from rules` against a Prometheus
   on 127.0.0.1: the rules that read raw counters over the whole history, the
   1h averages over 31 days, then every other recording rule for 10 minutes.
3. Starts Prometheus with all rule files and reports, per rule, the samples it
   touches per evaluation (query API, `stats=all`), per SLO per hour at each
   group's interval, the groups' evaluation time
   (`prometheus_rule_group_last_duration_seconds`), and the period error ratio
   of each style against the exact traffic-weighted value.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cost_data import Workload, exact_error_ratio, time_weighted_error_ratio, write_openmetrics
from cost_prometheus import Server, backfill, import_openmetrics
from cost_styles import period_queries, pyrra_groups, sloforge_groups, sloth_groups

STYLES = ("sloforge", "sloth", "pyrra")
DEFAULT_INTERVAL = 60  # Prometheus' global evaluation_interval (Sloth sets none)
RAW = re.compile(r"\bhttp_requests_total\b")


@dataclass
class RuleCost:
    style: str
    job: str
    group: str
    name: str
    interval: int
    samples: int
    seconds: float

    @property
    def per_hour(self) -> float:
        return self.samples * 3600 / self.interval


def seconds(text: str | None) -> int:
    if not text:
        return DEFAULT_INTERVAL
    total = 0
    for number, unit in re.findall(r"(\d+)(ms|[smhd])", text):
        total += int(number) * {"ms": 0, "s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
    return total


def dump(path: Path, groups: list[dict[str, object]]) -> Path:
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False, width=10_000), encoding="utf-8")
    return path


def level(groups: list[dict[str, object]], keep) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Only the recording rules `keep(rule)` accepts, in their groups (empty groups dropped)."""
    out = []
    for group in groups:
        rules = [r for r in group["rules"] if "record" in r and keep(r)]  # type: ignore[union-attr]
        if rules:
            out.append({**group, "rules": rules})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, help="working directory (default: a temporary one, removed)")
    parser.add_argument("--pods", default="5,50", help="pods per size, comma-separated")
    parser.add_argument("--results", type=Path, help="write the markdown tables here too")
    parser.add_argument("--measure-only", action="store_true",
                        help="reuse the data and rule files of an earlier run in --work")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sloforge-rule-cost-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        workloads = [Workload(f"svc-{p}pods", int(p)) for p in args.pods.split(",")]
        report = measure_only(work, workloads) if args.measure_only else run(work, workloads)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(report)
    if args.results:
        args.results.write_text(report, encoding="utf-8")
    return 0


def run(work: Path, workloads: list[Workload]) -> str:
    started = time.monotonic()
    end = (int(time.time()) // 60 + 30) * 60  # data runs 30 minutes ahead so live rules see fresh counters
    (work / "end.txt").write_text(str(end))
    start = end - 35 * 86400
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    metrics = work / "counters.om"
    written = write_openmetrics(metrics, workloads, start, end)
    import_openmetrics(metrics, data)
    metrics.unlink()
    log(started, f"imported {written:,} raw samples ({sum(w.series for w in workloads)} series, 35 days)")

    styles: dict[str, list[dict[str, object]]] = {s: [] for s in STYLES}
    for w in workloads:
        styles["sloforge"] += sloforge_groups(w, work)
        styles["sloth"] += sloth_groups(w)
        styles["pyrra"] += pyrra_groups(w)
    files = {s: dump(work / f"rules-{s}.yml", g) for s, g in styles.items()}

    all_groups = [g for s in STYLES for g in styles[s]]
    raw_readers = level(all_groups, lambda r: RAW.search(r["expr"]) and r["record"].endswith("rate5m"))
    hourly = level(styles["sloforge"], lambda r: r["record"].endswith("events:rate1h"))
    rest = level(all_groups, lambda r: not (RAW.search(r["expr"]) and r["record"].endswith("rate5m"))
                 and not r["record"].endswith("events:rate1h"))
    for name, groups, since in (("raw-readers", raw_readers, start + 300), ("hourly", hourly, end - 31 * 86400),
                                ("rest", rest, end - 600)):
        with Server(work, data) as server:
            backfill(server, dump(work / f"level-{name}.yml", groups), since, end, data)
        log(started, f"backfilled level {name!r}")

    return evaluate(work, data, files, styles, workloads, end, started)


def measure_only(work: Path, workloads: list[Workload]) -> str:
    end = int((work / "end.txt").read_text())
    files = {s: work / f"rules-{s}.yml" for s in STYLES}
    styles = {s: yaml.safe_load(f.read_text())["groups"] for s, f in files.items()}
    return evaluate(work, work / "data", files, styles, workloads, end, time.monotonic())


def evaluate(work: Path, data: Path, files: dict[str, Path], styles: dict[str, list[dict[str, object]]],
             workloads: list[Workload], end: int, started: float) -> str:
    all_groups = [g for s in STYLES for g in styles[s]]
    with Server(work, data, list(files.values())) as server:
        costs = measure(server, styles, end)
        periods = {w.job: {s: server.value(q, end) for s, q in period_queries(w).items()} for w in workloads}
        log(started, "measured samples; waiting for every group to be evaluated live")
        durations = group_durations(server, len(all_groups))
    log(started, "done")
    exact = exact_error_ratio(end - 30 * 86400, end)
    time_weighted = time_weighted_error_ratio(end - 30 * 86400, end)
    from cost_report import render

    return render(costs, durations, periods, exact, time_weighted, workloads, styles)


def measure(server: Server, styles: dict[str, list[dict[str, object]]], at: int) -> list[RuleCost]:
    costs = []
    for style, groups in styles.items():
        for group in groups:
            interval = seconds(group.get("interval"))  # type: ignore[arg-type]
            for rule in group["rules"]:  # type: ignore[union-attr]
                _, samples, secs = server.query(rule["expr"], at)
                job = re.search(r"svc-\d+pods", str(group["name"])).group(0)  # type: ignore[union-attr]
                costs.append(RuleCost(style, job, str(group["name"]), rule.get("record") or rule["alert"],
                                      interval, samples, secs))
    return costs


def group_durations(server: Server, groups: int, timeout: float = 200) -> dict[str, float]:
    """Last evaluation seconds per group, once every group has been evaluated."""
    deadline = time.monotonic() + timeout
    pattern = re.compile(r'^prometheus_rule_group_last_duration_seconds\{rule_group="[^;]*;([^"]+)"\} (\S+)$')
    while True:
        with urllib.request.urlopen(f"{server.url}/metrics", timeout=30) as response:
            text = response.read().decode()
        found = {m.group(1): float(m.group(2)) for line in text.splitlines() if (m := pattern.match(line))}
        evaluated = {k: v for k, v in found.items() if v > 0}
        if len(evaluated) >= groups or time.monotonic() > deadline:
            return evaluated
        time.sleep(5)


def log(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
