"""promtool unit tests for one service: every SLO's alerts proven on synthetic data.

Where the test feeds data: at the 5m base series (`slo:sli_error_events:rate5m`,
`slo:sli_total_events:rate5m`), the seam between the user's PromQL and
sloforge's own maths. Everything above that seam (every window ratio, the
period ratio, burn and budget thresholds, `for:` durations, the low-traffic
guard, labels and rendered annotations) is evaluated by promtool from the very
rule file Prometheus loads. The user's queries are arbitrary PromQL over
metrics only the user knows (`code=~"5.."`, `1 - avg(...)`), so synthesising raw
series that make them yield a chosen ratio is not possible in general; without
raw series those rules record nothing and the fed series stand in for them.

Scenarios per SLO, each at a constant error ratio from t=0 so that every window
sees the same ratio and the expected alert values are exact:
  - outage: every request fails; the page tier fires after its `for:` (and the
    ticket tier once its own `for:` has passed), budget-policy alerts fire;
  - slow burn: a ratio between the ticket and page thresholds; ticket, no page;
  - healthy: half of the lowest threshold; nothing fires;
  - low traffic (with `min_events`): an outage on too few events stays quiet;
  - no data (with `absent`): the SLI stops; the no-data alert fires.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.rules.alerts import alerting_rules
from sloforge.compile.rules.recording import BASE, labels
from sloforge.compile.rules.rule import AlertingRule, AlertKind
from sloforge.model.catalog import Slo
from sloforge.promql import string

MINUTE = 60
# Marks the fed series. A query that returns data without any raw metrics
# (`... or vector(0)`) still records its own 5m series in the test; the label
# keeps the fed series apart from it instead of colliding sample for sample.
# Every rule above the 5m series sums them by the SLO's identity, so no output
# carries this label.
INPUT_LABEL = {"sloforge_test_input": "synthetic"}
RATE = 10.0  # events per second fed in every scenario (enough for any usual min_events)
Test = dict[str, object]


@dataclass(frozen=True, slots=True)
class Expectation:
    """What one alert rule must look like at an instant (value drives annotations)."""

    rule: AlertingRule
    value: float
    expr_labels: dict[str, str]


def test_file(slos: tuple[Slo, ...], rule_file: str, group_order: list[str] | None = None,
              alerting: list[list[AlertingRule]] | None = None) -> dict[str, object]:
    """A promtool test file for the rule file at `rule_file` (relative to the test file).

    `group_order`: the rule file's groups in dependency order. promtool evaluates all
    groups at every step in an unspecified order unless told; a group that sums series
    another group records in the same tick would otherwise see one sample fewer of
    some of them (a time-based SLI's 1d ratio read 133% at minute 3).
    `alerting`: each SLO's alerting_rules(), when the caller has compiled them already."""
    tests: list[Test] = []
    rules = alerting if alerting is not None else [alerting_rules(slo) for slo in slos]
    no_data = [next((r for r in found if r.kind is AlertKind.NO_DATA), None) for found in rules]
    for index, slo in enumerate(slos):
        own = slo_tests(slo, rules[index])
        siblings = [(other, rule) for j, (other, rule) in enumerate(zip(slos, no_data, strict=True))
                    if j != index and rule is not None]
        _expect_siblings_no_data(own, siblings)
        tests.extend(own)
    out: dict[str, object] = {"rule_files": [rule_file], "evaluation_interval": "1m"}
    if group_order:
        out["group_eval_order"] = group_order
    out["tests"] = tests
    return out


def _expect_siblings_no_data(tests: list[Test], siblings: list[tuple[Slo, AlertingRule]]) -> None:
    """An SLO's tests feed only its own series, so every other SLO of the file has no data and
    its no-data alert fires throughout. Alert names are shared when a spec names them so (Pyrra's
    ErrorBudgetBurn, one alerting.name on several Sloth SLOs): a check of that name expects them."""
    for test in tests:
        checks: list[Test] = test.get("alert_rule_test", [])  # type: ignore[assignment]
        for check in checks:
            for other, rule in siblings:
                if check["alertname"] == rule.alert:
                    found = {c.LABEL_SERVICE: other.service, c.LABEL_SLO: other.name}
                    expected: list[object] = check["exp_alerts"]  # type: ignore[assignment]
                    check["exp_alerts"] = [*expected, _expected(Expectation(rule, 1.0, found))]


def slo_tests(slo: Slo, rules: list[AlertingRule] | None = None) -> list[Test]:
    """`rules`: alerting_rules(slo), when the caller has them already."""
    if rules is None:
        rules = alerting_rules(slo)
    tests = [t for t in (_outage(slo, rules), _slow_burn(slo, rules), _healthy(slo, rules),
                         _low_traffic(slo, rules), _no_data(slo, rules)) if t is not None]
    return tests


# -- scenarios ------------------------------------------------------------------

def _outage(slo: Slo, rules: list[AlertingRule]) -> Test | None:
    fors = _burn_fors(slo, 1.0, RATE)
    if not fors:
        return None
    page_first = fors.get("page", min(fors.values()))
    first = _unambiguous(page_first + 2 * MINUTE, fors.values())
    last = _unambiguous(max([*fors.values(), *(b.for_seconds for b in slo.alerting.budget)]) + 2 * MINUTE,
                        [*fors.values(), *(b.for_seconds for b in slo.alerting.budget)])
    checks = [_burn_check(slo, rules, first, 1.0, {t for t, f in fors.items() if f + MINUTE <= first}),
              _burn_check(slo, rules, last, 1.0, set(fors))]
    checks.extend(_budget_checks(slo, rules, last, ratio=1.0))
    return _test(slo, "full outage pages", last, 1.0, RATE, checks)


def _slow_burn(slo: Slo, rules: list[AlertingRule]) -> Test | None:
    ticket, page = _lowest_threshold(slo, "ticket"), _lowest_threshold(slo, "page")
    if ticket is None:
        return None
    ceiling = min(page if page is not None else 1.0, 1.0)
    ratio = _round3(math.sqrt(ticket * ceiling))
    if not ticket * 1.01 < ratio < ceiling * 0.99:
        return None
    fors = _burn_fors(slo, ratio, RATE)
    if "ticket" not in fors or "page" in fors:
        return None
    at = _unambiguous(fors["ticket"] + 2 * MINUTE, fors.values())
    return _test(slo, f"slow burn at {_percent(ratio)} tickets and does not page", at, ratio, RATE,
                 [_burn_check(slo, rules, at, ratio, {"ticket"})])


def _healthy(slo: Slo, rules: list[AlertingRule]) -> Test:
    limits = [t for t in (_lowest_threshold(slo, "page"), _lowest_threshold(slo, "ticket")) if t]
    # (A forecast entry cannot fire at half the budget's ratio: the burn b <= 0.5 leaves R = 1 - b >= b.)
    limits += [b.consumed * slo.error_budget for b in slo.alerting.budget if b.consumed is not None]
    ratio = _round3(0.5 * min([*limits, slo.error_budget]))
    fors = [*_burn_fors(slo, 1.0, RATE).values(), *(b.for_seconds for b in slo.alerting.budget)]
    at = max(fors, default=0) + 10 * MINUTE
    at = math.ceil(at / MINUTE) * MINUTE
    checks: list[Test] = [{"eval_time": durations.format(at), "alertname": rule.alert,
                           "exp_alerts": []} for rule in _unique_names(rules)]
    sel = c.selector(slo.service, slo.name)
    exprs: list[Test] = [
        {"expr": f"abs({c.error_ratio(durations.format(BASE))}{{{sel}}} - {ratio!r}) < bool 1e-9",
         "eval_time": durations.format(at),
         "exp_samples": [{"labels": _series(labels(slo, BASE)), "value": 1}]},
    ]
    return _test(slo, f"healthy service at {_percent(ratio)} errors stays silent", at, ratio, RATE,
                 checks, exprs)


def _low_traffic(slo: Slo, rules: list[AlertingRule]) -> Test | None:
    guard = slo.alerting.min_events
    pairs = [p for t in c.TIERS for p in slo.alerting.active_pairs(t)]
    if not guard or not pairs:
        return None
    rate = guard / (2 * max(p.long for p in pairs))  # half the events the guard asks for
    fors = _burn_fors(slo, 1.0, RATE)
    at = math.ceil((max(fors.values(), default=0) + 2 * MINUTE) / MINUTE) * MINUTE
    return _test(slo, f"outage below min_events ({guard} {slo.sli.unit}) stays quiet", at, 1.0, rate,
                 [{"eval_time": durations.format(at), "alertname": slo.alerting.name, "exp_alerts": []}])


def _no_data(slo: Slo, rules: list[AlertingRule]) -> Test | None:
    absent = slo.alerting.absent_seconds
    rule = next((r for r in rules if r.kind is AlertKind.NO_DATA), None)
    if not absent or rule is None:
        return None
    data_until = 10 * MINUTE
    quiet_at = _minutes_up(data_until + absent - MINUTE)
    # +5m: a time-based SLI's total series is recorded from the error series,
    # which an instant query still finds for the 5m lookback after it stops.
    firing_at = _minutes_up(data_until + absent + 6 * MINUTE)
    found = {c.LABEL_SERVICE: slo.service, c.LABEL_SLO: slo.name}
    checks: list[Test] = [
        {"eval_time": durations.format(quiet_at), "alertname": rule.alert, "exp_alerts": []},
        {"eval_time": durations.format(firing_at), "alertname": rule.alert,
         "exp_alerts": [_expected(Expectation(rule, 1.0, found))]},
    ]
    return _test(slo, f"no SLI data for {durations.format(absent)} raises the no-data alert", data_until,
                 0.0, RATE, checks, stop=True)


# -- building blocks ------------------------------------------------------------

def _test(slo: Slo, what: str, until: int, ratio: float, rate: float, alert_tests: list[Test],
          expr_tests: list[Test] | None = None, stop: bool = False) -> Test:
    steps = until // MINUTE + (0 if stop else 2)
    fed = {**labels(slo, BASE), **INPUT_LABEL}
    series = [{"series": _series(fed, c.error_events(durations.format(BASE))),
               "values": _values(ratio * (1.0 if slo.sli.time_based else rate), steps)}]
    if not slo.sli.time_based:  # a time-based SLI's total (1 per series) is recorded from its errors
        series.append({"series": _series(fed, c.total_events(durations.format(BASE))),
                       "values": _values(rate, steps)})
    test: Test = {"name": f"{slo.service}/{slo.name}: {what}", "interval": "1m", "input_series": series,
                  "alert_rule_test": alert_tests}
    if expr_tests:
        test["promql_expr_test"] = expr_tests
    return test


def _values(value: float, steps: int) -> str:
    return f"{value!r}+0x{steps}"


def _series(series_labels: dict[str, str], name: str = "") -> str:
    return name + _matchers(tuple(sorted(series_labels.items())))


@lru_cache(maxsize=256)
def _matchers(items: tuple[tuple[str, str], ...]) -> str:
    """Cached: every scenario of an SLO feeds the same series."""
    # An empty label value is no label at all in Prometheus.
    return "{" + ", ".join(f"{k}={string(v)}" for k, v in items if v) + "}"


def _burn_fors(slo: Slo, ratio: float, rate: float) -> dict[str, int]:
    """When every tier that fires at a constant error ratio (from t=0) fires: its `for:`, after
    the low-traffic guard has counted `min_events` (one 5m rate a minute, each x 60 s) at the
    first evaluation of the alert's group."""
    out = {}
    guard = slo.alerting.min_events
    for tier in c.TIERS:
        pairs = slo.alerting.active_pairs(tier)
        firing = [p for p in pairs
                  if ratio > _threshold(slo, p.factor) and (not guard or rate * p.long >= guard)]
        if not firing:
            continue
        start = 0
        if guard:
            interval = (durations.parse(c.LONG_GROUP_INTERVAL) if max(p.long for p in pairs) >= c.LONG_WINDOW_SECONDS
                        else MINUTE)
            counted = math.ceil(guard / (rate * MINUTE) - 1e-9) - 1  # the minute whose sample completes it
            start = math.ceil(max(counted, 0) * MINUTE / interval) * interval
        out[tier] = start + slo.alerting.tier(tier).for_seconds
    return out


def _threshold(slo: Slo, factor: float) -> float:
    return _printed_product(factor, slo.error_budget)


@lru_cache(maxsize=1024)
def _printed_product(factor: float, error_budget: float) -> float:
    # As Prometheus computes `(factor * budget)` from the printed literals.
    return float(f"{factor:.10g}") * float(f"{error_budget:.10g}")


def _lowest_threshold(slo: Slo, tier: str) -> float | None:
    found = [_threshold(slo, p.factor) for p in slo.alerting.active_pairs(tier)]
    found = [t for t in found if t < 1]
    return min(found) if found else None


def _unambiguous(at: int, fors: object) -> int:
    """A whole minute at least `at` that is not within a minute after any `for:` expiring."""
    at = _minutes_up(at)
    while any(f <= at < f + MINUTE for f in fors):  # type: ignore[attr-defined]
        at += MINUTE
    return at


def _minutes_up(seconds: int) -> int:
    return math.ceil(seconds / MINUTE) * MINUTE


def _round3(value: float) -> float:
    return float(f"{value:.3g}")


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.4g}%"


