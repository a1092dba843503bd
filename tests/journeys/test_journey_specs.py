"""`kind: Journey` specs through the CLI: the default objective `validate` prints, the
warning for a stricter objective, and a located error (file:line: field: message) for
every mistake, with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

SERVICES = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: payments
slos:
  - name: cart
    objective: 99.9
    sli:
      events:
        errors: sum(rate(req_total{job="cart",code="500"}[{{ window }}]))
        total: sum(rate(req_total{job="cart"}[{{ window }}]))
  - name: pay
    objective: 99.5
    sli:
      events:
        errors: sum(rate(req_total{job="pay",code="500"}[{{ window }}]))
        total: sum(rate(req_total{job="pay"}[{{ window }}]))
  - name: ship
    objective: 98
    sli:
      events:
        errors: sum(rate(req_total{job="ship",code="500"}[{{ window }}]))
        total: sum(rate(req_total{job="ship"}[{{ window }}]))
  - name: weekly
    objective: 99
    window: 7d
    sli:
      events:
        errors: sum(rate(req_total{job="w",code="500"}[{{ window }}]))
        total: sum(rate(req_total{job="w"}[{{ window }}]))
  - name: custom
    objective: 99
    sli:
      events:
        errors: sum(rate(req_total{job="c",code="500"}[{{ window }}]))
        total: sum(rate(req_total{job="c"}[{{ window }}]))
    alerting:
      windows:
        - {severity: page, long: 1h, short: 5m, factor: 14.4}
"""

HEAD = "apiVersion: sloforge/v1\nkind: Journey\nname: buy\nowner: payments\n"


def specs(tmp_path: Path, journey: str) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir(exist_ok=True)
    (folder / "shop.yml").write_text(SERVICES, encoding="utf-8")
    (folder / "buy.yml").write_text(journey, encoding="utf-8")
    return folder


def steps(*pairs: str) -> str:
    return "steps:\n" + "".join(f"  - {{service: {s.split('/')[0]}, slo: {s.split('/')[1]}}}\n" for s in pairs)


def test_validate_prints_the_default_objective(tmp_path: Path) -> None:
    # three steps with three different objectives: 99.9% x 99.5% x 98% = 97.41249%
    done = run_cli("validate", str(specs(tmp_path, HEAD + steps("shop/cart", "shop/pay", "shop/ship"))))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ok: 1 service, 5 SLOs, 1 journey",
        "journey buy: objective 97.41249% over 30d (default: the product of its 3 steps' objectives, "
        "99.9% x 99.5% x 98% = 97.41249%)"]
    assert done.stderr == ""


def test_a_stricter_objective_is_a_warning_with_the_numbers(tmp_path: Path) -> None:
    spec = HEAD + steps("shop/cart", "shop/pay") + "objective: 99.7\n"
    done = run_cli("validate", str(specs(tmp_path, spec)))
    assert done.returncode == 0, done.stderr
    path = tmp_path / "specs" / "buy.yml"
    # budget 0.3% against the 0.5995% the steps may spend together: 2x
    assert (f"{path}:8: objective: warning: 99.7% is stricter than the steps allow: when every step just "
            "meets its objective the journey succeeds 99.9% x 99.5% = 99.4005%, so it would spend 2x its "
            "budget while no step spends its own; lower the objective to 99.4005 or raise the steps'"
            ) in done.stderr
    assert "journey buy: objective 99.7% over 30d (the steps' product: 99.9% x 99.5% = 99.4005%)" in done.stdout
    # a looser objective is no warning
    (path).write_text(HEAD + steps("shop/cart", "shop/pay") + "objective: 99\n", encoding="utf-8")
    assert run_cli("validate", str(tmp_path / "specs")).stderr == ""


