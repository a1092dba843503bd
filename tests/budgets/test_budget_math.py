"""`explain` numbers against tables computed by hand (tests state the arithmetic).

99.9% over 30d: budget 0.1% = 43.2 bad minutes. Base window B = 5m; a summed
window W after a step to error ratio e reads A(t)/W with A(t) = e t^2 / 2B for
t <= B and e (t - B/2) after; a pair fires at the later crossing + for.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sloforge.explain import timing as bm
from sloforge.explain.slo import explain
from sloforge.model import policy
from sloforge.pipeline import load_catalog

from tests.conftest import run_cli

MIN = 60.0
PAIRS_30D = {p.long_text: p for p in policy.default_pairs(30 * 86400)}
FOR = {"page": 120, "ticket": 900}


@pytest.mark.parametrize("objective, period_days, per_day, per_week, per_period", [
    pytest.param(99.9, 30, 1.44, 10.08, 43.2, id="99.9% over 30d is 43.2 min"),
    pytest.param(99.5, 7, 7.2, 50.4, 50.4, id="99.5% over 7d"),
    pytest.param(99.99, 28, 0.144, 1.008, 4.032, id="99.99% over 28d"),
    pytest.param(99, 90, 14.4, 100.8, 1296, id="99% over 90d"),
])
def test_budget_in_bad_minutes(objective: float, period_days: int, per_day: float,
                               per_week: float, per_period: float) -> None:
    budget = bm.Budget(round(1 - objective / 100, 12), period_days * 86400)
    assert (budget.per_day / MIN, budget.per_week / MIN, budget.per_period / MIN) == pytest.approx(
        (per_day, per_week, per_period))


# Full outage (e = 1), 99.9% / 30d:
#   1h x14.4: long A = 0.0144*3600 = 51.84 <= B/2 -> t = sqrt(600*51.84) = 176.4 s; short 5m read
#             directly: 300*0.0144 = 4.3 s; + for 2m -> 296.4 s = 4.94 min
#   6h x6:    A = 0.006*21600 = 129.6 -> t = sqrt(600*129.6) = 278.9 s; +2m -> 6.65 min
#   1d x3:    A = 259.2 > 150 -> t = 259.2 + 150 = 409.2 s; + 15m -> 21.82 min
#   3d x1:    A = 259.2 as well -> 21.82 min
# Just above the factor: the long window fills after W + 5m: 67, 367, 1460, 4340 min.
# Reset after a full outage (first window back at the threshold):
#   1h/5m:  5m read directly: 300*(1-0.0144) = 295.7 s = 4.93 min
#   6h/30m: 30m summed: (A(t) - A(t-30m))/30m = 0.994 -> u = t-30m solves u - u^2/600 = 139.2,
#           u = 219.5 s -> 2019.5 s = 33.66 min
#   1d/2h:  u - u^2/600 = 128.4 -> u = 186.2 -> 7386.2 s = 123.10 min
#   3d/6h:  same u -> 21786.2 s = 363.10 min
HAND = {
    "1h": (4.94, 67.0, 4.93),
    "6h": (6.65, 367.0, 33.66),
    "1d": (21.82, 1460.0, 123.10),
    "3d": (21.82, 4340.0, 363.10),
}


@pytest.mark.parametrize("window", list(HAND))
def test_detection_and_reset_times_match_the_hand_table(window: str) -> None:
    pair = PAIRS_30D[window]
    outage, at_factor, reset = HAND[window]
    for_seconds = FOR[pair.tier]
    assert bm.detection(pair, 0.001, 1.0, for_seconds) / MIN == pytest.approx(outage, abs=0.02)
    assert bm.at_factor(pair, 0.001, for_seconds) / MIN == pytest.approx(at_factor, abs=0.02)
    assert bm.reset(pair, 0.001, 1.0) / MIN == pytest.approx(reset, abs=0.02)


def test_budget_spent_when_the_page_fires_on_a_full_outage() -> None:
    # 296.4 s of full outage out of 43.2 min: 11.4% of the month's budget
    budget = bm.Budget(0.001, 30 * 86400)
    spent = bm.budget_spent(1.0, bm.detection(PAIRS_30D["1h"], 0.001, 1.0, 120), budget)
    assert spent == pytest.approx(296.4 / 2592, abs=0.001)


def test_a_burn_at_or_below_the_threshold_never_fires() -> None:
    pair = PAIRS_30D["1h"]
    assert bm.detection(pair, 0.001, 0.0144) is None
    assert bm.detection(pair, 0.001, 0.0145) is not None


def test_textbook_detection_is_long_window_times_threshold_over_error() -> None:
    # Workbook: 1h x 14.4 x 0.1% / 100% = 51.8 s; at 10% errors 8.6 min
    assert bm.textbook_detection(PAIRS_30D["1h"], 0.001, 1.0) == pytest.approx(51.84)
    assert bm.textbook_detection(PAIRS_30D["1h"], 0.001, 0.1) / MIN == pytest.approx(8.64)
    # ours at 10%: long A = 51.84*... A(t)/3600 = 0.0144 -> A = 51.84 / 0.1 ... e(t - 150) = 51.84
    # -> t = 518.4 + 150 = 668.4 s, + 2m -> 13.14 min
    assert bm.detection(PAIRS_30D["1h"], 0.001, 0.1, 120) / MIN == pytest.approx(13.14, abs=0.01)


SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: api
slos:
  - name: strict
    objective: 99.99
    window: 28d
    sli:
      events:
        errors: sum(rate(e[{{ window }}]))
        total: sum(rate(t[{{ window }}]))
    alerting:
      min_events: 120
  - name: loose
    objective: 90
    sli:
      events:
        errors: sum(rate(e[{{ window }}]))
        total: sum(rate(t[{{ window }}]))
"""


