"""BudgetPolicy documents: a team's or the org's default error-budget policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from sloforge.errors import SpecError
from sloforge.pipeline import load_catalog

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: {service}
{owner}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: sum(rate(req_total{{code="500"}}[{{{{ window }}}}]))
        total: sum(rate(req_total[{{{{ window }}}}]))
{alerting}
"""

TEAM = """\
apiVersion: sloforge/v1
kind: BudgetPolicy
name: payments
teams: [payments]
budget:
  - {consumed: 50%, severity: ticket, action: review recent changes}
  - {consumed: 100%, severity: page, for: 10m, action: deployment freeze}
"""

DEFAULT = """\
apiVersion: sloforge/v1
kind: BudgetPolicy
name: org
default: true
budget:
  - {consumed: 80%, severity: ticket}
"""


def spec(service: str, owner: str | None = None, budget: str | None = None) -> str:
    alerting = f"    alerting:\n      budget: {budget}" if budget is not None else ""
    return SPEC.format(service=service, owner=f"owner: {owner}" if owner else "", alerting=alerting)


def budgets(tmp_path: Path, *files: str) -> dict[str, list[tuple[float, str, int, str]]]:
    for index, text in enumerate(files):
        (tmp_path / f"f{index}.yml").write_text(text)
    catalog, _ = load_catalog([str(tmp_path)])
    return {slo.service: [(b.consumed, b.tier, b.for_seconds, b.action) for b in slo.alerting.budget]
            for slo in catalog.slos}


def test_team_policy_applies_to_the_teams_slos_only(tmp_path: Path) -> None:
    found = budgets(tmp_path, spec("checkout", "payments"), spec("search", "discovery"), TEAM)
    assert found["checkout"] == [(0.5, "ticket", 300, "review recent changes"),
                                 (1.0, "page", 600, "deployment freeze")]
    assert found["search"] == []


def test_default_policy_covers_other_teams_and_unowned_services(tmp_path: Path) -> None:
    found = budgets(tmp_path, spec("checkout", "payments"), spec("search", "discovery"),
                    spec("misc"), TEAM, DEFAULT)
    assert [b[0] for b in found["checkout"]] == [0.5, 1.0]  # the team policy wins
    assert found["search"] == [(0.8, "ticket", 300, "")]
    assert found["misc"] == [(0.8, "ticket", 300, "")]


def test_an_slo_with_its_own_budget_keeps_it_and_empty_list_opts_out(tmp_path: Path) -> None:
    found = budgets(tmp_path, spec("checkout", "payments", "[{consumed: 75%, severity: ticket}]"),
                    spec("cart", "payments", "[]"), TEAM)
    assert found["checkout"] == [(0.75, "ticket", 300, "")]
    assert found["cart"] == []


def test_policy_reaches_the_generated_alerts(tmp_path: Path) -> None:
    from sloforge.compile.rules.alerts import alerting_rules

    (tmp_path / "a.yml").write_text(spec("checkout", "payments"))
    (tmp_path / "p.yml").write_text(TEAM)
    catalog, _ = load_catalog([str(tmp_path)])
    rules = [r.as_dict() for r in alerting_rules(catalog.slos[0])
             if r.alert == "CheckoutAvailabilityErrorBudgetConsumed"]
    assert [r["expr"].split(") ")[-1] for r in rules] == ["<= 0.5", "<= 0"]  # type: ignore[union-attr]
    assert rules[1]["for"] == "10m"
    assert rules[1]["annotations"]["action"] == "deployment freeze"  # type: ignore[index]


