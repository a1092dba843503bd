"""OpenSLO composite SLOs are refused with the reason their budgeting method gives; the
way the message points to (one OpenSLO SLO per indicator, a sloforge Journey over them)
compiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

INDICATOR = """\
      indicator:
        metadata: {{name: {name}}}
        spec:
          ratioMetric:
            counter: true
            good: {{metricSource: {{type: Prometheus, spec: {{query: 'req_total{{job="{name}",code!="500"}}'}}}}}}
            total: {{metricSource: {{type: Prometheus, spec: {{query: 'req_total{{job="{name}"}}'}}}}}}
"""


def slo(name: str, method: str, objectives: str) -> str:
    return f"""\
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {name}}}
spec:
  service: shop
  budgetingMethod: {method}
  timeWindow: [{{duration: 30d, isRolling: true}}]
{objectives}"""


COMPOSITE = ("  objectives:\n    - target: 0.999\n      compositeWeight: 2\n" + INDICATOR.format(name="cart")
             + "    - target: 0.995\n" + INDICATOR.format(name="pay"))


@pytest.mark.parametrize(("method", "says"), [
    ("Occurrences", "OpenSLO burns a composite's budget at the sum of its objectives' burn rates times their "
                    "compositeWeight"),
    ("Timeslices", "OpenSLO counts a composite slice bad when any objective's slice is bad"),
    ("RatioTimeslices", "OpenSLO subtracts each objective's missing share times its compositeWeight from 100%"),
])
def test_a_composite_is_refused_with_its_methods_reason(tmp_path: Path, method: str, says: str) -> None:
    spec = tmp_path / "composite.yml"
    spec.write_text(slo("checkout", method, COMPOSITE))
    done = run_cli("validate", str(spec))
    assert done.returncode == 1
    assert (f"{spec}:9: spec.objectives[0]: SLO 'checkout': composite SLOs (an indicator and compositeWeight "
            f"per objective) are not compiled: {says}") in done.stderr, done.stderr
    assert "Write one OpenSLO SLO per indicator and a sloforge `kind: Journey`" in done.stderr
    assert "Traceback" not in done.stderr
    assert "indicatorRef\n" not in done.stderr  # no second message asking for an SLO-wide indicator
    assert done.stderr.endswith("2 problems found\n")  # one per objective


def test_one_slo_per_indicator_and_a_journey_compile(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    one = INDICATOR.replace("\n      ", "\n  ").replace("      indicator:", "  indicator:") + \
        "  objectives:\n    - target: {target}\n"
    (specs / "openslo.yml").write_text(
        slo("cart", "Occurrences", one.format(target=0.999, name="cart")) + "---\n"
        + slo("pay", "Occurrences", one.format(target=0.995, name="pay")))
    (specs / "checkout.yml").write_text("apiVersion: sloforge/v1\nkind: Journey\nname: checkout\nsteps:\n"
                                        "  - {service: shop, slo: cart}\n  - {service: shop, slo: pay}\n")
    done = run_cli("validate", str(specs))
    assert done.returncode == 0, done.stderr
    assert "journey checkout: objective 99.4005% over 30d" in done.stdout
    out = tmp_path / "out"
    done = run_cli("generate", str(specs), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert 'slo:sli_error:ratio_rate1h{slo_service="shop", slo_name="pay", slo_window="1h"}' in \
        (out / "prometheus" / "journey-checkout.yml").read_text()
