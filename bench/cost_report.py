"""Markdown tables for the rule-cost bench."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

STYLE_NAMES = {"sloforge": "sloforge", "sloth": "Sloth-style", "pyrra": "Pyrra-style"}


def _pct(value: float | None, exact: float) -> str:
    if value is None:
        return "no value"
    return f"{value:.5f} ({(value - exact) / exact * 100:+.1f}%)"


def _sloforge_layouts(costs: list[Any], styles: dict[str, list[Any]]) -> dict[str, tuple[float, float]]:
    """Per job: samples per hour with the long-window rules at 3m (the default layout) and with
    every rule at 1m (one group per SLO), from the same per-rule measurements."""
    from sloforge import conventions as c
    from sloforge.compile.rules.groups import longest_window

    long_seconds = int(c.LONG_GROUP_INTERVAL.rstrip("m")) * 60
    rules = [r for g in styles["sloforge"] for r in g["rules"]]
    mine = [cost for cost in costs if cost.style == "sloforge"]
    out: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for cost, rule in zip(mine, rules, strict=True):
        slow = longest_window(rule) >= c.LONG_WINDOW_SECONDS
        out[cost.job][0] += cost.samples * 3600 / (long_seconds if slow else 60)
        out[cost.job][1] += cost.samples * 60
    return {job: (v[0], v[1]) for job, v in out.items()}


def render(costs: list[Any], durations: dict[str, float], periods: dict[str, dict[str, float | None]],
           exact: float, time_weighted: float, workloads: list[Any], styles: dict[str, list[Any]]) -> str:
    lines = ["## Samples touched per SLO", "",
             "Per evaluation: the sum over the SLO's rules of `totalQueryableSamples` (query API, `stats=all`).",
             "Per hour: each rule's samples x evaluations per hour at its group's interval (Sloth sets none:",
             "Prometheus' default 1m; Pyrra: 30s burn rates, 2m30s period increase). Eval time: the sum of",
             "`prometheus_rule_group_last_duration_seconds` over the SLO's groups (one live evaluation, noisy).",
             "",
             "| series per SLO | style | rules | samples / eval | samples / hour | vs sloforge | eval time |",
             "|---|---|---|---|---|---|---|"]
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for cost in costs:
        total = totals[(cost.job, cost.style)]
        total[0] += 1
        total[1] += cost.samples
        total[2] += cost.per_hour
    group_jobs = {str(g["name"]): job for job in (w.job for w in workloads)
                  for s in styles.values() for g in s if job in str(g["name"])}
    eval_time: dict[tuple[str, str], float] = defaultdict(float)
    for style, groups in styles.items():
        for group in groups:
            name = str(group["name"])
            eval_time[(group_jobs.get(name, ""), style)] += durations.get(name, 0.0)
    layouts = _sloforge_layouts(costs, styles)
    for w in workloads:
        split, flat = layouts[w.job]
        lines.append(f"| {w.series} ({w.pods} pods x 5 codes) | sloforge, one 1m group | "
                     f"{int(totals[(w.job, 'sloforge')][0])} | {int(totals[(w.job, 'sloforge')][1]):,} | "
                     f"{int(flat):,} | {flat / split:.2f}x | |")
        for style in STYLE_NAMES:
            count, per_eval, per_hour = totals[(w.job, style)]
            if style == "sloforge":
                per_hour, ratio = split, "1 (1m + 3m long group)"
            else:
                ratio = f"sloforge = {split / per_hour:.3f}x"
            lines.append(f"| {w.series} ({w.pods} pods x 5 codes) | {STYLE_NAMES[style]} | {int(count)} | "
                         f"{int(per_eval):,} | {int(per_hour):,} | {ratio} | "
                         f"{eval_time[(w.job, style)] * 1000:.1f} ms |")
    lines += ["", "## Period error ratio on uneven traffic", "",
              f"Exact traffic-weighted ratio over the 30d period: {exact:.5f}; a time-weighted average of",
              f"per-minute ratios (what Sloth's average of 5m ratios approximates) is {time_weighted:.5f}.", "",
              "| series per SLO | sloforge | Sloth-style | Pyrra-style |", "|---|---|---|---|"]
    for w in workloads:
        p = periods[w.job]
        lines.append(f"| {w.series} | {_pct(p['sloforge'], exact)} | {_pct(p['sloth'], exact)} | "
                     f"{_pct(p['pyrra'], exact)} |")
    largest = max(workloads, key=lambda w: w.series)
    lines += ["", f"## sloforge rules, {largest.series} series per SLO", "",
              "| group | rule | interval | samples / eval | samples / hour |", "|---|---|---|---|---|"]
    for cost in costs:
        if cost.style == "sloforge" and cost.job == largest.job:
            lines.append(f"| {cost.group} | {cost.name} | {cost.interval}s | {cost.samples:,} | "
                         f"{int(cost.per_hour):,} |")
    return "\n".join(lines) + "\n"
