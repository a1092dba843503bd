"""Budget-policy, low-traffic and no-data alerts, proven with real promtool.

Each test compiles a spec with the real pipeline and runs `promtool test rules`
on synthetic traffic, checking that the alerts fire and that they stay silent.
Which alerts fire is read from ALERTS{alertstate="firing"}, reduced to the
labels that matter, so a test states exactly the alerts it expects.
"""

from __future__ import annotations

from pathlib import Path

from tests.budgets.conftest import rule_files, run_promtool_test, steady_counter

EVENTS_SLO = """\
  - name: {name}
    objective: {objective}
    sli:
      events:
        errors: sum(rate(req_total{{job="{name}",code="500"}}[{{{{ window }}}}]))
        total: sum(rate(req_total{{job="{name}"}}[{{{{ window }}}}]))
    alerting:
{alerting}
"""


def spec(*slos: str) -> str:
    return "apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: shop\nowner: payments\nslos:\n" + "".join(slos)


def slo(name: str, objective: float, **alerting: str) -> str:
    body = "".join(f"      {key}: {value}\n" for key, value in alerting.items()) or "      {}\n"
    return EVENTS_SLO.format(name=name, objective=objective, alerting=body.rstrip("\n"))


def traffic(name: str, per_hour: float, error_ratio: float, minutes: int) -> list[dict[str, str]]:
    """Steady traffic: per_hour requests, error_ratio of them failing."""
    bad, good = per_hour * error_ratio / 60, per_hour * (1 - error_ratio) / 60
    return [
        {"series": f'req_total{{job="{name}",code="500"}}', "values": steady_counter(bad, minutes)},
        {"series": f'req_total{{job="{name}",code="200"}}', "values": steady_counter(good, minutes)},
    ]


def firing(by: str, at: str, expected: list[dict[str, str]], match: str = "") -> dict[str, object]:
    """The firing alerts at `at`, counted by the labels `by` (no pending ones)."""
    return {
        "expr": f'count by ({by}) (ALERTS{{alertstate="firing"{match}}})',
        "eval_time": at,
        "exp_samples": [{"labels": "{" + ", ".join(f'{k}="{v}"' for k, v in e.items()) + "}", "value": 1}
                        for e in expected],
    }


def test_low_traffic_guard_keeps_the_page_quiet_at_ten_requests_an_hour(promtool: str, tmp_path: Path) -> None:
    # 1 failed request out of 10 in an hour is a 10% error ratio, 69x the 0.144% a
    # 99.9% SLO pages at; with a guard of 100 events the 1h window (10 events) and
    # the 6h window (60) are too idle to judge. At 1000 requests an hour the same
    # ratio pages; without the guard even the idle service pages.
    rules = rule_files(spec(slo("quiet", 99.9, min_events="100"),
                            slo("busy", 99.9, min_events="100"),
                            slo("unguarded", 99.9)), tmp_path)
    minutes = 8 * 60
    series = (traffic("quiet", 10, 0.1, minutes) + traffic("busy", 1000, 0.1, minutes)
              + traffic("unguarded", 10, 0.1, minutes))
    pages = [firing("slo_name", at, [{"slo_name": "busy"}, {"slo_name": "unguarded"}],
                    ', slo_severity="page", alertname=~".*ErrorBudgetBurn"') for at in ("30m", "2h", "8h")]
    run_promtool_test(promtool, tmp_path, rules, [{
        "interval": "1m",
        "input_series": series,
        "promql_expr_test": [
            # the guard's own number: events seen in the long window
            {"expr": 'round(avg_over_time(slo:sli_total_events:rate5m{slo_name="quiet"}[1h]) * 3600)',
             "eval_time": "2h",
             "exp_samples": [{"labels": '{slo_name="quiet", slo_service="shop", slo_window="5m"}',
                              "value": 10}]},
            *pages,
        ],
    }])