def _unique_names(rules: list[AlertingRule]) -> list[AlertingRule]:
    seen: dict[str, AlertingRule] = {}
    for rule in rules:
        seen.setdefault(rule.alert, rule)
    return list(seen.values())


def _burn_check(slo: Slo, rules: list[AlertingRule], at: int, ratio: float, tiers: set[str]) -> Test:
    name = slo.alerting.name
    found = [r for r in rules if r.kind is AlertKind.BURN_RATE and r.tier in tiers]
    expr_labels = labels(slo)
    return {"eval_time": durations.format(at), "alertname": name,
            "exp_alerts": [_expected(Expectation(r, ratio, expr_labels)) for r in found]}


def _budget_checks(slo: Slo, rules: list[AlertingRule], at: int, ratio: float) -> list[Test]:
    """The budget alerts at a constant error `ratio` from t=0 (one check per alert name)."""
    consumed = [r for r in rules if r.kind is AlertKind.BUDGET and r.threshold is not None]
    forecast = [r for r in rules if r.kind is AlertKind.BUDGET and r.threshold is None]
    budget = float(repr(round(slo.error_budget, 12)))
    burn = ratio / budget
    remaining = 1 - burn
    # The period's series, less slo_window: alerts aggregate it away (alerts.py).
    series = labels(slo)
    checks: list[Test] = []
    if consumed:
        expected = [_expected(Expectation(rule, remaining, series)) for rule in consumed
                    if rule.threshold is not None and remaining <= rule.threshold]
        checks.append({"eval_time": durations.format(at), "alertname": consumed[0].alert, "exp_alerts": expected})
    if forecast:
        # Every window reads `ratio`: the last day's burn b has consumed b of the period, R = 1 - b.
        # An outage (b > 1) has spent it: the forecast is 0 and every horizon fires.
        if remaining <= 0:
            left: float | None = 0.0
        else:
            left = remaining * slo.period / burn if burn > remaining else None
        expected = [_expected(Expectation(rule, left, series)) for rule in forecast
                    if left is not None and left <= (rule.horizon or 0)]
        checks.append({"eval_time": durations.format(at), "alertname": forecast[0].alert, "exp_alerts": expected})
    return checks


