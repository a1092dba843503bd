"""The exhaustion forecast (`slo:period_error_budget_exhaustion:seconds`) in real promtool.

The tests feed the 5m base series (the seam the generated unit tests feed too: above it,
every window, the period sum, the remaining budget and the forecast are evaluated by
promtool from the rule file sloforge writes), so the recent burn b and the remaining
budget R are exact and the forecast R P / b is checked against arithmetic done here by
hand. The numbers are chosen so that a wrong formula gives another answer: R / b without
P, (1 - R) P / b, P / b, or a forecast where the burn cannot exhaust the budget.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from sloforge import conventions as c
from sloforge.compile.rules.unit_tests import INPUT_LABEL
from sloforge.pipeline import load_catalog

from tests.budgets.conftest import rule_files

FORECAST = c.PERIOD_BUDGET_EXHAUSTION


def slo(name: str, objective: float, window: str = "30d", windows: str = "") -> str:
    alerting = f"    alerting:\n      windows:\n{windows}" if windows else ""
    return (f"  - name: {name}\n    objective: {objective}\n    window: {window}\n    sli:\n      events:\n"
            f"        errors: sum(rate(req_total{{job=\"{name}\",code=\"500\"}}[{{{{ window }}}}]))\n"
            f"        total: sum(rate(req_total{{job=\"{name}\"}}[{{{{ window }}}}]))\n{alerting}")


def spec(*slos: str) -> str:
    return "apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: shop\nslos:\n" + "".join(slos)


# A page-only policy: no 1d window recorded, so the forecast sums the 5m rates over [1d] itself.
PAGE_ONLY = "        - {long: 1h, short: 5m, factor: 14, severity: page}\n"


def fed(name: str, errors: str, total: str) -> list[dict[str, str]]:
    """The SLO's 5m error and total rates (per second), as promtool input values."""
    labels = {c.LABEL_SERVICE: "shop", c.LABEL_SLO: name, c.LABEL_WINDOW: "5m", **INPUT_LABEL}
    matchers = "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    return [{"series": c.error_events("5m") + matchers, "values": errors},
            {"series": c.total_events("5m") + matchers, "values": total}]


def steady(name: str, ratio: float, per_second: float, minutes: int) -> list[dict[str, str]]:
    return fed(name, f"{ratio * per_second!r}+0x{minutes}", f"{per_second!r}+0x{minutes}")


def forecast(at: str, expected: dict[str, float], period: dict[str, str]) -> dict[str, object]:
    """The forecast at `at`, to 1/100 s, of exactly the SLOs in `expected` (others absent)."""
    return {"expr": f"round({FORECAST}, 0.01)", "eval_time": at,
            "exp_samples": [{"labels": _labels(name, period[name]), "value": value}
                            for name, value in sorted(expected.items())]}


def _labels(name: str, window: str) -> str:
    """The labels of an SLO's period series (round() drops the metric name)."""
    return f'{{slo_name="{name}", slo_service="shop", slo_window="{window}"}}'


def group_order(rules_text: str) -> list[str]:
    """Each SLO's fast group before its long one, as Prometheus' own minute-later reads would see them."""
    return [g["name"] for g in yaml.safe_load(rules_text)["groups"]]


