"""The generated alerts fire on VictoriaMetrics too: vmalert's replay against promtool.

Synthetic raw counters (an outage, a 20x burn, a healthy service, a quiet service that
never had an error series, a service whose metrics stop) go into a local victoria-metrics
and into one promtool unit test. vmalert replays the generated rules over the stored history and writes `ALERTS`
back; each alert's first firing minute is compared with promtool's for the same data.

What replay can and cannot show (docs/scale.md, "VictoriaMetrics: what was measured"): it evaluates each
rule over the whole range (range queries at the group's interval) before the next rule,
so chained rules see complete results of the rules before them, provided the remote
write landed before the next rule starts. It therefore measures MetricsQL's semantics and
the 3m interval of the long group, not live vmalert's one-evaluation lag per chain level.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_tool
from tests.core.harness import Phase, counter, expect_firing, expect_quiet, rule_file, run

from .victoria import Victoria, levels, per_minute, victoria_metrics

# One VictoriaMetrics replay for the module: its tests run on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("vmalert-replay")

H = 60
START = 10  # the first minutes have no 5m rate yet, so both engines' no-data alerts fire once
HISTORY = 6 * H  # clean history first, so the long windows and the period hold more than the burn
END = HISTORY + 4 * H

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: {service}
owner: web
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: sum(rate(http_requests_total{{job="{service}",code=~"5.."}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{job="{service}"}}[{{{{ window }}}}]))
    alerting:
      absent: 15m
      budget:
        - {{consumed: 50%, severity: ticket}}
        - {{consumed: 100%, severity: page}}
"""

# service -> its traffic (minutes, requests/s, error ratio), the clean history included
SCENARIOS: dict[str, list[Phase]] = {
    "outage": [Phase(HISTORY, 100, 0.0), Phase(H, 100, 1.0), Phase(3 * H, 100, 0.0)],
    "burn": [Phase(HISTORY, 100, 0.0), Phase(4 * H, 100, 0.02)],  # 20x a 99.9% SLO's budget
    "healthy": [Phase(HISTORY + 4 * H, 100, 0.0003)],  # 0.3x: never alerts
    "quiet": [Phase(HISTORY + 4 * H, 0.5, 0.0)],  # low traffic, no error series at all
    "gone": [Phase(HISTORY + H, 100, 0.0)],  # its metrics stop an hour after the clean history
}


def counters() -> dict[str, tuple[list[Phase], bool]]:
    """Each scenario's raw counters: their traffic and whether they count the errors."""
    out = {}
    for service, phases in SCENARIOS.items():
        for code, bad in (("200", False), ("500", True)):
            if service == "quiet" and bad:
                continue  # a service that never failed has no 5xx series
            out[f'http_requests_total{{job="{service}",code="{code}"}}'] = (phases, bad)
    return out


def promtool_series() -> dict[str, str]:
    return {name: counter(phases, bad) for name, (phases, bad) in counters().items()}


def victoria_series() -> dict[str, list[float]]:
    return {name: per_minute(phases, bad) for name, (phases, bad) in counters().items()}


@dataclass(frozen=True)
class Alert:
    service: str
    tier: str  # slo_severity
    kind: str  # "burn", "budget" or "nodata"
    consumed: str = ""  # slo_budget_consumed of a budget alert

    @property
    def name(self) -> str:
        suffix = {"burn": "ErrorBudgetBurn", "budget": "ErrorBudgetConsumed", "nodata": "SLINoData"}[self.kind]
        return f"{self.service.capitalize()}Availability{suffix}"

    def matchers(self) -> dict[str, str]:
        labels = {"alertname": self.name, "alertstate": "firing", "slo_service": self.service,
                  "slo_severity": self.tier}
        if self.consumed:
            labels["slo_budget_consumed"] = self.consumed
        return labels

    def selector(self) -> str:
        return "ALERTS{" + ",".join(f'{k}="{v}"' for k, v in self.matchers().items()) + "}"


# Every alert that fires, and the first minute (after the clean history) it fires in promtool
# (every group at 1m, groups in file order) and in vmalert's replay (each group at its interval).
# Page tier, 1m group: no lag. Ticket and budget alerts, 3m group: the next 3m tick (+1 to +3;
# the burn's ticket +3 because Prometheus's rate under-counts a new series' first 4 minutes, which
# lifts its 3d ratio just above the threshold one minute earlier). No-data alert: 1 minute EARLIER
# on VictoriaMetrics, whose `[15m]` excludes the sample 15m old and Prometheus 2's includes it.
FIRING = {
    Alert("outage", "page", "burn"): (5, 5),
    Alert("outage", "ticket", "burn"): (17, 18),
    Alert("outage", "ticket", "budget", "50%"): (65, 66),
    Alert("outage", "page", "budget", "100%"): (65, 66),
    Alert("burn", "page", "burn"): (48, 48),
    Alert("burn", "ticket", "burn"): (36, 39),
    Alert("burn", "ticket", "budget", "50%"): (65, 66),
    Alert("burn", "page", "budget", "100%"): (65, 66),
    Alert("gone", "ticket", "nodata"): (80, 79),
}
SILENT = ("healthy", "quiet")


