"""`sloforge lint` over 1,000 SLOs against a real Prometheus (issue 20: target < 30 s).

    python bench/lint.py [--slos 1000] [--results FILE]

Backfills a day of 1m counters for 100 services (events SLOs on per-route counters,
latency SLOs on a histogram per service, probe SLOs on a gauge), starts Prometheus on
127.0.0.1, and times the whole `sloforge lint` process. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

MINUTE, HISTORY = 60, 25 * 3600
SLOS_PER_SERVICE = 10


def spec(service: int) -> str:
    slos = []
    for i in range(SLOS_PER_SERVICE):
        if i == 8:
            slos.append(f"""  - name: latency
    objective: 99
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{{job="svc-{service:03d}"}}'
        threshold: 500ms
""")
        elif i == 9:
            slos.append(f"""  - name: uptime
    objective: 99.5
    sli:
      probe: probe_success{{job="blackbox",instance="svc-{service:03d}"}}
""")
        else:
            slos.append(f"""  - name: route-{i}
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{{job="svc-{service:03d}",route="/r{i}",code="500"}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{job="svc-{service:03d}",route="/r{i}"}}[{{{{ window }}}}]))
""")
    return (f"apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: svc-{service:03d}\nslos:\n" + "".join(slos))


def openmetrics(services: int, end: int) -> str:
    steps = range(HISTORY // MINUTE + 1)
    start = end - HISTORY
    lines = ["# TYPE http_requests counter"]
    for s in range(services):
        for i in range(SLOS_PER_SERVICE - 2):
            for code, per in (("200", 60.0), ("500", 0.06)):
                labels = f'job="svc-{s:03d}",route="/r{i}",code="{code}"'
                lines += [f"http_requests_total{{{labels}}} {per * k!r} {start + k * MINUTE}" for k in steps]
    lines.append("# TYPE http_request_duration_seconds histogram")
    for s in range(services):
        for le, share in (("0.1", 0.8), ("0.5", 0.99), ("+Inf", 1.0)):
            labels = f'job="svc-{s:03d}",le="{le}"'
            lines += [f"http_request_duration_seconds_bucket{{{labels}}} {60 * share * k!r} {start + k * MINUTE}"
                      for k in steps]
        lines += [f'http_request_duration_seconds_count{{job="svc-{s:03d}"}} {60.0 * k!r} {start + k * MINUTE}'
                  for k in steps]
    lines.append("# TYPE probe_success gauge")
    for s in range(services):
        lines += [f'probe_success{{job="blackbox",instance="svc-{s:03d}"}} 1 {start + k * MINUTE}' for k in steps]
    return "\n".join(lines) + "\n# EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slos", type=int, default=1000)
    parser.add_argument("--results", type=Path)
    args = parser.parse_args()
    services = args.slos // SLOS_PER_SERVICE
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "specs").mkdir()
        for s in range(services):
            (root / "specs" / f"svc-{s:03d}.yml").write_text(spec(s))
        end = int(time.time()) // MINUTE * MINUTE - MINUTE
        began = time.perf_counter()
        (root / "data.om").write_text(openmetrics(services, end))
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "--max-block-duration=240h", "openmetrics",
                        str(root / "data.om"), str(root / "tsdb")], check=True, capture_output=True)
        backfill = time.perf_counter() - began
        (root / "prometheus.yml").write_text("global: {}\n")
        port = free_port()
        process = subprocess.Popen(["prometheus", f"--config.file={root / 'prometheus.yml'}",
                                    f"--storage.tsdb.path={root / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
                                    "--storage.tsdb.retention.time=3650d"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    with urllib.request.urlopen(f"{url}/-/ready", timeout=2):
                        break
                except OSError:
                    time.sleep(0.2)
            began = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "sloforge", "lint", str(root / "specs"), "--prometheus", url,
                                   "--at", str(end)], capture_output=True, text=True, check=False)
            took = time.perf_counter() - began
        finally:
            process.terminate()
            process.wait(timeout=30)
    summary = [line for line in done.stdout.splitlines() if "SLOs:" in line]
    row = (f"| {args.slos:,} SLOs ({services} services) | {took:.1f} s | < 30 s | exit {done.returncode}; "
           f"{summary[-1].strip() if summary else done.stderr.strip()[-200:]} | backfill {backfill:.0f} s |")
    print(row)
    if args.results:
        with args.results.open("a") as handle:
            handle.write(row + "\n")


if __name__ == "__main__":
    main()
