"""Pyrra ServiceLevelObjectives: Pyrra's windows from the period, the service a namespace
makes, the labels Pyrra propagates, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from importers_cases import PYRRA
from sloforge import durations
from sloforge.errors import SpecError
from sloforge.load.formats import pyrra
from sloforge.model.sli import EventsSli, LatencySli, ProbeSli
from sloforge.pipeline import load_catalog


@pytest.mark.parametrize(("period", "expected", "fors"), [
    # Pyrra's slo/rules.go Windows(): written for 28d, scaled, rounded to the minute (Go's Round);
    # Pyrra's own slo/rules_test.go records the same 2w (burnrate3m, 2d) and 7d (1m, 8m, 1h30m) windows
    ("28d", [("page", "1h", "5m", 14), ("page", "6h", "30m", 7), ("ticket", "1d", "2h", 2),
             ("ticket", "4d", "6h", 1)], ("2m", "1h")),
    ("2w", [("page", "30m", "3m", 14), ("page", "3h", "15m", 7), ("ticket", "12h", "1h", 2),
            ("ticket", "2d", "3h", 1)], ("1m", "30m")),
    ("7d", [("page", "15m", "1m", 14), ("page", "1h30m", "8m", 7), ("ticket", "6h", "30m", 2),
            ("ticket", "1d", "1h30m", 1)], ("1m", "15m")),
    ("30d", [("page", "1h4m", "5m", 14), ("page", "6h26m", "32m", 7), ("ticket", "1d1h43m", "2h9m", 2),
             ("ticket", "4d6h51m", "6h26m", 1)], ("2m", "1h4m")),
])
def test_windows_are_pyrras_scaled_from_the_period(period: str, expected: list[tuple[str, str, str, int]],
                                                   fors: tuple[str, str]) -> None:
    pairs, for_seconds = pyrra.windows(durations.parse(period))
    assert [(p.tier, p.long_text, p.short_text, p.factor) for p in pairs] == expected
    assert (durations.format(for_seconds["page"]), durations.format(for_seconds["ticket"])) == fors


def load(*names: str) -> dict[str, dict[str, object]]:
    catalog, _ = load_catalog([str(PYRRA / n) for n in names])
    return {f"{slo.service}/{slo.name}": {"slo": slo, "owner": svc.owner} for svc in catalog.services
            for slo in svc.slos}


def test_namespace_is_the_service_and_default_without_one() -> None:
    found = load("ratio.yaml", "latency.yaml", "objective-list.yaml", "bool-gauge-list.yaml")
    assert sorted(found) == ["default/batch-errors", "default/cron-errors", "edge/api-probe", "edge/homepage-probe",
                             "shop/checkout-errors", "shop/checkout-latency", "shop/search-latency"]


def test_labels_pyrra_propagates_reach_the_rules_and_no_others() -> None:
    found = load("ratio.yaml")["shop/checkout-errors"]
    slo = found["slo"]
    assert dict(slo.labels) == {"job": "checkout", "slo": "checkout-errors", "tier": "1"}  # type: ignore[attr-defined]
    assert found["owner"] == "payments"
    assert dict(slo.alerting.annotations) == {"runbook_url": "https://runbooks.example.com/checkout-errors"}  # type: ignore[attr-defined]


def test_each_indicator_kind_maps_to_its_sli() -> None:
    found = {k: v["slo"].sli for k, v in load("ratio.yaml", "latency.yaml", "bool-gauge-list.yaml").items()}  # type: ignore[attr-defined]
    ratio = found["shop/checkout-errors"]
    assert ratio == EventsSli('sum by (route)(rate(http_requests_total{job="checkout",code=~"5.."}[{{ window }}]))',
                              'sum by (route)(rate(http_requests_total{job="checkout"}[{{ window }}]))', ("route",))
    assert found["shop/checkout-latency"] == LatencySli("http_request_duration_seconds", '{job="checkout"}', 0.3)
    assert isinstance(found["shop/search-latency"], EventsSli)  # success has a matcher total lacks
    assert found["edge/api-probe"] == ProbeSli('probe_success{job="blackbox",instance="https://api.example.com"}',
                                               ("instance",))


def test_alerting_switches() -> None:
    found = load("objective-list.yaml", "bool-gauge-list.yaml", "latency.yaml")
    batch = found["default/batch-errors"]["slo"].alerting  # type: ignore[attr-defined]
    assert not batch.active_pairs("page") and batch.absent_seconds  # burnrates: false keeps the no-data alert
    cron = found["default/cron-errors"]["slo"].alerting  # type: ignore[attr-defined]
    assert not cron.active_pairs("page") and cron.absent_seconds is None
    # Pyrra's AbsentDuration: 14 x 0.001 x 15m + 1m for = 12.6 s + 60 s -> 1m
    assert found["edge/homepage-probe"]["slo"].alerting.absent_seconds == 60  # type: ignore[attr-defined]
    latency = found["shop/checkout-latency"]["slo"].alerting  # type: ignore[attr-defined]
    assert latency.name == "CheckoutLatencyBudgetBurn"
    assert (latency.tier("page").severity, latency.tier("ticket").severity) == ("page-now", "info")
    assert found["shop/search-latency"]["slo"].alerting.name == "ErrorBudgetBurn"  # type: ignore[attr-defined]


OBJECT = """apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: errors
  namespace: shop
