"""`sloforge backtest` of 100 SLOs over 30 days against a real Prometheus (issue 17: target
under 30 s and 500 MB), and how the time grows with the range and the SLO count.

    python bench/backtest.py [--slos 100] [--ranges 7d,30d] [--results FILE]

Backfills the range plus the 30d period before it (the replay reads the period before the
range: budget policy and burn-down) of 2m counters for 10 SLOs per service (8 events SLOs
on per-route counters with one planted outage each, a latency SLO on a histogram, a probe SLO),
starts Prometheus on 127.0.0.1, and times whole `sloforge backtest` processes (max RSS from
the kernel). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from lint import SLOS_PER_SERVICE, free_port, spec  # noqa: E402  (the same specs as the lint bench)

SCRAPE, DAY = 120, 86400


def openmetrics(services: int, start: int, end: int, path: Path) -> None:
    steps = range((end - start) // SCRAPE + 1)
    with path.open("w") as out:
        out.write("# TYPE http_requests counter\n")
        for s in range(services):
            for i in range(SLOS_PER_SERVICE - 2):
                outage = start + (s * 7 + i * 3) % max((end - start) // DAY, 1) * DAY + 3600 * (i + 1)
                for code in ("200", "500"):
                    labels = f'job="svc-{s:03d}",route="/r{i}",code="{code}"'
                    count = 0.0
                    lines = []
                    for k in steps:
                        t = start + k * SCRAPE
                        bad = 0.3 if outage <= t < outage + 1200 else 0.001
                        count += SCRAPE * 20 * (bad if code == "500" else 1 - bad)
                        lines.append(f"http_requests_total{{{labels}}} {count:.1f} {t}\n")
                    out.writelines(lines)
        out.write("# TYPE http_request_duration_seconds histogram\n")
        for s in range(services):
            for le, share in (("0.1", 0.8), ("0.5", 0.995), ("+Inf", 1.0)):
                labels = f'job="svc-{s:03d}",le="{le}"'
                out.writelines(f"http_request_duration_seconds_bucket{{{labels}}} {SCRAPE * 20 * share * k:.1f} "
                               f"{start + k * SCRAPE}\n" for k in steps)
            out.writelines(f'http_request_duration_seconds_count{{job="svc-{s:03d}"}} {SCRAPE * 20.0 * k:.1f} '
                           f"{start + k * SCRAPE}\n" for k in steps)
        out.write("# TYPE probe_success gauge\n")
        for s in range(services):
            out.writelines(f'probe_success{{job="blackbox",instance="svc-{s:03d}"}} {0 if k % 500 == 7 else 1} '
                           f"{start + k * SCRAPE}\n" for k in steps)
        out.write("# EOF\n")


def run(specs: Path, url: str, range_text: str, end: int, slos: list[str]) -> tuple[float, float, int]:
    """(seconds, max RSS in MB, exit code) of one whole backtest process (its own rusage: wait4)."""
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "sloforge", "backtest", str(specs), "--prometheus", url,
                                "--range", range_text, "--end", str(end), "--format", "json",
                                *[arg for name in slos for arg in ("--slo", name)]],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    took = time.perf_counter() - began
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code:
        print(errors.decode()[-500:], file=sys.stderr)
    return took, usage.ru_maxrss / 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slos", type=int, default=100)
    parser.add_argument("--ranges", default="7d,30d")
    parser.add_argument("--results", type=Path)
    args = parser.parse_args()
    services = args.slos // SLOS_PER_SERVICE
    ranges = args.ranges.split(",")
    longest = max(int(r.rstrip("d")) for r in ranges)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        for s in range(services):
            (root / "specs" / f"svc-{s:03d}.yml").write_text(spec(s))
        end = int(time.time()) // 3600 * 3600
        start = end - (longest + 30) * DAY - 3600
        began = time.perf_counter()
        openmetrics(services, start, end, root / "data.om")
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "--max-block-duration=240h", "openmetrics",
                        str(root / "data.om"), str(root / "tsdb")], check=True, capture_output=True)
        backfill = time.perf_counter() - began
        (root / "data.om").unlink()
        (root / "prometheus.yml").write_text("global: {}\n")
        port = free_port()
        process = subprocess.Popen(["prometheus", f"--config.file={root / 'prometheus.yml'}",
                                    f"--storage.tsdb.path={root / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
                                    "--storage.tsdb.retention.time=3650d"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"{url}/-/ready", timeout=2):
                        break
                except OSError:
                    time.sleep(0.2)
            counts = sorted({max(args.slos // 10, 1), args.slos})
            for range_text in ranges:
                for count in counts:
                    names = [] if count == args.slos else [
                        f"svc-{s:03d}/{n}" for s in range(max(count // SLOS_PER_SERVICE, 1))
                        for n in [f"route-{i}" for i in range(SLOS_PER_SERVICE - 2)] + ["latency", "uptime"]]
                    took, rss, code = run(root / "specs", url, range_text, end, names)
                    rows.append(f"| backtest {count} SLOs over {range_text} | {took:.1f} s | {rss:.0f} MB | "
                                f"exit {code} |")
                    print(rows[-1], flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    rows.append(f"| (backfill of {services * 21} series, {longest + 30} days at {SCRAPE}s) | {backfill:.0f} s | | |")
    print(rows[-1])
    if args.results:
        with args.results.open("a") as handle:
            handle.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