@pytest.mark.parametrize(("body", "line", "field", "message"), [
    pytest.param(steps("shop/cart", "shp/pay"), 7, "steps[1].service",
                 "no loaded service is named 'shp' (did you mean 'shop'?)", id="unknown service"),
    pytest.param(steps("shop/cart", "shop/pai"), 7, "steps[1].slo",
                 "service 'shop' has no SLO 'pai' (did you mean 'pay'?)", id="unknown SLO"),
    pytest.param(steps("shop/cart", "shop/pay", "shop/cart"), 8, "steps[2]",
                 "shop/cart is already step 1; a journey counts each SLO once (remove this step)",
                 id="step twice"),
    pytest.param(steps("shop/cart", "shop/weekly"), 7, "steps[1]",
                 "shop/weekly has a 7d period and shop/cart (step 1) 30d; a journey's steps share one period "
                 "(its period ratio is the product of theirs)", id="periods differ"),
    pytest.param(steps("shop/cart", "shop/pay") + "period: 28d\n", 8, "period",
                 "28d differs from the steps' period 30d; a journey's period is its steps' (its ratio is built "
                 "from their recorded period ratios): remove period or write 30d", id="journey period differs"),
    pytest.param(steps("shop/cart", "shop/custom"), 7, "steps[1]",
                 "shop/custom records no error ratio over 30m, 2h, 6h, 1d, 3d, which the journey's alerts "
                 "read (the default windows of 30d); give that SLO the default alert windows",
                 id="step lacks windows"),
    pytest.param(steps("shop/cart") + "objective: 100\n", 7, "objective",
                 "100 must be below 100", id="objective 100"),
])
def test_mistakes_are_located(tmp_path: Path, body: str, line: int, field: str, message: str) -> None:
    folder = specs(tmp_path, HEAD + body)
    out = tmp_path / "out"
    done = run_cli("generate", str(folder), "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{folder / 'buy.yml'}:{line}: {field}: {message}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_two_journeys_of_one_name_and_a_service_named_like_a_journey(tmp_path: Path) -> None:
    folder = specs(tmp_path, HEAD + steps("shop/cart"))
    (folder / "again.yml").write_text(HEAD + steps("shop/pay"), encoding="utf-8")
    (folder / "clash.yml").write_text(SERVICES.replace("service: shop", "service: journey-buy"), encoding="utf-8")
    done = run_cli("validate", str(folder))
    assert done.returncode == 1
    assert (f"{folder / 'buy.yml'}:3: name: journey 'buy' is already defined in {folder / 'again.yml'}:1; "
            "journey names must be unique") in done.stderr, done.stderr
    assert ("name: journey 'buy' and service 'journey-buy' would share the rule file "
            "prometheus/journey-buy.yml; rename one") in done.stderr


def test_an_invalid_step_slo_is_reported_once_by_its_own_spec(tmp_path: Path) -> None:
    folder = specs(tmp_path, HEAD + steps("shop/cart", "shop/pay"))
    (folder / "shop.yml").write_text(SERVICES.replace("objective: 99.5", "objective: 100.5"), encoding="utf-8")
    done = run_cli("validate", str(folder))
    assert done.returncode == 1
    assert done.stderr.endswith("slos[1].objective: 100.5 must be below 100\n1 problem found\n"), done.stderr


def test_explain_gives_a_journey_the_arithmetic_of_an_slo_with_its_budget(tmp_path: Path) -> None:
    import json

    folder = specs(tmp_path, HEAD + steps("shop/cart", "shop/pay", "shop/ship"))
    # an SLO whose objective is the journey's default one (97.41249%): the same budget, windows, tiers
    twin = SERVICES.replace("service: shop", "service: twin").replace("objective: 99.9", "objective: 97.41249")
    (folder / "twin.yml").write_text(twin, encoding="utf-8")
    done = run_cli("explain", str(folder), "--slo", "journey/buy", "--slo", "twin/cart", "--format", "json")
    assert done.returncode == 0, done.stderr
    twin_slo, journey = json.loads(done.stdout)["slos"]
    assert (journey["service"], journey["slo"], journey["sli_kind"]) == ("journey", "buy", "journey")
    assert journey["steps"] == ["shop/cart (99.9%)", "shop/pay (99.5%)", "shop/ship (98%)"]
    assert journey["error_budget"] == pytest.approx(0.0258751)
    assert journey["bad_seconds_per_period"] == pytest.approx(0.0258751 * 30 * 86400, rel=1e-5)
    assert [t["threshold"] for t in journey["tiers"]] == pytest.approx([14.4 * 0.0258751, 6 * 0.0258751,
                                                                        3 * 0.0258751, 0.0258751], rel=1e-5)
    for key in ("outage_fire", "factor_fire", "reset", "interval_seconds", "effective_for_seconds"):
        assert [t[key] for t in journey["tiers"]] == [t[key] for t in twin_slo["tiers"]], key
    unknown = run_cli("explain", str(folder), "--slo", "journey/by")
    assert unknown.returncode == 1
    assert "--slo 'journey/by' matches no journey in the specs (known: journey/buy)" in unknown.stderr


def test_the_owners_budget_policy_applies_unless_the_journey_writes_its_own(tmp_path: Path) -> None:
    folder = specs(tmp_path, HEAD + steps("shop/cart", "shop/pay"))
    (folder / "policy.yml").write_text("apiVersion: sloforge/v1\nkind: BudgetPolicy\nname: payments\n"
                                       "teams: [payments]\nbudget:\n  - {consumed: 60%, severity: ticket}\n")
    (folder / "own.yml").write_text(HEAD.replace("name: buy", "name: own") + steps("shop/cart")
                                    + "budget:\n  - {consumed: 90%, severity: page}\n")
    out = tmp_path / "out"
    done = run_cli("generate", str(folder), "--out", str(out))
    assert done.returncode == 0, done.stderr
    team = (out / "prometheus" / "journey-buy.yml").read_text()
    own = (out / "prometheus" / "journey-own.yml").read_text()
    assert "slo_budget_consumed: 60%" in team and "<= 0.4\n" in team
    assert "slo_budget_consumed: 90%" in own and "slo_budget_consumed: 60%" not in own


def test_a_long_journey_keeps_every_rule_group_under_mimirs_limit(tmp_path: Path) -> None:
    """Mimir refuses a group of more than 20 rules by default: a journey's rules do not grow
    with its steps (slo:journey_info is one rule for every step)."""
    from sloforge.pipeline import Options, build, load_catalog

    folder = tmp_path / "specs"
    folder.mkdir()
    slos = "".join(f"  - name: s{i}\n    objective: 99.9\n    sli:\n      events:\n"
                   f"        errors: sum(rate(r_total{{job=\"s{i}\",code=\"500\"}}[{{{{ window }}}}]))\n"
                   f"        total: sum(rate(r_total{{job=\"s{i}\"}}[{{{{ window }}}}]))\n" for i in range(30))
    (folder / "shop.yml").write_text("apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: shop\nslos:\n" + slos)
    (folder / "long.yml").write_text("apiVersion: sloforge/v1\nkind: Journey\nname: long\nobjective: 99\n"
                                     + steps(*(f"shop/s{i}" for i in range(30)))
                                     + "budget:\n" + "".join(f"  - {{consumed: {p}%, severity: ticket}}\n"
                                                              for p in (25, 50, 75, 100)))
    catalog, _ = load_catalog([str(folder)])
    [journey] = [f for f in build(catalog, Options(paths=[str(folder)], target="mimir"))
                 if f.path == "mimir/sloforge-journey-long.yml"]
    import yaml

    groups = yaml.safe_load(journey.content)["groups"]
    assert [len(g["rules"]) for g in groups] == [10, 10]
