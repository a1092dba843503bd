"""Core benchmarks (issue 2): the pre-commit path and a 1,000-SLO generate.

    python bench/core.py            # prints a table; nothing is asserted

1. `sloforge validate specs/checkout.yml` as a whole process (interpreter start
   included), median of N runs: target < 0.5 s.
2. `sloforge generate` of 1,000 SLOs in 100 files, whole process, with and without
   the promtool check: target < 5 s.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLOFORGE = [sys.executable, "-m", "sloforge"]

SERVICE = """apiVersion: sloforge/v1
kind: ServiceLevels
service: svc-{n:04d}
owner: team-{team}
labels: {{tier: "{tier}"}}
links:
  runbook: https://runbooks.example.com/svc-{n:04d}/{{{{ slo }}}}
slos:
"""
SLO = {
    "events": """  - name: availability-{i}
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{{job="svc-{n:04d}",code=~"5..",route="/r{i}"}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{job="svc-{n:04d}",route="/r{i}"}}[{{{{ window }}}}]))
""",
    "latency": """  - name: latency-{i}
    objective: 99
    window: 28d
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{{job="svc-{n:04d}", route="/r{i}"}}'
        threshold: 250ms
""",
    "probe": """  - name: uptime-{i}
    objective: 99.5
    window: 7d
    sli:
      probe: probe_success{{job="blackbox",instance="https://svc-{n:04d}.example.com/r{i}"}}
    alerting:
      absent: 15m
      budget:
        - {{consumed: 75%, severity: ticket}}
""",
}


def write_specs(root: Path, files: int, slos_per_file: int) -> None:
    kinds = list(SLO)
    for n in range(files):
        body = SERVICE.format(n=n, team=n % 20, tier=n % 3)
        for i in range(slos_per_file):
            body += SLO[kinds[i % len(kinds)]].format(n=n, i=i)
        (root / f"svc-{n:04d}.yml").write_text(body)


def timed(argv: list[str], cwd: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{result.stderr}")
    return times


def main() -> None:
    rows = []
    validate = timed([*SLOFORGE, "validate", "specs/checkout.yml"], REPO, 15)
    rows.append(("validate one spec (whole process)", statistics.median(validate), 0.5))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        specs = root / "specs"
        specs.mkdir()
        write_specs(specs, files=100, slos_per_file=10)
        with_check = timed([*SLOFORGE, "generate", "specs", "--out", "out"], root, 3)
        shutil.rmtree(root / "out")
        without = timed([*SLOFORGE, "generate", "specs", "--out", "out", "--no-promtool"], root, 3)
        unchanged = timed([*SLOFORGE, "generate", "specs", "--out", "out", "--no-promtool"], root, 3)
        rows.append(("generate 1,000 SLOs, incl. promtool check", statistics.median(with_check), 5.0))
        rows.append(("generate 1,000 SLOs, --no-promtool", statistics.median(without), 5.0))
        rows.append(("re-generate 1,000 SLOs, nothing changed", statistics.median(unchanged), 5.0))
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  median s  target s")
    for name, seconds, target in rows:
        print(f"{name:<{width}}  {seconds:8.3f}  {target:8.1f}")


if __name__ == "__main__":
    main()