def _expected(expectation: Expectation) -> dict[str, object]:
    rule = expectation.rule
    alert_labels = {**expectation.expr_labels,
                    **{k: render_annotation(v, expectation.value, expectation.expr_labels)
                       for k, v in rule.labels.items()}}
    annotations = {k: render_annotation(v, expectation.value, alert_labels) for k, v in rule.annotations.items()}
    # Prometheus drops labels whose value is empty (after templating).
    present = {k: v for k, v in sorted(alert_labels.items()) if v != ""}
    return {"exp_labels": present, "exp_annotations": annotations}


_ACTION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def render_annotation(text: str, value: float, alert_labels: dict[str, str]) -> str:
    """Render the Go-template actions sloforge itself puts into annotations.

    Anything else is a bug in the compiler (user text is escaped to
    `{{ "{{" }}`), so it raises rather than guessing."""
    if "{{" not in text:
        return text  # most label values: nothing to render

    def action(match: re.Match[str]) -> str:
        body = match.group(1).strip()
        if body == '"{{"':
            return "{{"
        if body == "$value | humanizePercentage":
            return f"{value * 100:.4g}%"
        if body == "$value | humanizeDuration":
            return humanize_duration(value)
        if body.startswith("$labels.") and body[8:] in alert_labels:
            return alert_labels[body[8:]]
        raise ValueError(f"unexpected template action in a generated annotation: {{{{{body}}}}}")

    return _ACTION.sub(action, text)


def humanize_duration(seconds: float) -> str:
    """Prometheus' humanizeDuration for the values these tests produce (0, or whole seconds and more)."""
    if seconds == 0:
        return "0s"
    if abs(seconds) < 1:
        raise ValueError(f"humanizeDuration of a sub-second value is not modelled: {seconds}")
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    days, hours, minutes = whole // 86400, whole // 3600 % 24, whole // 60 % 60
    rest = abs(seconds) % 60
    if days:
        return f"{sign}{days}d {hours}h {minutes}m {int(rest)}s"
    if hours:
        return f"{sign}{hours}h {minutes}m {int(rest)}s"
    if minutes:
        return f"{sign}{minutes}m {int(rest)}s"
    return f"{sign}{rest:.4g}s"