spec:
  target: "{target}"
  window: {window}
  indicator:
    ratio:
      errors:
        metric: http_requests_total{{code="500"}}
      total:
        metric: http_requests_total
"""


@pytest.mark.parametrize(("target", "window", "expected"), [
    ("100", "4w", "a.yaml:7: spec.target: 100 must be above 0 and below 100 (100 leaves no error budget to alert on)"),
    ("99", "4x", "a.yaml:8: spec.window: '4x' is not a duration (write it like 5m, 1h or 30d)"),
    ("99", "4d", "a.yaml:8: spec.window: 4d is outside what Pyrra's windows fit in sloforge: from 5d (shorter, "
               "each page window pair has a short window under 5m) to 366d"),
])
def test_mistakes_are_located(tmp_path: Path, target: str, window: str, expected: str) -> None:
    (tmp_path / "a.yaml").write_text(OBJECT.format(target=target, window=window), "utf-8")
    with pytest.raises(SpecError) as caught:
        load_catalog([str(tmp_path / "a.yaml")])
    assert [str(p).replace(f"{tmp_path}/", "") for p in caught.value.problems] == [expected]


def test_the_same_name_twice_in_a_namespace_is_an_error(tmp_path: Path) -> None:
    text = OBJECT.format(target="99", window="4w")
    (tmp_path / "a.yaml").write_text(text + "---\n" + text, "utf-8")
    with pytest.raises(SpecError) as caught:
        load_catalog([str(tmp_path / "a.yaml")])
    assert [str(p).replace(f"{tmp_path}/", "") for p in caught.value.problems] == [
        "a.yaml:19: metadata.name: SLO 'errors' in namespace 'shop' is already defined at a.yaml:1"]


def test_generated_promtool_tests_pass_with_shared_alert_names(tmp_path: Path, promtool: str) -> None:
    """Pyrra names every SLO's alert ErrorBudgetBurn: the no-data alerts of a namespace's SLOs
    share a name too, and each SLO's promtool tests must expect its siblings' (no data there)."""
    from tests.conftest import run_cli

    files = [str(PYRRA / n) for n in ("ratio.yaml", "latency.yaml", "bool-gauge-list.yaml", "objective-list.yaml")]
    done = run_cli("generate", *files, "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    shop = (tmp_path / "out" / "prometheus" / "shop.yml").read_text("utf-8")
    assert shop.count("- alert: SLINoData\n") == 2  # checkout-errors and search-latency
    done = run_cli("check", str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "shop.test.yml: ok: promtool test rules (12 tests)" in done.stdout


def test_a_dotted_kubernetes_name_keeps_its_dots_in_labels_only(tmp_path: Path) -> None:
    from sloforge import outputs as targets
    from sloforge.packaging import PACKAGINGS

    (tmp_path / "a.yaml").write_text(OBJECT.format(target="99", window="4w").replace("name: errors",
                                                                                   "name: api.errors"), "utf-8")
    catalog, _ = load_catalog([str(tmp_path / "a.yaml")])
    files = {f.path: f.content for f in targets.files(catalog, targets.Context(PACKAGINGS["prometheus"]))}
    rules = files["prometheus/shop.yml"]
    assert "- name: sloforge-shop-api-errors\n" in rules and 'slo_name="api.errors"' in rules


def test_a_namespace_whose_slos_name_different_teams_gets_no_owner_and_a_warning(tmp_path: Path) -> None:
    one = OBJECT.format(target="99", window="4w").replace("  namespace: shop\n",
                                                          "  namespace: shop\n  labels: {pyrra.dev/team: a}\n")
    two = one.replace("name: errors", "name: latency").replace("team: a}", "team: b}")
    (tmp_path / "a.yaml").write_text(one + "---\n" + two, "utf-8")
    catalog, warnings = load_catalog([str(tmp_path / "a.yaml")])
    assert catalog.services[0].owner is None and {s.owner for s in catalog.slos} == {None}
    assert [str(w).replace(f"{tmp_path}/", "") for w in warnings] == [
        "a.yaml:3: metadata.labels.pyrra.dev/team: warning: the SLOs of namespace 'shop' name different teams "
        "(errors: a, latency: b); a service has one owner, so none is set: give them the same pyrra.dev/team label"]


@pytest.mark.parametrize("period", ["5d", "7d", "2w", "28d", "366d"])
def test_every_tier_has_a_short_window_the_rules_can_test_from_5d(period: str) -> None:
    pairs, _ = pyrra.windows(durations.parse(period))
    for tier in ("page", "ticket"):
        assert max(p.short for p in pairs if p.tier == tier) >= 300, tier