def test_unknown_team_is_a_warning_naming_the_owners(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(spec("checkout", "payments"))
    (tmp_path / "p.yml").write_text(TEAM.replace("[payments]", "[payments, paymnts]"))
    _, warnings = load_catalog([str(tmp_path)])
    assert [str(w) for w in warnings] == [
        f"{tmp_path / 'p.yml'}:4: teams[1]: warning: no loaded SLO is owned by team 'paymnts' (owners: payments)"]


@pytest.mark.parametrize("files, expected", [
    pytest.param([TEAM, TEAM.replace("name: payments", "name: other")],
                 "f2.yml:4: teams[0]: team 'payments' already has the budget policy 'payments'",
                 id="a team in two policies"),
    pytest.param([DEFAULT, DEFAULT.replace("name: org", "name: org2")],
                 "f2.yml:4: default: the default budget policy is already 'org'", id="two defaults"),
    pytest.param([TEAM.replace("teams: [payments]", "teams: [payments]\ndefault: true")],
                 "f1.yml:1: give exactly one of teams (a list of owners) or default: true",
                 id="teams and default"),
    pytest.param([TEAM.replace("consumed: 100%", "consumed: 50%")],
                 "f1.yml:7: budget[1].consumed: 50% is already used by entry 0", id="threshold twice"),
    pytest.param([TEAM.replace("severity: page", "severity: pager")],
                 "f1.yml:7: budget[1].severity: \"pager\" must be one of \"page\", \"ticket\"",
                 id="bad severity"),
    pytest.param([TEAM.replace("budget:", "budgets:")],
                 "f1.yml:5: budgets: unknown field; did you mean 'budget'?", id="typo"),
    pytest.param([TEAM.replace("consumed: 100%", "consumed: 100%, exhausts_within: 3d")],
                 "f1.yml:7: budget[1]: give exactly one of consumed (a share of the period's budget, 75%) "
                 "or exhausts_within (a forecast horizon, 3d)", id="consumed and exhausts_within"),
    pytest.param([TEAM.replace("consumed: 100%, ", "")],
                 "f1.yml:7: budget[1]: give exactly one of consumed", id="neither consumed nor exhausts_within"),
    pytest.param([TEAM.replace("consumed: 100%", "exhausts_within: 3d")
                  .replace("consumed: 50%", "exhausts_within: 72h")],
                 "f1.yml:7: budget[1].exhausts_within: 3d is already used by entry 0", id="horizon twice"),
    pytest.param([TEAM.replace("consumed: 100%", "exhausts_within: 3 days")],
                 "f1.yml:7: budget[1].exhausts_within:", id="horizon not a duration"),
    pytest.param([TEAM.replace("consumed: 100%", "exhausts_within: 0d")],
                 "f1.yml:7: budget[1].exhausts_within: '0d' must be longer than zero", id="zero horizon"),
])
def test_bad_policies_are_located(tmp_path: Path, files: list[str], expected: str) -> None:
    with pytest.raises(SpecError) as caught:
        budgets(tmp_path, spec("checkout", "payments"), *files)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(str(tmp_path / expected.split(":")[0])) and expected.split(":", 1)[1] in m
               for m in messages), messages


def test_forecast_entries_load_beside_consumed_ones_most_urgent_last(tmp_path: Path) -> None:
    text = spec("checkout", "payments", "[{exhausts_within: 1d, severity: page, for: 10m}, "
                "{consumed: 75%, severity: ticket}, {exhausts_within: 3d, severity: ticket, action: slow down}]")
    (tmp_path / "a.yml").write_text(text)
    catalog, _ = load_catalog([str(tmp_path)])
    found = [(b.consumed, b.exhausts_within, b.tier, b.for_seconds, b.action) for b in catalog.slos[0].alerting.budget]
    assert found == [(0.75, None, "ticket", 300, ""), (None, 259200, "ticket", 300, "slow down"),
                     (None, 86400, "page", 600, "")]


def test_a_team_policy_carries_forecast_entries(tmp_path: Path) -> None:
    policy = TEAM.replace("consumed: 100%", "exhausts_within: 2d")
    found = budgets(tmp_path, spec("checkout", "payments"), policy)
    assert found["checkout"] == [(0.5, "ticket", 300, "review recent changes"),
                                 (None, "page", 600, "deployment freeze")]


def test_native_spec_rejects_the_same_threshold_twice(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        budgets(tmp_path, spec("checkout", "payments",
                               "[{consumed: 75%, severity: ticket}, {consumed: 75, severity: page}]"))
    assert "slos[0].alerting.budget[1].consumed: 75 is already used by entry 0" in str(caught.value)
