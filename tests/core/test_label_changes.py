"""A change of a spec's labels never breaks the rules nor resets the budget (issue 14, point 1).

Each case compiles an old and a new spec. The old rules' recorded series (every windowed
series, under the old label set, as the old rules recorded them: 10 req/s at 1% errors)
are fed to promtool for the first 10 hours and end with the staleness marker Prometheus
writes when reloaded rules no longer produce them; the new 5m series (new labels, no
errors) follow. The new rules run over both. promtool fails the test on any rule
evaluation error ("vector contains metrics with the same labelset after applying rule
labels", which the rules before this change raised in every case that keeps a label
name), and the checks below ask for:
  - exactly one series per recorded name and identity, under the new labels, before the
    change (old and new series both visible) and after it; nothing left under old labels;
  - the period ratio keeps the errors recorded before the change: 0.01 at 9h, and at 12h
    600 minutes at 1% and 121 at 0% = 60 / 7210;
  - each alert fires once per identity (page, ticket, both budget thresholds at 9h;
    ticket and budget at 12h), under the new labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sloforge import conventions as c
from sloforge.compile.rules.alerts import alerting_rules
from sloforge.compile.rules.recording import labels, recording_rules
from sloforge.compile.rules.rule import AlertKind
from sloforge.model.catalog import Slo
from sloforge.pipeline import load_catalog

from tests.core.harness import rule_file, run

CHANGE = 600  # minute the new rules take over
END = 720
ROUTES = ("a", "b")


def spec(service_labels: dict[str, str], slo_labels: dict[str, str], grouped: bool) -> str:
    def flow(labels_: dict[str, str]) -> str:
        return "{" + ", ".join(f'{k}: "{v}"' for k, v in labels_.items()) + "}"

    by = "sum by (route)" if grouped else "sum"
    group = "        group_by: [route]\n" if grouped else ""
    return f"""\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: web
labels: {flow(service_labels)}
slos:
  - name: availability
    objective: 99.9
    labels: {flow(slo_labels)}
    sli:
      events:
        errors: {by}(rate(http_requests_total{{code=~"5.."}}[{{{{ window }}}}]))
        total: {by}(rate(http_requests_total[{{{{ window }}}}]))
{group}    alerting:
      budget:
        - {{consumed: 50%, severity: ticket}}
        - {{consumed: 100%, severity: page}}
