"""Build promtool unit tests from synthetic traffic and run them with real promtool.

Traffic is described as phases (minutes, requests per second, error ratio) and
turned into counter series in promtool's expanding notation. Alert timing is
asserted at two checkpoints around the time the maths predicts: not yet firing
shortly before, firing shortly after.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml
from sloforge.pipeline import Options, build, load_catalog


@dataclass(frozen=True)
class Phase:
    minutes: int
    rate: float  # events per second
    error_ratio: float


def counter(phases: list[Phase], bad: bool, step_seconds: int = 60) -> str:
    """Counter values, one per step, in segments `start+incrementxN`.

    Values are printed in full precision: a rounded value that goes down would
    read as a counter reset.
    """
    parts, value, first = [], 0.0, True
    for phase in phases:
        share = phase.error_ratio if bad else 1 - phase.error_ratio
        increment = phase.rate * step_seconds * share
        steps = phase.minutes * 60 // step_seconds
        if first:
            parts.append(f"{value!r}+{increment!r}x{steps}")
            value += increment * steps
            first = False
        else:
            start = value + increment
            parts.append(f"{start!r}+{increment!r}x{steps - 1}")
            value = start + increment * (steps - 1)
    return " ".join(parts)


def gauges(phases: list[Phase], instances: int = 20, step_seconds: int = 60) -> list[str]:
    """0/1 probe gauges for several probed instances. In each phase every k-th
    probe of an instance fails (k = 1 / error ratio), staggered across instances
    so that any window of the fleet sees the phase's failure share, not bursts."""
    out = []
    for instance in range(instances):
        values: list[str] = []
        for phase in phases:
            steps = phase.minutes * 60 // step_seconds
            every = round(1 / phase.error_ratio) if phase.error_ratio else 0
            offset = instance * every // instances if every else 0
            for index in range(steps):
                fail = every and (index + offset) % every == every - 1
                values.append("0" if fail else "1")
        out.append(" ".join(values))
    return out


def rule_file(spec_dir: Path, out: Path) -> list[Path]:
    catalog, _ = load_catalog([str(spec_dir)])
    files = build(catalog, Options(paths=[str(spec_dir)]))
    written = []
    for f in files:
        if f.rules_text is None:
            continue
        path = out / Path(f.path).name
        path.write_text(f.rules_text, encoding="utf-8")
        written.append(path)
    return written


def firing(alertname: str, tier: str, slo: str, **labels: str) -> str:
    matchers = {"alertname": alertname, "alertstate": "firing", "slo_severity": tier, "slo_name": slo, **labels}
    inner = ",".join(f'{k}="{v}"' for k, v in matchers.items())
    return f"count(ALERTS{{{inner}}})"


def expect_firing(expr: str, minute: int) -> dict[str, object]:
    return {"expr": expr, "eval_time": f"{minute}m", "exp_samples": [{"labels": "{}", "value": 1}]}


def expect_quiet(expr: str, minute: int) -> dict[str, object]:
    return {"expr": expr, "eval_time": f"{minute}m", "exp_samples": []}


def run(promtool: str, rules: list[Path], series: dict[str, str], checks: list[dict[str, object]],
        tmp: Path, interval: str = "1m", evaluation_interval: str = "1m",
        group_eval_order: list[str] | None = None) -> None:
    """Run one promtool unit test; fail with promtool's own output otherwise.

    Without group_eval_order promtool evaluates the groups of one instant in no fixed order, so
    a rule reading another group's series sees this minute's value in some runs and the last
    minute's in others (a threshold crossing then moves by one minute from run to run)."""
    test: dict[str, object] = {
        "rule_files": [str(r) for r in rules],
        "evaluation_interval": evaluation_interval,
        **({"group_eval_order": group_eval_order} if group_eval_order else {}),
        "tests": [{
            "interval": interval,
            "input_series": [{"series": k, "values": v} for k, v in series.items()],
            "promql_expr_test": checks,
        }],
    }
    path = tmp / "test.yml"
    path.write_text(yaml.safe_dump(test, sort_keys=False, width=1 << 20), encoding="utf-8")
    result = subprocess.run([promtool, "test", "rules", str(path)], capture_output=True, text=True,
                            timeout=600, check=False)
    output = result.stdout + result.stderr
    # A query over promtool's 10,000-sample limit is an error, never a pass.
    assert "too many samples" not in output, output[-3000:]
    assert result.returncode == 0 and "SUCCESS" in output, output[-3000:]
