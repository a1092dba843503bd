"""Shipped promtool unit tests for one journey: its alerts proven on its own rule file.

Where the test feeds data: the steps' recorded series (the seam the journey reads,
compile/rules/journeys.py): every window's `slo:sli_error:ratio_rate<w>` of each step,
and, for grouped steps, the 5m and hourly event rates. Everything above (the product,
every window, the period ratio, burn and budget thresholds, `for:`) is evaluated by
promtool from the rule file Prometheus loads. Each scenario holds its ratios constant
from t=0, so every window reads the same ratio:

  - outage: the first step fails every request, the others none: the journey fails
    every journey; every burn-rate tier and every budget alert fires;
  - slow burn: every step at the same ratio, the journey's between the lowest ticket and
    the lowest page threshold: tickets, no page;
  - healthy: every step at a share of a quarter of the lowest threshold (the journey
    under a quarter of it): no burn-rate alert; budget alerts only where the budget
    consumed at that ratio reaches their threshold (computed here, exactly);
  - before `for:`: one minute into the outage nothing fires yet.

Firing alerts are read from ALERTS, counted by name, tier, kind and budget threshold,
so the test says exactly which alerts fire and which stay quiet.
"""

from __future__ import annotations

import math

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.rules.journeys import alerting_rules
from sloforge.compile.rules.recording import hourly_rate_names
from sloforge.compile.rules.rule import AlertingRule, AlertKind
from sloforge.model.catalog import Slo
from sloforge.model.journey import Journey

MINUTE = 60
RATE = 10.0  # events per second of a grouped step's fed event rates
UNTIL = 40  # minutes fed: past the ticket tier's 15m `for:` in its 3m group, and the budget's
BY = (c.LABEL_TIER, c.LABEL_ALERT_KIND, c.LABEL_BUDGET_CONSUMED)
Test = dict[str, object]


def journey_test_file(journey: Journey, steps: list[Slo], rule_file: str,
                      group_order: list[str] | None = None) -> dict[str, object]:
    rules = alerting_rules(journey, steps)
    outage = [1.0] + [0.0] * (len(steps) - 1)
    lowest = min((p.threshold(journey.error_budget) for p in journey.alerting.pairs), default=1.0) \
        if journey.alerting else 1.0
    healthy = [lowest / 4 / len(steps)] * len(steps)
    tests = [_test(journey, steps, rules, "outage of the first step", outage, 1.0)]
    pages = [p.threshold(journey.error_budget) for p in journey.alerting.active_pairs("page")] \
        if journey.alerting else []
    tickets = [p.threshold(journey.error_budget) for p in journey.alerting.active_pairs("ticket")] \
        if journey.alerting else []
    if pages and tickets and min(tickets) < min(pages):
        # between the tiers: every step fails alike, so that the product (not one step) crosses
        target = math.sqrt(min(tickets) * min(pages))
        each = 1 - (1 - target) ** (1 / len(steps))
        tests.append(_test(journey, steps, rules, "every step burning slowly", [each] * len(steps), target))
    tests += [_test(journey, steps, rules, "every step healthy", healthy, _product(healthy)),
             _test(journey, steps, rules, "outage, before for:", outage, 1.0, at=MINUTE)]
    out: dict[str, object] = {"rule_files": [rule_file], "evaluation_interval": "1m"}
    if group_order:
        out["group_eval_order"] = group_order
    out["tests"] = tests
    return out


def _product(ratios: list[float]) -> float:
    return 1 - math.prod(1 - r for r in ratios)


def _test(journey: Journey, steps: list[Slo], rules: list[AlertingRule], what: str, ratios: list[float],
          journey_ratio: float, at: int = UNTIL * MINUTE) -> Test:
    series = []
    for slo, ratio in zip(steps, ratios, strict=True):
        series.extend(_fed(journey, slo, ratio))
    firing = [] if at <= MINUTE else _firing(journey, rules, journey_ratio)
    check = {"expr": f'count by ({", ".join(BY)}, alertname) '
                     f'(ALERTS{{{c.journey_selector(journey.name)}, alertstate="firing"}})',
             "eval_time": durations.format(at),
             "exp_samples": [{"labels": "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}",
                              "value": 1} for labels in firing]}
    return {"name": f"journey {journey.name}: {what}", "interval": "1m", "input_series": series,
            "promql_expr_test": [check]}


def _firing(journey: Journey, rules: list[AlertingRule], ratio: float) -> list[dict[str, str]]:
    """The alerts that fire at a constant journey error ratio, once every `for:` has passed."""
    out = []
    for rule in rules:
        if rule.kind is AlertKind.BURN_RATE:
            pairs = journey.alerting.active_pairs(rule.tier) if journey.alerting else ()
            fires = any(ratio > p.threshold(journey.error_budget) for p in pairs)
        else:
            assert rule.threshold is not None
            fires = 1 - ratio / journey.error_budget <= rule.threshold + 1e-12
        if fires:
            labels = {"alertname": rule.alert, c.LABEL_TIER: rule.tier, c.LABEL_ALERT_KIND: rule.kind.value}
            if c.LABEL_BUDGET_CONSUMED in rule.labels:
                labels[c.LABEL_BUDGET_CONSUMED] = rule.labels[c.LABEL_BUDGET_CONSUMED]
            out.append(labels)
    return sorted(out, key=lambda labels: sorted(labels.items()))


def _fed(journey: Journey, slo: Slo, ratio: float) -> list[dict[str, str]]:
    """The step's recorded series at `ratio`, from t=0 to the end of the test."""
    ids = f'{c.LABEL_SERVICE}="{slo.service}", {c.LABEL_SLO}="{slo.name}"'
    values = f"{ratio!r}+0x{UNTIL}"
    out = [{"series": f'{c.error_ratio(durations.format(w))}{{{ids}, {c.LABEL_WINDOW}="{durations.format(w)}"}}',
            "values": values} for w in sorted({*journey.windows, journey.period})]
    if slo.sli.group_by:
        base = durations.format(c.BASE_WINDOW_SECONDS)
        hour = durations.format(c.PERIOD_STEP_SECONDS)
        errors1h, total1h = hourly_rate_names()
        for name, window, rate in ((c.error_events(base), base, RATE * ratio), (c.total_events(base), base, RATE),
                                   (errors1h, hour, RATE * ratio), (total1h, hour, RATE)):
            out.append({"series": f'{name}{{{ids}, {c.LABEL_WINDOW}="{window}"}}', "values": f"{rate!r}+0x{UNTIL}"})
    return out