def run(promtool: str, tmp_path: Path, text: str, test: dict[str, object]) -> None:
    rules = rule_files(text, tmp_path)
    document = {"rule_files": rules, "evaluation_interval": "1m",
                "group_eval_order": group_order((tmp_path / rules[0]).read_text()), "tests": [test]}
    (tmp_path / "test.yml").write_text(yaml.safe_dump(document, sort_keys=False, width=1000), encoding="utf-8")
    done = subprocess.run([promtool, "test", "rules", "test.yml"], cwd=tmp_path, check=False,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_forecast_at_a_steady_burn_and_its_edges(promtool: str, tmp_path: Path) -> None:
    # A steady error ratio e from the start: every window reads e, so b = e / budget and the
    # period has consumed b, R = 1 - b. The budget can run out only when b > R, i.e. b > 0.5.
    text = spec(slo("steady", 99.9, "28d"), slo("calm", 99.9, "28d"), slo("spent", 99.5),
                slo("idle", 99.9), slo("quiet", 99.9, "7d"), slo("gone", 99.5),
                slo("short", 99, "12h", PAGE_ONLY))
    minutes = 180
    series = [
        # b = 0.0007 / 0.001 = 0.7 (below 1), R = 0.3 < b: R P / b = 0.3 / 0.7 x 28d = 1,036,800 s
        # (12d). R / b would be 0.43, (1 - R) P / b a whole period, which the forecast never shows.
        *steady("steady", 0.0007, 10, minutes),
        # b = 0.4, R = 0.6 >= b: a burn below what is left cannot exhaust it: absent.
        *steady("calm", 0.0004, 25, minutes),
        # b = 0.02 / 0.005 = 4, R = -3: already exhausted: 0, not a negative time.
        *steady("spent", 0.02, 3, minutes),
        # no traffic at all: R and b are 0/0: absent, no NaN.
        *fed("idle", f"0+0x{minutes}", f"0+0x{minutes}"),
        # traffic, no errors: b = 0, R = 1: absent, no +Inf.
        *steady("quiet", 0.0, 7, minutes),
        # spent in its first hour (b = 0.04 / 0.005 = 8), then idle: the day's burn is still 8 (its
        # ratio counts the errors of that hour), R = 1 - 8 < 0: 0.
        *fed("gone", f"0.4+0x60 0+0x{minutes - 61}", f"10+0x60 0+0x{minutes - 61}"),
        # a 12h period (shorter than the forecast's day) reads the period's own burn:
        # b = 0.008 / 0.01 = 0.8, R = 0.2: 0.2 / 0.8 x 12h = 10,800 s.
        *steady("short", 0.008, 4, minutes),
    ]
    period = {"steady": "28d", "calm": "28d", "spent": "30d", "idle": "30d", "quiet": "7d", "gone": "30d",
              "short": "12h"}
    run(promtool, tmp_path, text, {"interval": "1m", "input_series": series, "promql_expr_test": [
        forecast("2h", {"steady": 1036800, "spent": 0, "gone": 0, "short": 10800}, period),
        # the inputs the forecast reads, for the arithmetic above
        {"expr": f'round({c.PERIOD_BUDGET_REMAINING}{{slo_name=~"steady|calm|short"}}, 0.0001)', "eval_time": "2h",
         "exp_samples": [{"labels": _labels(n, period[n]), "value": v}
                         for n, v in (("calm", 0.6), ("short", 0.2), ("steady", 0.3))]},
    ]})


def test_a_burn_of_10_and_the_alert_that_fires_once_the_forecast_drops_under_its_horizon(
        promtool: str, tmp_path: Path) -> None:
    # A 7d SLO at 99% (budget 1%): an hour at 600 requests/s without errors, then 25 hours at 1/s with
    # 10% errors. At 26h the last day saw only the second phase: b = 0.1 / 0.01 = 10. The period so
    # far: 1500 minutes x 0.1 errors/s over (60 x 600 + 1500 x 1) request-minutes = 0.004 error ratio,
    # 40% of the budget: R = 0.6. Earliest exhaustion: R P / b = 0.6 x 604,800 s / 10 = 36,288 s
    # (10h04m48s). (1 - R) P / b would give 24,192 s; R P without b 362,880 s; R / b 0.06.
    # (Minute 0 is missing, so the phases are 60 and 1500 samples and the period's hours hold them all.)
    #
    # Before that, minute by minute as the quiet first hour leaves the last day: the day's
    # burn b jumps up as its samples (600 requests/s, no errors) leave the window, while the remaining
    # budget R counts the period's whole hours (1h steps) only. At minute m past the first, with the 1d
    # window holding minutes m-1440..m (both ends), of which k <= 60 in the quiet hour:
    #   b = 0.1 (1440 - k + 1) / (600 k + 1440 - k + 1) / 0.01
    #   R = 1 - 0.1 n / (36000 + n) / 0.01, n = the noisy minutes up to the last whole hour
    # and the forecast is R x 604,800 / b. Horizons of 16h and 12h, `for: 1m` each.
    text = spec(slo("surge", 99, "7d", PAGE_ONLY).rstrip("\n") + "\n      budget:\n"
                "        - {exhausts_within: 16h, severity: ticket, for: 1m}\n"
                "        - {exhausts_within: 12h, severity: page, for: 1m}\n")
    series = fed("surge", "_ 0+0x59 0.1+0x1499", "_ 600+0x59 1+0x1499")

    def by_hand(minute: int) -> float:
        quiet = max(0, 60 - (minute - 1440) + 1)  # quiet minutes still in [m - 1440, m]
        noisy_in_day = 1441 - quiet
        b = 0.1 * noisy_in_day / (600 * quiet + noisy_in_day) / 0.01
        noisy = minute // 60 * 60 - 60
        remaining = 1 - 0.1 * noisy / (36000 + noisy) / 0.01
        return round(remaining * 604800 / b, 2)

    # 24h58m: 23.9h (three quiet minutes left in the day); 24h59m: 19.4h; 25h: 14.6h; 25h01m: 10.3h
    expected = {m: by_hand(m) for m in (1498, 1499, 1500, 1501)}
    assert [round(v / 3600, 1) for v in expected.values()] == [23.9, 19.4, 14.6, 10.3]

    def alerts(minute: int, states: dict[str, str]) -> dict[str, object]:
        return {"expr": 'count by (slo_budget_exhausts_within, alertstate) (ALERTS{slo_alert_kind="budget"})',
                "eval_time": f"{minute}m",
                "exp_samples": [{"labels": f'{{alertstate="{state}", slo_budget_exhausts_within="{h}"}}', "value": 1}
                                for h, state in sorted(states.items())]}

    run(promtool, tmp_path, text, {"interval": "1m", "input_series": series, "promql_expr_test": [
        *(forecast(f"{m}m", {"surge": v}, {"surge": "7d"}) for m, v in expected.items()),
        alerts(1440, {}), alerts(1499, {}),  # a day in (b < R: absent), and the minute before (19.4h)
        alerts(1500, {"16h": "pending"}),
        alerts(1501, {"16h": "firing", "12h": "pending"}),
        alerts(1502, {"16h": "firing", "12h": "firing"}),
        forecast("26h", {"surge": 36288}, {"surge": "7d"}),
        {"expr": f"round({c.PERIOD_BUDGET_REMAINING}, 0.0001)", "eval_time": "26h",
         "exp_samples": [{"labels": _labels("surge", "7d"), "value": 0.6}]},
    ]})


def test_the_forecast_runs_with_the_period_series(tmp_path: Path) -> None:
    # Its slo_window label is the period's: a period of a day or more puts it (and its alert) in the
    # 3m long group beside the remaining budget it reads, a 12h period in the 1m group.
    text = spec(slo("month", 99.9), slo("short", 99, "12h", PAGE_ONLY).rstrip("\n")
                + "\n      budget: [{exhausts_within: 2h, severity: ticket}]\n")
    groups = yaml.safe_load((tmp_path / rule_files(text, tmp_path)[0]).read_text())["groups"]
    where = {(rule.get("record") or rule["alert"], group["name"]): group["interval"]
             for group in groups for rule in group["rules"]
             if rule.get("record") in (FORECAST, c.PERIOD_BUDGET_REMAINING) or "Exhaustion" in rule.get("alert", "")}
    assert where == {
        (FORECAST, "sloforge-shop-month-long"): "3m", (c.PERIOD_BUDGET_REMAINING, "sloforge-shop-month-long"): "3m",
        (FORECAST, "sloforge-shop-short"): "1m", (c.PERIOD_BUDGET_REMAINING, "sloforge-shop-short"): "1m",
        ("ShopShortErrorBudgetExhaustion", "sloforge-shop-short"): "1m"}


SLOTH = """\
version: "prometheus/v1"
service: "api"
slos:
  - name: "availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
"""
DEFAULT_POLICY = """\
apiVersion: sloforge/v1
kind: BudgetPolicy
name: org
default: true
budget:
  - {consumed: 75%, severity: ticket}
  - {exhausts_within: 3d, severity: ticket, action: slow down releases}
  - {exhausts_within: 12h, severity: page, for: 10m}
"""


def test_explain_and_convert_carry_the_forecast_entries(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "api.yml").write_text(SLOTH)
    (tmp_path / "in" / "policy.yml").write_text(DEFAULT_POLICY)
    done = run_cli("explain", str(tmp_path / "in"), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = [(r["consumed"], r["exhausts_within_seconds"], r["severity"], r["bad_seconds"])
            for r in json.loads(done.stdout)["slos"][0]["budget_policy"]]
    # 75% of a 99.9%/30d budget is 32.4 full-outage minutes; a forecast entry has no share of its own
    assert rows == [(0.75, None, "ticket", pytest.approx(1944)), (None, 259200, "ticket", None),
                    (None, 43200, "page", None)]
    # The Sloth SLO took the org's policy; converted to native it writes it, and reads back the same.
    done = run_cli("convert", str(tmp_path / "in"), "--to", "native", "--out", str(tmp_path / "native"))
    assert done.returncode == 0, done.stderr
    [written] = (tmp_path / "native").glob("*.yml")
    assert "exhausts_within: 3d" in written.read_text() and "exhausts_within: 12h" in written.read_text()
    before, _ = load_catalog([str(tmp_path / "in")])
    after, _ = load_catalog([str(written)])
    assert after.slos[0].alerting.budget == before.slos[0].alerting.budget


@pytest.mark.parametrize(("window", "remaining", "seconds", "shown"), [
    pytest.param("rolling 30d", 0.094, 16129.5, "4h 28m", id="hours and minutes"),
    pytest.param("rolling 30d", 0.5, 3 * 86400 + 4 * 3600 + 59 * 60, "3d 4h", id="days and hours"),
    pytest.param("rolling 7d", 0.01, 14 * 60 + 59, "14m", id="minutes"),
    pytest.param("rolling 7d", 0.001, 30.0, "<1m", id="under a minute"),
    pytest.param("rolling 30d", -1.0, 0.0, "out", id="spent"),
    pytest.param("rolling 30d", 0.8, None, "not at this burn", id="absent with data"),
    pytest.param("rolling 30d", None, None, "-", id="no data"),
    pytest.param("calendar month 2026-12", 0.3, None, "-", id="calendar mode has no forecast"),
])
def test_report_prints_the_forecast(window: str, remaining: float | None, seconds: float | None, shown: str) -> None:
    from sloforge.report.numbers import runs_out
    from sloforge.report.status import Status

    status = Status("shop", "a", "", 99.9, 0.001, window, 0, 1, None, remaining, None, None, runs_out_in=seconds)
    assert runs_out(status) == shown


def test_the_generated_unit_tests_prove_the_exhaustion_alerts(tmp_path: Path) -> None:
    # sloforge's own promtool tests: a full outage spends the budget (forecast 0), so every horizon
    # fires after its for:, with its rendered annotations; a healthy service (b <= 0.5) never does.
    from tests.conftest import run_cli

    text = spec(slo("steady", 99.5).rstrip("\n") + "\n    alerting:\n      budget:\n"
                "        - {exhausts_within: 3d, severity: ticket, action: slow down}\n"
                "        - {exhausts_within: 6h, severity: page, for: 10m}\n")
    (tmp_path / "shop.yml").write_text(text)
    done = run_cli("generate", str(tmp_path / "shop.yml"), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    tests = yaml.safe_load((tmp_path / "out" / "prometheus" / "tests" / "shop.test.yml").read_text())
    checks = [(t["name"], [a["exp_labels"]["slo_budget_exhausts_within"] for a in check["exp_alerts"]])
              for t in tests["tests"] for check in t["alert_rule_test"]
              if check["alertname"] == "ShopSteadyErrorBudgetExhaustion"]
    assert checks == [("shop/steady: full outage pages", ["3d", "6h"]),
                      ("shop/steady: healthy service at 0.25% errors stays silent", [])]
    done = run_cli("check", str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
