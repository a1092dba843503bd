"""A label change on VictoriaMetrics (issue 14 point 1, second engine): the stored history holds
the series the old rules recorded (`tier="1"`), the new rules carry `tier="2"`.

Measured with the rules before issue 14 point 1 was fixed: every window rule of the new
rules selects both the old and the new recorded series, and after the rule labels are applied
both carry `tier="2"`: vmalert reports `result contains metrics with the same labelset after
applying rule labels`, as Prometheus does. On VictoriaMetrics the duplicates last one window
minus one minute after the change (5m ratio: 1 evaluation, 30m: 29 minutes, 1h and the 1h
averages: 59, 2h: 119, 6h, 1d, 3d and, through the 1h averages, the period: as long as the old
series stay in their windows). Live vmalert records nothing for such a rule at those
evaluations; `vmalert -replay` retries the rule (`-replay.ruleRetryAttempts`) and then exits
with a fatal error, so the new rules cannot be replayed over the change at all.

Now every rule that reads recorded series sums them by the SLO's identity first: the test
states what holds, on VictoriaMetrics too (no duplicate-labelset error, and the period keeps
counting the errors recorded before the change).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.harness import Phase, rule_file

from .victoria import levels, per_minute, victoria_metrics

H = 60
CHANGE = 6 * H  # the spec's label changes here
END = 9 * H
PHASES = [Phase(2 * H, 100, 0.0), Phase(H, 100, 0.02), Phase(6 * H, 100, 0.0)]  # 1h of 20x burn, before it

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: web
labels: {{tier: "{tier}"}}
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: sum(rate(http_requests_total{{job="shop",code=~"5.."}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{job="shop"}}[{{{{ window }}}}]))
"""


def chain(tier: str, root: Path) -> list[Path]:
    folder = root / f"rules-{len(list(root.glob('rules-*')))}"
    (folder / "specs").mkdir(parents=True)
    (folder / "specs" / "shop.yml").write_text(SPEC.format(tier=tier), encoding="utf-8")
    return levels(rule_file(folder / "specs", folder), folder)


@pytest.mark.parametrize("after", [
    pytest.param("1", id="unchanged spec: the control"),
    pytest.param("2", id="label value changed"),
])
def test_a_label_change_keeps_the_period_on_victoria_metrics(after: str, tmp_path: Path) -> None:
    with victoria_metrics(tmp_path) as vm:
        vm.import_minutes({'http_requests_total{job="shop",code="200"}': per_minute(PHASES, bad=False),
                           'http_requests_total{job="shop",code="500"}': per_minute(PHASES, bad=True)})
        for level in chain("1", tmp_path):
            vm.replay([level], CHANGE - 1, rules_delay="0s")
        for level in chain(after, tmp_path):  # the rules generated after the change
            log = vm.replay([level], END, rules_delay="0s", from_minute=CHANGE, attempts=1)
            assert "same labelset" not in log, log[-2000:]
        # The period still counts the hour of errors recorded before the change: 1h at 2% in 9h.
        now = [values[END] for values in vm.values('slo:sli_error:ratio_rate30d{slo_service="shop"}', END).values()
               if END in values]
        assert now == [pytest.approx(0.02 * H / END, rel=0.02)]