def test_explanation_flags_dead_tiers_and_carries_the_guard(tmp_path: Path) -> None:
    (tmp_path / "api.yml").write_text(SPEC)
    catalog, warnings = load_catalog([str(tmp_path)])
    strict, loose = (explain(s) for s in sorted(catalog.slos, key=lambda s: s.name, reverse=True))
    # 90%: page 1h needs 14.4 x 10% = 144% errors, 6h 6 x 10% = 60%
    assert [(t.long, t.dead) for t in loose.tiers] == [("1h", True), ("6h", False), ("1d", False),
                                                       ("3d", False)]
    assert loose.tiers[0].outage_fire is None
    assert any("can never fire" in w.message for w in warnings)
    # 99.99% / 28d: 4.032 bad minutes; the 1h page factor is 13.44
    assert strict.bad_seconds_per_period / MIN == pytest.approx(4.032)
    assert strict.tiers[0].factor == pytest.approx(13.44)
    assert strict.tiers[0].min_events == 120 and strict.tiers[0].min_rate == pytest.approx(120 / 3600)


def test_cli_json_and_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    (tmp_path / "api.yml").write_text(SPEC)
    png = tmp_path / "explain.png"
    done = run_cli("explain", str(tmp_path), "--slo", "api/strict", "--format", "json",
                   "--plot", str(png), "--rate", "50")
    assert done.returncode == 0, done.stderr
    import json

    data = json.loads(done.stdout)
    [slo] = data["slos"]
    assert slo["slo"] == "strict" and slo["bad_events"]["day"] == pytest.approx(0.0001 * 86400 * 50)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_cli_unknown_slo_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "api.yml").write_text(SPEC)
    done = run_cli("explain", str(tmp_path), "--slo", "nope")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: --slo 'nope' matches no SLO in the specs (known: api/strict, api/loose)"


@pytest.mark.parametrize(("for_seconds", "interval", "effective"), [
    pytest.param(300, 180, 360, id="5m every 3m: 6m (pending at 0, 3m; firing at 6m)"),
    pytest.param(600, 180, 720, id="10m every 3m: 12m"),
    pytest.param(900, 180, 900, id="15m every 3m: exact"),
    pytest.param(120, 60, 120, id="2m every 1m: exact"),
    pytest.param(90, 60, 120, id="90s every 1m: 2m"),
    pytest.param(0, 180, 0, id="no for: the first evaluation"),
])
def test_for_takes_whole_evaluation_intervals(for_seconds: int, interval: int, effective: int) -> None:
    assert bm.effective_for(for_seconds, interval) == effective


TIMED = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: api
slos:
  - name: timed
    objective: 99.9
    sli:
      events:
        errors: sum(rate(e[{{ window }}]))
        total: sum(rate(t[{{ window }}]))
    alerting:
      page: {for: 90s}
      ticket: {for: 10m}
      budget:
        - {consumed: 50%, severity: ticket, for: 15m}
        - {consumed: 75%, severity: ticket}
        - {consumed: 100%, severity: page, for: 4m}
"""


def test_explain_states_the_effective_delay_of_each_for(tmp_path: Path) -> None:
    """Budget alerts and the ticket tier run in the 3m group, the page tier in the 1m group: a
    `for:` counts whole evaluations of its group, and the detection times include that."""
    (tmp_path / "api.yml").write_text(TIMED)
    catalog, _ = load_catalog([str(tmp_path)])
    (e,) = (explain(s) for s in catalog.slos)
    assert [(p.for_seconds, p.interval_seconds, p.effective_for_seconds) for p in e.budget_policy] == [
        (900, 180, 900), (300, 180, 360), (240, 180, 360)]
    assert [(t.tier, t.for_seconds, t.interval_seconds, t.effective_for_seconds) for t in e.tiers] == [
        ("page", 90, 60, 120), ("page", 90, 60, 120), ("ticket", 600, 180, 720), ("ticket", 600, 180, 720)]
    (pair,) = [p for p in catalog.slos[0].alerting.pairs if p.long_text == "1d"]
    assert e.tiers[2].outage_fire == pytest.approx(bm.detection(pair, 0.001, 1.0, 720))
    done = run_cli("explain", str(tmp_path), env={"COLUMNS": "200"})  # wide: one row per tier
    assert done.returncode == 0, done.stderr
    rows = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:-1]]
            for line in done.stdout.splitlines() if line.startswith("│")}
    assert rows["50%"][:3] == ["ticket", "15m", "15-18 min"]
    assert rows["75%"][:3] == ["ticket", "5m (6m)", "6-9 min"]
    assert rows["100%"][:3] == ["page", "4m (6m)", "6-9 min"]
    assert rows["ticket"][4] == "10m (12m)" and rows["page"][4] == "1m30s (2m)"
    assert "Budget alerts are evaluated every 3m" in done.stdout
