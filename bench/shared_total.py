"""Raw samples read by the 5m base rules of latency and probe SLOs, in a real Prometheus.

    python bench/shared_total.py [--pods 5,50] [--results FILE]

Their bad events are "all minus good". sloforge records all events first and the
bad-events rule subtracts the raw good events from that recorded series
(sli.RecordedTotal), instead of querying all events a second time. This writes
two hours of histogram counters (`_count` and the 300ms bucket) and probe results
for N pods at a 15s scrape interval, imports them with `promtool tsdb
create-blocks-from openmetrics`, starts `prometheus` on 127.0.0.1 and asks it
(query API, `stats=all`) how many samples each base rule touches per evaluation:
the shipped rules against the same rules with the total queried again.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cost_prometheus import Server, import_openmetrics
from sloforge.compile.rules import recording_rules
from sloforge.pipeline import load_catalog

SCRAPE = 15
HOURS = 2
START = 1_700_000_000 - 1_700_000_000 % 3600
END = START + HOURS * 3600
SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: bench
slos:
  - name: latency
    objective: 99
    sli:
      latency: {metric: http_request_duration_seconds, selector: '{job="bench"}', threshold: 300ms}
  - name: uptime
    objective: 99.5
    sli:
      probe: probe_success{job="blackbox"}
"""


def write_openmetrics(path: Path, pods: int) -> None:
    times = range(START, END + 1, SCRAPE)
    with path.open("w", encoding="utf-8") as out:
        out.write("# TYPE http_request_duration_seconds histogram\n")
        for pod in range(pods):
            labels = f'job="bench",pod="p{pod}"'
            for index, t in enumerate(times):
                out.write(f'http_request_duration_seconds_bucket{{{labels},le="0.3"}} {index * 95} {t}\n')
                out.write(f'http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {index * 100} {t}\n')
                out.write(f"http_request_duration_seconds_count{{{labels}}} {index * 100} {t}\n")
                out.write(f"http_request_duration_seconds_sum{{{labels}}} {index * 10} {t}\n")
        out.write("# TYPE probe_success gauge\n")
        for pod in range(pods):
            for index, t in enumerate(times):
                out.write(f'probe_success{{job="blackbox",instance="p{pod}"}} {0 if index % 50 == 0 else 1} {t}\n')
        out.write("# EOF\n")


def measure(work: Path, pods: int) -> list[tuple[int, str, str, int, int]]:
    """(pods, slo, rule, samples as shipped, samples with the total queried again)."""
    data = work / f"data-{pods}"
    metrics = work / f"metrics-{pods}.om"
    write_openmetrics(metrics, pods)
    import_openmetrics(metrics, data)
    specs = work / "specs"
    specs.mkdir(exist_ok=True)
    (specs / "bench.yml").write_text(SPEC, encoding="utf-8")
    catalog, _ = load_catalog([str(specs)])
    rows = []
    with Server(work, data) as server:
        at = END - 600
        for slo in catalog.services[0].slos:
            shipped = {r["record"]: str(r["expr"]) for r in recording_rules(slo)[:2]}
            again = dict(shipped)
            again["slo:sli_error_events:rate5m"] = slo.sli.error_rate("5m")  # no RecordedTotal
            for name in shipped:
                _, now, _ = server.query(shipped[name], at)
                _, before, _ = server.query(again[name], at)
                rows.append((pods, slo.name, name, now, before))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pods", default="5,50")
    parser.add_argument("--results", type=Path)
    args = parser.parse_args()
    lines = ["| pods | SLO | rule | samples / eval | with all events queried twice |", "|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="sloforge-shared-total-") as tmp:
        for pods in (int(p) for p in args.pods.split(",")):
            rows = measure(Path(tmp), pods)
            for slo in ("latency", "uptime"):
                mine = [r for r in rows if r[1] == slo]
                for _, _, rule, now, before in mine:
                    lines.append(f"| {pods} | {slo} | {rule} | {now:,} | {before:,} |")
                now, before = sum(r[3] for r in mine), sum(r[4] for r in mine)
                lines.append(f"| {pods} | {slo} | both base rules | **{now:,}** | {before:,} "
                             f"({now / before:.2f}x) |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.results:
        args.results.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
