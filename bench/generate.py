"""Generation at scale: wall time and peak memory of validate / generate / regenerate.

    python bench/generate.py [--sizes 1000,10000] [--files 1000] [--results FILE]

Writes N SLOs spread over --files spec files (a mix of events, latency, probe
and ratio SLIs, some grouped, some with budget policies), then times, each in a
fresh `sloforge` process (peak RSS and CPU time from wait4, promtool included):
  validate      `sloforge validate DIR`
  generate      `sloforge generate DIR --out OUT` into an empty OUT, empty cache
                (promtool included); also once with --no-promtool
  no change     the same again: everything unchanged, nothing written
  one spec      after editing one spec's objective: that service's files rewritten
Targets (issue #7): 10,000 SLOs under 20 s, one-spec change under 1 s, peak under 1 GB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("events", "latency", "probe", "ratio")


def slo_text(index: int) -> str:
    kind = KINDS[index % len(KINDS)]
    name = f"slo-{index}"
    if kind == "events":
        group = "        group_by: [route]\n" if index % 8 == 0 else ""
        by = " by (route)" if group else ""
        sli = (f"      events:\n        errors: sum{by}(rate(http_requests_total{{job=\"j{index}\",code=~\"5..\"}}"
               f"[{{{{ window }}}}]))\n        total: sum{by}(rate(http_requests_total{{job=\"j{index}\"}}"
               f"[{{{{ window }}}}]))\n{group}")
    elif kind == "latency":
        sli = (f"      latency:\n        metric: http_request_duration_seconds\n"
               f"        selector: '{{job=\"j{index}\"}}'\n        threshold: 300ms\n")
    elif kind == "probe":
        sli = f"      probe: probe_success{{job=\"blackbox\",instance=\"https://s{index}.example.com\"}}\n"
    else:
        sli = (f"      ratio: 1 - avg(avg_over_time(up{{job=\"j{index}\"}}[{{{{ window }}}}]))\n")
    alerting = ("    alerting:\n      min_events: 100\n      budget:\n        - {consumed: 75%, severity: ticket}\n"
                if kind == "events" else "")
    return (f"  - name: {name}\n    description: SLO number {index}\n    objective: 99.{index % 9 + 1}\n"
            f"    window: {'28d' if index % 5 == 0 else '30d'}\n    sli:\n{sli}{alerting}")


def write_specs(root: Path, slos: int, files: int) -> None:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    per_file = max(1, slos // files)
    index = 0
    for number in range(files):
        body = "".join(slo_text(index + i) for i in range(per_file))
        index += per_file
        (root / f"team-{number % 50:02d}").mkdir(exist_ok=True)
        (root / f"team-{number % 50:02d}" / f"svc-{number:04d}.yml").write_text(
            f"apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: svc-{number:04d}\n"
            f"owner: team-{number % 50:02d}\nlinks:\n  runbook: https://runbooks.example.com/{{{{ slo }}}}\n"
            f"slos:\n{body}", encoding="utf-8")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, peak RSS in MiB, CPU seconds (with promtool's) and the last output line."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stdout = process.stdout.read() if process.stdout else ""
    out = stdout + (process.stderr.read() if process.stderr else "")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{out[-3000:]}")
    out = stdout  # the summary line, not the notes on stderr
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, usage.ru_maxrss / 1024, cpu, out.strip().splitlines()[-1] if out.strip() else ""


def bench(work: Path, slos: int, files: int) -> list[tuple[str, float, float, float, str]]:
    specs, out, cache = work / f"specs-{slos}", work / f"out-{slos}", work / f"cache-{slos}"
    write_specs(specs, slos, files)
    env = {**os.environ, "SLOFORGE_CACHE_DIR": str(cache)}
    cli = [sys.executable, "-m", "sloforge"]
    generate = cli + ["generate", str(specs), "--out", str(out)]
    rows = [("validate", *timed(cli + ["validate", str(specs)], env))]
    for label, argv in (("generate, --no-promtool", generate + ["--no-promtool"]), ("generate", generate)):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        rows.append((label, *timed(argv, env)))
    rows.append(("generate, no change", *timed(generate, env)))
    target = specs / "team-07" / "svc-0007.yml"
    target.write_text(target.read_text().replace("objective: 99.", "objective: 98.", 1))
    rows.append(("generate, one spec changed", *timed(generate, env)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--results", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sloforge-bench-generate-"))
    lines = ["## Generation at scale", "",
             f"{args.files} spec files, {os.cpu_count()} CPUs; each step in a fresh `sloforge` process "
             "(wall time, CPU time of sloforge and its promtool processes, peak RSS).", "",
             "| SLOs | step | wall time | CPU time | peak memory | output |", "|---|---|---|---|---|---|"]
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            for label, seconds, mib, cpu, last in bench(work, size, args.files):
                lines.append(f"| {size:,} | {label} | {seconds:.2f} s | {cpu:.2f} s | {mib:.0f} MiB | {last} |")
                print(lines[-1], flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    report = "\n".join(lines) + "\n"
    if args.results:
        args.results.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
