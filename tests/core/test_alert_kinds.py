"""Every generated alert names its kind in `slo_alert_kind`, the label inhibition keeps to."""

from __future__ import annotations

from pathlib import Path

from sloforge import conventions as c
from sloforge.compile.rules.groups import compile_slo
from sloforge.compile.rules.unit_tests import test_file as unit_test_file
from sloforge.pipeline import load_catalog

from tests.conftest import SPECS

SUFFIX = {"ErrorBudgetBurn": c.ALERT_KIND_BURN_RATE, "ErrorBudgetConsumed": c.ALERT_KIND_BUDGET,
          "SLINoData": c.ALERT_KIND_NO_DATA}


def test_every_alert_of_the_examples_names_its_kind() -> None:
    catalog, _ = load_catalog([str(SPECS)])
    seen = set()
    for service in catalog.services:
        for slo in service.slos:
            for rule in compile_slo(slo)[1]:
                kind = rule.labels[c.LABEL_ALERT_KIND]
                assert kind == rule.kind.value
                assert [v for s, v in SUFFIX.items() if rule.alert.endswith(s)] == [kind], rule.alert
                assert (c.LABEL_BUDGET_CONSUMED in rule.labels) == (kind == c.ALERT_KIND_BUDGET)
                seen.add(kind)
    assert seen == set(c.ALERT_KINDS)


def test_the_shipped_promtool_tests_expect_the_kind() -> None:
    catalog, _ = load_catalog([str(SPECS / "checkout.yml")])
    (service,) = catalog.services
    tests = unit_test_file(service.slos, "checkout.rules.yml")
    expected = [alert["exp_labels"] for case in tests["tests"] for rule_test in case.get("alert_rule_test", [])
                for alert in rule_test["exp_alerts"]]
    assert expected
    assert {labels[c.LABEL_ALERT_KIND] for labels in expected} == set(c.ALERT_KINDS)


def test_report_names_alerts_by_kind_whatever_their_name(tmp_path: Path) -> None:
    from sloforge.report.status import _alert_text

    tiers = "      page: {labels: {severity: critical}}"
    spec = (SPECS / "checkout.yml").read_text().replace(tiers, "      name: CheckoutDown\n" + tiers)
    (tmp_path / "checkout.yml").write_text(spec)
    catalog, _ = load_catalog([str(tmp_path / "checkout.yml")])
    (uptime,) = [slo for slo in catalog.slos if slo.name == "uptime"]
    texts = [_alert_text({"alertname": r.alert, **r.labels}) for r in compile_slo(uptime)[1]]
    assert texts == ["page burn", "ticket burn", "ticket budget 75%", "page budget 100%", "ticket no data"]
    # rules from before slo_alert_kind: by the default name's suffix
    assert _alert_text({"alertname": "CheckoutUptimeErrorBudgetBurn", "slo_severity": "page"}) == "page burn"
