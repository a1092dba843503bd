"""The same SLO as rules in three styles: sloforge (generated), Sloth and Pyrra
(hand-written in the shapes those tools generate).

Sloth-style (see shared fixtures sloth/_gen): every alert window is a ratio of
raw `rate()`s over that window; the period ratio is the average of the 5m
ratios over 30d (`sum_over_time / count_over_time`), all at the global 1m
evaluation interval. Pyrra-style (Pyrra's generated PrometheusRules): every
burn-rate window from raw `rate()`s in a 30s group, the period from a raw
`sum by (code) (increase(...[30d]))` in a 2m30s group. All three use the same
alert windows (5m 30m 1h 2h 6h 1d 3d; Pyrra itself would use 4d for the
longest) so the comparison is about shape, not window choice.
"""

from __future__ import annotations

from pathlib import Path

from cost_data import ERROR_CODES, METRIC, Workload

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
PAIRS = (("page", "1h", "5m", 14.4), ("page", "6h", "30m", 6), ("ticket", "1d", "2h", 3),
         ("ticket", "3d", "6h", 1))
OBJECTIVE = 99.0
BUDGET = 0.01


def _selectors(w: Workload) -> tuple[str, str]:
    return (f'{METRIC}{{job="{w.job}",code=~"{"|".join(ERROR_CODES)}"}}', f'{METRIC}{{job="{w.job}"}}')


def sloforge_spec(w: Workload) -> str:
    errors, total = _selectors(w)
    return f"""apiVersion: sloforge/v1
kind: ServiceLevels
service: {w.job}
slos:
  - name: availability
    objective: {OBJECTIVE}
    window: 30d
    sli:
      events:
        errors: sum(rate({errors}[{{{{ window }}}}]))
        total: sum(rate({total}[{{{{ window }}}}]))
"""


def sloforge_groups(w: Workload, tmp: Path) -> list[dict[str, object]]:
    import yaml
    from sloforge.pipeline import Options, build, load_catalog

    spec = tmp / f"{w.job}.yml"
    spec.write_text(sloforge_spec(w), encoding="utf-8")
    catalog, _ = load_catalog([str(spec)])
    rules = next(f for f in build(catalog, Options(paths=[str(spec)])) if f.path.startswith("prometheus/"))
    groups: list[dict[str, object]] = yaml.safe_load(rules.content)["groups"]
    return groups


def sloth_groups(w: Workload) -> list[dict[str, object]]:
    errors, total = _selectors(w)
    ident = {"sloth_service": w.job, "sloth_slo": "availability", "sloth_id": f"{w.job}-availability"}
    sel = ", ".join(f'{k}="{v}"' for k, v in ident.items())
    recordings = [{"record": f"slo:sli_error:ratio_rate{win}",
                   "expr": f"(sum(rate({errors}[{win}])))\n/\n(sum(rate({total}[{win}])))",
                   "labels": {**ident, "sloth_window": win}} for win in WINDOWS]
    recordings.append({"record": "slo:sli_error:ratio_rate30d", "labels": {**ident, "sloth_window": "30d"},
                       "expr": f"sum_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[30d])\n/ ignoring "
                               f"(sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[30d])"})
    meta = [
        {"record": "slo:objective:ratio", "expr": f"vector({OBJECTIVE / 100})", "labels": ident},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{OBJECTIVE / 100})", "labels": ident},
        {"record": "slo:time_period:days", "expr": "vector(30)", "labels": ident},
        {"record": "slo:current_burn_rate:ratio", "labels": ident,
         "expr": f"slo:sli_error:ratio_rate5m{{{sel}}}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
                 f"slo:error_budget:ratio{{{sel}}}"},
        {"record": "slo:period_burn_rate:ratio", "labels": ident,
         "expr": f"slo:sli_error:ratio_rate30d{{{sel}}}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
                 f"slo:error_budget:ratio{{{sel}}}"},
        {"record": "slo:period_error_budget_remaining:ratio", "labels": ident,
         "expr": f"1 - slo:period_burn_rate:ratio{{{sel}}}"},
        {"record": "sloth_slo_info", "expr": "vector(1)", "labels": ident},
    ]
    alerts = []
    for tier in ("page", "ticket"):
        parts = [f"(\n  max(slo:sli_error:ratio_rate{short}{{{sel}}} > ({f} * {BUDGET})) without (sloth_window)\n"
                 f"  and\n  max(slo:sli_error:ratio_rate{long}{{{sel}}} > ({f} * {BUDGET})) without "
                 f"(sloth_window)\n)" for t, long, short, f in PAIRS if t == tier]
        alerts.append({"alert": f"{w.job.capitalize()}HighErrorRate", "expr": "\nor\n".join(parts),
                       "labels": {"sloth_severity": tier}})
    name = f"{w.job}-availability"
    return [{"name": f"sloth-slo-sli-recordings-{name}", "rules": recordings},
            {"name": f"sloth-slo-meta-recordings-{name}", "rules": meta},
            {"name": f"sloth-slo-alerts-{name}", "rules": alerts}]


def pyrra_groups(w: Workload) -> list[dict[str, object]]:
    errors, total = _selectors(w)
    slo = {"slo": f"{w.job}-availability"}
    increase = [
        {"record": f"{METRIC.removesuffix('_total')}:increase30d",
         "expr": f'sum by (code) (increase({total}[30d]))', "labels": slo},
        {"alert": "SLOMetricAbsent", "expr": f"absent({total}) == 1", "for": "2m",
         "labels": {**slo, "severity": "critical"}},
    ]
    name = METRIC.removesuffix("_total")
    burnrates: list[dict[str, object]] = [
        {"record": f"{name}:burnrate{win}", "labels": slo,
         "expr": f"sum(rate({errors}[{win}])) / sum(rate({total}[{win}]))"} for win in WINDOWS]
    for tier, long, short, factor in PAIRS:
        sel = f'{{slo="{slo["slo"]}"}}'
        burnrates.append({"alert": "ErrorBudgetBurn", "for": "2m" if tier == "page" else "15m",
                          "expr": f"{name}:burnrate{short}{sel} > ({factor} * (1-{OBJECTIVE / 100})) and "
                                  f"{name}:burnrate{long}{sel} > ({factor} * (1-{OBJECTIVE / 100}))",
                          "labels": {**slo, "long": long, "short": short,
                                     "severity": "critical" if tier == "page" else "warning"}})
    return [{"name": f"{w.job}-availability-increase", "interval": "2m30s", "rules": increase},
            {"name": f"{w.job}-availability", "interval": "30s", "rules": burnrates}]


def period_queries(w: Workload) -> dict[str, str]:
    """The period error ratio each style reports, as a query."""
    errors = "|".join(ERROR_CODES)
    name = METRIC.removesuffix("_total")
    return {
        "sloforge": f'slo:sli_error:ratio_rate30d{{slo_service="{w.job}"}}',
        "sloth": f'slo:sli_error:ratio_rate30d{{sloth_service="{w.job}"}}',
        "pyrra": f'sum({name}:increase30d{{slo="{w.job}-availability",code=~"{errors}"}}) / '
                 f'sum({name}:increase30d{{slo="{w.job}-availability"}})',
    }
