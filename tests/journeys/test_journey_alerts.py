"""Journeys in real promtool: the rules sloforge generates for a catalog with journeys, on
synthetic traffic, page, ticket and stay quiet as the product of the steps' success says.

One catalog, one promtool run (a few seconds): each journey has services of its own, and
every step fails at a different error ratio, so a journey ratio built as a sum, an
average or the worst step's would fire (or stay quiet) where these expect otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sloforge.pipeline import Options, build, load_catalog

from tests.budgets.conftest import run_promtool_test, steady_counter

# one worker starts this module's server (make test runs on several)
pytestmark = pytest.mark.xdist_group("journey-alerts")

MINUTES = 3 * 60


def service(name: str, objective: float, grouped: bool = False) -> str:
    by = "sum by (route) " if grouped else "sum"
    group = "\n        group_by: [route]" if grouped else ""
    return f"""\
apiVersion: sloforge/v1
kind: ServiceLevels
service: {name}
owner: payments
slos:
  - name: availability
    objective: {objective}
    sli:
      events:
        errors: {by}(rate(req_total{{job="{name}",code="500"}}[{{{{ window }}}}]))
        total: {by}(rate(req_total{{job="{name}"}}[{{{{ window }}}}])){group}
"""


def journey(name: str, steps: list[str], extra: str = "") -> str:
    listed = "".join(f"  - {{service: {s}, slo: availability}}\n" for s in steps)
    return f"apiVersion: sloforge/v1\nkind: Journey\nname: {name}\nowner: payments\nsteps:\n{listed}{extra}"


CATALOG = [
    # Steady traffic keeps both windows of a pair at one ratio, so a tier fires when the ratio
    # passes the lowest factor of its pairs x the budget: 6x for the page (6h/30m), 1x for the
    # ticket (3d/6h).
    # page: p-pay fails 5% (its own page threshold is 6 x 0.5% = 3%), p-cart 0.05% (half its
    # budget: no alert). Journey: default objective 99.9% x 99.5% = 99.4005%, page threshold
    # 6 x 0.5995% = 3.597%; it sees 1 - 0.9995 x 0.95 = 5.0475%. The average (2.5%) would not page.
    service("p-cart", 99.9), service("p-pay", 99.5),
    journey("page-buy", ["p-cart", "p-pay"], "budget:\n  - {consumed: 100%, severity: page}\n"),
    # ticket: every step within its budget (t-cart 0.08% of 0.1%, t-pay 0.35% of 0.5%), the
    # journey (objective 99.6%, budget 0.4%) at 1 - 0.9992 x 0.9965 = 0.4297%: above 1x its budget
    # (the 3d/6h ticket pair), far below 3x and 14.4x. The average (0.215%) and the worst step
    # (0.35%) would stay quiet.
    service("t-cart", 99.9), service("t-pay", 99.5),
    journey("ticket-buy", ["t-cart", "t-pay"], "objective: 99.6\n"),
    # product, not sum: objective 93% pages above 6 x 7% = 42%; steps at 22% and 24% sum to
    # 46% (a sum would page) but fail together 1 - 0.78 x 0.76 = 40.72% of journeys: a ticket only.
    service("s-a", 99), service("s-b", 99),
    journey("sum-check", ["s-a", "s-b"], "objective: 93\n"),
    # quiet: 0.02% and 0.1% errors against a 0.5995% budget; q-idle has no traffic at all (0/0).
    service("q-a", 99.9), service("q-b", 99.5), service("q-idle", 99.5),
    journey("quiet", ["q-a", "q-b", "q-idle"], "objective: 99.4\n"),
    # grouped step: route /a 1000 req/h at 0.5%, route /b 10 req/h at 50%: the step fails
    # (5 + 5) / 1010 = 0.99% of requests, not 50.5% (sum of ratios), 50% (worst) or 25.25% (mean).
    service("g-search", 99, grouped=True), service("g-pay", 99.5),
    journey("grouped", ["g-search", "g-pay"]),
]

# (job, route, requests per hour, error ratio)
TRAFFIC = [
    ("p-cart", "", 6000, 0.0005), ("p-pay", "", 6000, 0.05),
    ("t-cart", "", 60000, 0.0008), ("t-pay", "", 60000, 0.0035),
    ("s-a", "", 6000, 0.22), ("s-b", "", 6000, 0.24),
    ("q-a", "", 60000, 0.0002), ("q-b", "", 6000, 0.001),
    ("g-search", "/a", 1000, 0.005), ("g-search", "/b", 10, 0.5), ("g-pay", "", 6000, 0.0),
]


def series() -> list[dict[str, str]]:
    out = []
    for job, route, per_hour, ratio in TRAFFIC:
        at = f',route="{route}"' if route else ""
        out.append({"series": f'req_total{{job="{job}",code="500"{at}}}',
                    "values": steady_counter(per_hour * ratio / 60, MINUTES)})
        out.append({"series": f'req_total{{job="{job}",code="200"{at}}}',
                    "values": steady_counter(per_hour * (1 - ratio) / 60, MINUTES)})
    # q-idle is scraped but never called: its counters stay at zero
    for code in ("500", "200"):
        out.append({"series": f'req_total{{job="q-idle",code="{code}"}}', "values": f"0+0x{MINUTES}"})
    return out


def firing(at: str, match: str, expected: list[dict[str, str]], by: str) -> dict[str, object]:
    return {"expr": f'count by ({by}) (ALERTS{{alertstate="firing"{match}}})', "eval_time": at,
            "exp_samples": [{"labels": "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(e.items())) + "}",
                             "value": 1} for e in expected]}


def value(expr: str, at: str, labels: str, expected: float) -> dict[str, object]:
    return {"expr": expr, "eval_time": at, "exp_samples": [{"labels": labels, "value": expected}]}


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    directory = tmp_path_factory.mktemp("journeys")
    specs = directory / "specs"
    specs.mkdir()
    for index, text in enumerate(CATALOG):
        (specs / f"{index:02d}.yml").write_text(text, encoding="utf-8")
    catalog, _ = load_catalog([str(specs)])
    names = []
    for output in build(catalog, Options(paths=[str(specs)])):
        if output.rules_text is not None:
            (directory / Path(output.path).name).write_text(output.rules_text, encoding="utf-8")
            names.append(Path(output.path).name)
    assert "journey-page-buy.yml" in names
    return directory, sorted(names)


def test_journeys_page_ticket_and_stay_quiet_as_the_product_of_their_steps(
        promtool: str, rules: tuple[Path, list[str]]) -> None:
    directory, names = rules
    journeys = ', slo_journey!=""'
    by_journey = "slo_journey, slo_severity, slo_alert_kind"
    burn = ', slo_alert_kind="burn-rate"'
    checks = []
    for at in ("1h", "3h"):
        # The budget policy reads the period ratio, summed from whole hours: it has one from 2h.
        budget = [{"slo_journey": "page-buy", "slo_severity": "page", "slo_alert_kind": "budget"}] * (at == "3h")
        checks.append(firing(at, journeys, [
            {"slo_journey": "page-buy", "slo_severity": "page", "slo_alert_kind": "burn-rate"},
            {"slo_journey": "page-buy", "slo_severity": "ticket", "slo_alert_kind": "burn-rate"},
            *budget,
            {"slo_journey": "ticket-buy", "slo_severity": "ticket", "slo_alert_kind": "burn-rate"},
            {"slo_journey": "sum-check", "slo_severity": "ticket", "slo_alert_kind": "burn-rate"},
        ], by_journey))
        # The steps' own SLOs alert by their own budgets only: p-pay pages (10% > 7.2%) and
        # tickets; s-a and s-b fail far beyond their 1% budgets, g-search's route /b too (its
        # alerts are per route); every other step is quiet.
        checks.append(firing(at, f', slo_service!=""{burn}', [
            {"slo_service": s, "slo_severity": tier} for s in ("g-search", "p-pay", "s-a", "s-b")
            for tier in ("page", "ticket")], "slo_service, slo_severity"))
    # Routed by the journey's owner, like an SLO's alert; no journey alert carries an SLO's labels.
    checks.append(firing("1h", ', slo_journey="page-buy", slo_severity="page"' + burn,
                         [{"team": "payments", "severity": "critical"}], "team, severity"))
    checks.append(firing("1h", ', slo_journey!="", slo_service!=""', [], "slo_journey"))
    # The journey ratios themselves, to 4 significant digits, per window and for the period.
    for name, expected in (("page-buy", 504.75), ("ticket-buy", 42.97), ("sum-check", 4072),
                           ("quiet", 12), ("grouped", 99.01)):
        for window in ("1h", "30d"):
            checks.append(value(f'round(slo:journey_error:ratio_rate{window}{{slo_journey="{name}"}} * 10000, 0.01)',
                                "2h", f'{{slo_journey="{name}", slo_window="{window}"}}', expected))
    # Budget left: page-buy spent 5.0475% / 0.5995% = 8.42 budgets.
    checks.append(value('round(slo:journey_period_error_budget_remaining:ratio{slo_journey="page-buy"}, 0.01)',
                        "2h", '{slo_journey="page-buy", slo_window="30d"}', -7.42))
    # slo:journey_info: one series per step, in order, with the journey's labels
    info = ('{__name__="slo:journey_info", slo_journey="page-buy", slo_objective="99.4005", '
            'slo_owner="payments", slo_period="30d", slo_service="%s", slo_name="availability", slo_step="%d"}')
    checks.append({"expr": 'slo:journey_info{slo_journey="page-buy"}', "eval_time": "10m",
                   "exp_samples": [{"labels": info % ("p-cart", 1), "value": 1},
                                   {"labels": info % ("p-pay", 2), "value": 1}]})
    run_promtool_test(promtool, directory, names, [{
        "interval": "1m", "input_series": series(), "promql_expr_test": checks}])