def write_specs(root: Path) -> Path:
    specs = root / "specs"
    specs.mkdir()
    for service in SCENARIOS:
        (specs / f"{service}.yml").write_text(SPEC.format(service=service), encoding="utf-8")
    return specs


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("rules")
    return rule_file(write_specs(root), root)


@pytest.fixture(scope="module")
def replayed(rules: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Victoria]:
    root = tmp_path_factory.mktemp("victoria")
    with victoria_metrics(root) as vm:
        vm.import_minutes(victoria_series())
        # Level by level, each with its writes flushed: what a long enough -replay.rulesDelay does.
        for level in levels(rules, root):
            vm.replay([level], END, rules_delay="0s")
        yield vm


def first_firing(vm: Victoria, alert: Alert) -> int | None:
    found = vm.minutes(alert.selector(), END)
    assert len(found) <= 1, found
    after_start = [m for minutes in found.values() for m in minutes if m >= START]
    return min(after_start) if after_start else None


def test_promtool_shows_the_reference_times(rules: list[Path], tmp_path: Path) -> None:
    """promtool pins each start to the minute (quiet one minute before, firing at it); the
    healthy and quiet services never alert, not even pending."""
    checks = []
    for alert, (minute, _) in FIRING.items():
        expr = f"count({alert.selector()})"
        checks += [expect_quiet(expr, HISTORY + minute - 1), expect_firing(expr, HISTORY + minute)]
    for service in SILENT:
        checks.append(expect_quiet(f'count_over_time(ALERTS{{slo_service="{service}"}}[{END - START}m])', END))
    # In file order, as vmalert runs them: the long group reads this minute's short windows.
    order = [g["name"] for path in rules for g in yaml.safe_load(path.read_text())["groups"]]
    run(require_tool("promtool"), rules, promtool_series(), checks, tmp_path, group_eval_order=order)


@pytest.mark.parametrize("alert", list(FIRING), ids=lambda a: f"{a.service} {a.tier} {a.kind}")
def test_alert_fires_on_victoria_metrics_at_the_measured_minute(replayed: Victoria, alert: Alert) -> None:
    started = first_firing(replayed, alert)
    assert started is not None, f"{alert.name} ({alert.tier}) never fired in vmalert's replay"
    assert started - HISTORY == FIRING[alert][1]


def test_victoria_metrics_fires_nothing_else(replayed: Victoria) -> None:
    compared = {"alertname", "alertstate", "slo_service", "slo_severity", "slo_budget_consumed"}
    firing = {json.dumps({k: v for k, v in json.loads(key).items() if k in compared}, sort_keys=True)
              for key, minutes in replayed.minutes('{__name__="ALERTS",alertstate="firing"}', END).items()
              if max(minutes) >= START}
    assert firing == {json.dumps(a.matchers(), sort_keys=True) for a in FIRING}
    for service in SILENT:  # not even pending
        alerts = replayed.minutes(f'{{__name__="ALERTS",slo_service="{service}"}}', END)
        assert [m for minutes in alerts.values() for m in minutes if m >= START] == [], alerts


def test_a_service_without_error_series_records_zero_errors(replayed: Victoria) -> None:
    """`errors or (total * 0)` holds in MetricsQL: no 5xx series reads as 0 errors, every minute,
    and a full budget, instead of no data."""
    ratio = replayed.values('slo:sli_error:ratio_rate5m{slo_service="quiet"}', END)
    (values,) = ratio.values()
    assert sorted(values) == list(range(1, END + 1)) and set(values.values()) == {0.0}
    (remaining,) = replayed.values('slo:period_error_budget_remaining:ratio{slo_service="quiet"}', END).values()
    assert set(remaining.values()) == {1.0} and len(remaining) >= (END - H) // 3


@pytest.mark.slow
def test_one_replay_per_rule_file_gives_the_same_times(rules: list[Path],
                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    """What a user runs: the generated files as they are, rules chained by `-replay.rulesDelay`.
    2s works; with vmalert's default of 1s the period ratio's chain (30d ratio -> period burn
    rate -> remaining budget -> budget alerts) came back empty in 4 runs of 4; with 0s a group's
    rules run concurrently and no chained rule sees its inputs. ~45 s: one SLO's ~22 rules x 2 s,
    the files replayed in parallel."""
    root = tmp_path_factory.mktemp("victoria-files")
    with victoria_metrics(root) as vm, ThreadPoolExecutor(len(rules)) as pool:
        vm.import_minutes(victoria_series())
        list(pool.map(lambda path: vm.replay([path], END, rules_delay="2s"), rules))
        assert {alert: first_firing(vm, alert) for alert in FIRING} == {
            alert: HISTORY + minutes for alert, (_, minutes) in FIRING.items()}