def test_budget_policy_alerts_fire_at_their_thresholds_only(promtool: str, tmp_path: Path) -> None:
    budget = ("[{consumed: 50%, severity: ticket, action: review recent changes}, "
              "{consumed: 75%, severity: ticket, action: freeze non-critical deploys}, "
              "{consumed: 100%, severity: page, action: deployment freeze}]")
    # 99% objective: errors at 0.1% use 10% of the budget, 0.6% use 60%, 2% use 200%.
    rules = rule_files(spec(slo("healthy", 99, budget=budget), slo("half", 99, budget=budget),
                            slo("exhausted", 99, budget=budget)), tmp_path)
    minutes = 4 * 60
    series = (traffic("healthy", 6000, 0.001, minutes) + traffic("half", 6000, 0.006, minutes)
              + traffic("exhausted", 6000, 0.02, minutes))
    consumed = ', alertname=~".*ErrorBudgetConsumed"'
    expected = [{"slo_name": "half", "slo_budget_consumed": "50%", "slo_severity": "ticket"},
                {"slo_name": "exhausted", "slo_budget_consumed": "50%", "slo_severity": "ticket"},
                {"slo_name": "exhausted", "slo_budget_consumed": "75%", "slo_severity": "ticket"},
                {"slo_name": "exhausted", "slo_budget_consumed": "100%", "slo_severity": "page"}]
    run_promtool_test(promtool, tmp_path, rules, [{
        "interval": "1m",
        "input_series": series,
        "promql_expr_test": [
            {"expr": 'round(slo:period_error_budget_remaining:ratio{slo_name="half"}, 0.001)',
             "eval_time": "3h",
             "exp_samples": [{"labels": '{slo_name="half", slo_service="shop", slo_window="30d"}',
                              "value": 0.4}]},
            # `for: 5m`: the first hourly sample lands at 1h, so nothing fires before 1h05m
            firing("slo_name, slo_budget_consumed, slo_severity", "1h4m", [], consumed),
            firing("slo_name, slo_budget_consumed, slo_severity", "1h6m", expected, consumed),
            firing("slo_name, slo_budget_consumed, slo_severity", "4h", expected, consumed),
        ],
        # the action text and the remaining budget land in the annotations
        "alert_rule_test": [{
            "eval_time": "3h",
            "alertname": "ShopHalfErrorBudgetConsumed",
            "exp_alerts": [{
                "exp_labels": {"severity": "warning", "slo_alert_kind": "budget", "slo_budget_consumed": "50%",
                               "slo_name": "half",
                               "slo_service": "shop", "slo_severity": "ticket",
                               "team": "payments"},
                "exp_annotations": {
                    "action": "review recent changes",
                    "summary": "shop half: 50% of the 30d error budget consumed",
                    "description": "shop half has 40% of its 30d error budget left (99% objective); the "
                                   "budget policy acts at 50% consumed. Action: review recent changes",
                },
            }],
        }],
    }])


def test_absent_sli_raises_a_ticket_after_the_absent_duration(promtool: str, tmp_path: Path) -> None:
    rules = rule_files(spec(slo("gone", 99.9, absent="10m"), slo("alive", 99.9, absent="10m")), tmp_path)
    gone = [{"series": f'req_total{{job="gone",code="{code}"}}', "values": "0+1x30 _x60"}
            for code in ("500", "200")]
    absent = ', alertname=~".*SLINoData"'
    run_promtool_test(promtool, tmp_path, rules, [{
        "interval": "1m",
        "input_series": gone + traffic("alive", 600, 0.001, 90),
        "promql_expr_test": [
            firing("slo_name, slo_severity", "30m", [], absent),
            # the last raw sample (30m) keeps rate()[5m] and so the recorded total
            # alive until 35m; 10m later the alert fires
            firing("slo_name, slo_severity", "44m", [], absent),
            firing("slo_name, slo_severity", "46m", [{"slo_name": "gone", "slo_severity": "ticket"}], absent),
            firing("slo_name, slo_severity", "90m", [{"slo_name": "gone", "slo_severity": "ticket"}], absent),
        ],
    }])