"""


CASES = [
    pytest.param({"tier": "1"}, {}, {"tier": "2"}, {}, id="service label value changed"),
    pytest.param({"tier": "1"}, {}, {"level": "1"}, {}, id="service label renamed"),
    pytest.param({"tier": "1"}, {}, {}, {}, id="service label removed"),
    pytest.param({}, {}, {"tier": "1"}, {}, id="service label added"),
    pytest.param({"tier": "1"}, {"kind": "api"}, {"tier": "1"}, {"kind": "web"}, id="SLO label value changed"),
    pytest.param({}, {"kind": "api"}, {}, {"class": "api"}, id="SLO label renamed"),
    pytest.param({"tier": "1"}, {"kind": "api"}, {"tier": "1"}, {}, id="SLO label removed"),
    pytest.param({"tier": "1"}, {}, {"tier": "1"}, {"kind": "api"}, id="SLO label added"),
]


def _slo(folder: Path, text: str) -> Slo:
    folder.mkdir(parents=True)
    (folder / "shop.yml").write_text(text, encoding="utf-8")
    catalog, _ = load_catalog([str(folder)])
    return catalog.slos[0]


def _old_value(name: str, minute: int) -> float:
    """What the old rules recorded at `minute` at 10 req/s and 1% errors."""
    if name.endswith(":rate5m"):
        return 0.1 if "error" in name else 10.0
    if name.endswith(":rate1h"):  # the minutes of the hour so far, / 60
        return min(minute + 1, 60) / 60 * (0.1 if "error" in name else 10.0)
    if name == c.PERIOD_BUDGET_REMAINING:
        return -9.0
    if "burn_rate" in name:
        return 10.0
    return 0.01  # every error ratio


def _values(name: str) -> str:
    ramp = [repr(_old_value(name, m)) for m in range(60)] if name.endswith(":rate1h") else []
    steady = _old_value(name, CHANGE)
    return " ".join([*ramp, f"{steady!r}+0x{CHANGE - len(ramp) - 1}", "stale"])


def _series(name: str, series_labels: dict[str, str]) -> str:
    return name + "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(series_labels.items())) + "}"


def _one_each(expr: str, at: int, expected: list[dict[str, str]]) -> dict[str, object]:
    return {"expr": expr, "eval_time": f"{at}m",
            "exp_samples": [{"labels": _series("", e), "value": 1} for e in expected]}


@pytest.mark.parametrize("grouped", [False, True], ids=["plain", "grouped"])
@pytest.mark.parametrize(("old_service", "old_slo", "new_service", "new_slo"), CASES)
def test_a_label_change_keeps_the_budget(promtool: str, tmp_path: Path, grouped: bool,
                                         old_service: dict[str, str], old_slo: dict[str, str],
                                         new_service: dict[str, str], new_slo: dict[str, str]) -> None:
    old = _slo(tmp_path / "old", spec(old_service, old_slo, grouped))
    new = _slo(tmp_path / "new", spec(new_service, new_slo, grouped))
    rules = rule_file(tmp_path / "new", tmp_path)
    routes = [{"route": r} for r in ROUTES] if grouped else [{}]

    series: dict[str, str] = {}
    for rule in recording_rules(old):
        if c.LABEL_WINDOW in rule.labels:  # objective, budget and info are read by nothing
            for route in routes:
                series[_series(rule.record, {**rule.labels, **route})] = _values(rule.record)
    for rule in recording_rules(new)[:2]:  # the new 5m series, from the change on
        value = 0.0 if "error" in rule.record else 10.0
        for route in routes:
            series[_series(rule.record, {**rule.labels, **route})] = f"_x{CHANGE} {value!r}+0x{END - CHANGE}"

    old_labels, new_labels = dict(old.labels), dict(new.labels)
    gone = {k: v for k, v in old_labels.items() if new_labels.get(k) != v}
    # Select by every label either set has: the new value, or absent.
    pinned = {k: new_labels.get(k, "") for k in old_labels.keys() | new_labels.keys()}
    sel = {c.LABEL_SERVICE: "shop", c.LABEL_SLO: "availability", **pinned}
    checks: list[dict[str, object]] = []
    for at in (9 * 60, END):
        for rule in recording_rules(new):
            window = rule.labels.get(c.LABEL_WINDOW)
            if window is None or rule.record in (c.error_events("5m"), c.total_events("5m")):
                continue
            expected = [{**labels(new, None), c.LABEL_WINDOW: window, **route} for route in routes]
            # `x * 0 + 1`: 1 per series, so the labels of every series are compared exactly.
            checks.append(_one_each(f"{_series(rule.record, sel)} * 0 + 1", at, expected))
    period = _series(c.error_ratio("30d"), sel)
    for at, exact in ((9 * 60, 0.01), (END, 60 / 7210)):
        checks.append(_one_each(f"abs({period} / {exact!r} - 1) < bool 1e-9", at,
                                [{**labels(new, None), c.LABEL_WINDOW: "30d", **route} for route in routes]))
    # Alerts: one per alert rule (and route) that fires, under the new labels.
    by = "alertname, slo_severity, slo_budget_consumed" + (", route" if grouped else "")
    firing = f'count by ({by}) (ALERTS{{alertstate="firing", slo_service="shop"}})'
    for at, tiers in ((9 * 60, {"page", "ticket"}), (END, {"ticket"})):
        expected = []
        for alert in alerting_rules(new):
            if alert.kind is AlertKind.BURN_RATE and alert.tier not in tiers:
                continue
            keep = {k: v for k, v in alert.labels.items() if k in ("slo_severity", "slo_budget_consumed")}
            expected += [{"alertname": alert.alert, **keep, **route} for route in routes]
        checks.append(_one_each(firing, at, sorted(expected, key=lambda e: sorted(e.items()))))
    for key, value in gone.items():  # nothing under a label the spec no longer has
        checks.append({"expr": f'count({{slo_service="shop", {key}="{value}"}})', "eval_time": f"{END}m",
                       "exp_samples": []})
        checks.append({"expr": f'count(ALERTS{{slo_service="shop", {key}="{value}"}})',
                       "eval_time": f"{9 * 60}m", "exp_samples": []})
    run(promtool, rules, series, checks, tmp_path)
