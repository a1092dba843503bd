"""`sloforge backtest --range 30d --by route` over 40 days of backfilled traffic, against hand counts.

The synthetic traffic (tests/history/synthetic.py) keeps every route's requests and errors per
minute; the expected numbers are sums of those counts, never a replay of the rules: the
SLI achieved and the budget consumed over the range, each planted route's share of the bad
events, and each planted incident's start and end. The range equals the SLO's 30d period, so
the budget consumed is (errors / requests) / (1 - objective) with no scaling.
"""

from __future__ import annotations

import json
import math

import pytest

from tests.conftest import run_cli
from tests.history.conftest import Long
from tests.history.scenarios import LONG_RANGE, ROUTES
from tests.history.synthetic import DAY, HOUR, MINUTE

# one worker starts this module's server (make test runs on several)
pytestmark = pytest.mark.xdist_group("backtest-long")

BUDGET = 0.001


@pytest.fixture(scope="module")
def history(long: Long) -> dict:
    done = run_cli("backtest", str(long.spec), "--prometheus", long.server.url, "--range", "30d",
                   "--end", str(long.end), "--by", "route", "--format", "json")
    assert done.returncode == 0, done.stderr
    (long.server.storage.parent / "backtest.json").write_text(done.stdout)
    [one] = json.loads(done.stdout)["slos"]
    return one


def test_sli_and_budget_equal_the_exact_counts(long: Long, history: dict) -> None:
    t, begin = long.traffic, long.end - LONG_RANGE
    requests, errors = t.count(t.requests, begin, long.end), t.count(t.errors, begin, long.end)
    bad = history["total_events"] - history["good_events"]
    assert history["total_events"] == pytest.approx(requests, rel=1e-3)
    assert bad == pytest.approx(errors, rel=1e-3)
    assert 1 - history["sli"] == pytest.approx(errors / requests, rel=1e-3)
    assert history["budget_consumed"] == pytest.approx(errors / requests / BUDGET, rel=1e-3)
    # the planted incidents spend most of it: the baseline alone (0.1x) would be 10%
    assert history["budget_consumed"] > 0.2
    # Exactly, the rules count the minutes' 5m rates x 60 s: the minutes ending in (start, end].
    # Traffic grows 20% over the data, so a range shifted by one minute counts ~8e-7 more.
    assert history["total_events"] == pytest.approx(t.rate5m_count(t.requests, begin, long.end), rel=1e-9)
    assert bad == pytest.approx(t.rate5m_count(t.errors, begin, long.end), rel=1e-9)
    shifted = t.rate5m_count(t.requests, begin + MINUTE, long.end + MINUTE)
    assert history["total_events"] != pytest.approx(shifted, rel=1e-7)


def test_attribution_by_route_gives_the_exact_shares(long: Long, history: dict) -> None:
    t, begin = long.traffic, long.end - LONG_RANGE
    errors = t.count(t.errors, begin, long.end)
    shares = {a["labels"]["route"]: a["share"] for a in history["attribution"]}
    assert set(shares) == set(ROUTES)
    for route in ROUTES:
        exact = t.count(t.errors, begin, long.end, [route]) / errors
        assert shares[route] == pytest.approx(exact, abs=0.01), route
    # Errors are not spread like traffic (a split by requests would be off by 3 points), and a
    # split counted from the 5m rates rather than the minutes' counts differs by far less.
    traffic = {route: t.count(t.requests, begin, long.end, [route]) / t.count(t.requests, begin, long.end)
               for route in ROUTES}
    assert max(abs(shares[route] - traffic[route]) for route in ROUTES) > 0.02


def test_every_planted_incident_is_found_with_its_page(long: Long, history: dict) -> None:
    incidents = sorted(history["incidents"], key=lambda i: i["start"])
    planted = [p for p in long.planted if p.expect[("availability", "")] == "page"]
    assert len(incidents) == len(planted), [(i["start_iso"], i["end_iso"]) for i in incidents]
    pages = [f for f in history["firings"] if f["tier"] == "page" and f["kind"] == "burn-rate"]
    for p, found in zip(planted, incidents, strict=True):
        incident = p.incident
        # the first minute whose 5m rate is above 1x is the incident's first minute
        assert abs(found["start"] - incident.start) <= 2 * MINUTE, (incident.name, found["start_iso"])
        # its 5m rate stays above 1x until the incident's last minute leaves the window
        assert abs(found["end"] - incident.end) <= 5 * MINUTE, (incident.name, found["end_iso"])
        assert found["first_page"] is not None and incident.start < found["first_page"] <= incident.end, \
            incident.name
        assert [f["start"] for f in pages if incident.start < f["start"] <= incident.end + 3600] == \
            [found["first_page"]], incident.name
    quiet = [p.incident for p in long.planted if p.expect[("availability", "")] == "none"]
    for incident in quiet:
        assert not [f for f in history["firings"] if incident.start < f["start"] <= incident.end + 6 * 3600]


def test_suggest_returns_the_objective_computed_by_hand(long: Long) -> None:
    """`sloforge suggest --range 40d`: every rolling 30d period ending at a whole hour in the last
    10 days. Its error ratio is the hourly recorded rates' sum over the period, and the hours
    partition it, so by hand it is the minutes' 5m rates summed over (t - 30d, t] (errors over
    requests). The highest objective that never ran out of budget is the 0.001% grid point
    strictly under the worst period's SLI; with pages unbounded it is the suggestion."""
    done = run_cli("suggest", str(long.spec), "--prometheus", long.server.url, "--range", "40d",
                   "--end", str(long.end), "--max-pages-per-month", "1000", "--format", "json")
    assert done.returncode == 0, done.stderr
    [found] = json.loads(done.stdout)["slos"]
    t = long.traffic
    errors, requests = t.rate5m_cumulative(t.errors), t.rate5m_cumulative(t.requests)
    hours = range(long.end - 10 * DAY, long.end + 1, HOUR)
    ratios = sorted((errors[t.index(h)] - errors[t.index(h - 30 * DAY)])
                    / (requests[t.index(h)] - requests[t.index(h - 30 * DAY)]) for h in hours)
    assert found["periods"] == len(ratios) == 241
    assert found["worst_sli"] == pytest.approx(1 - ratios[-1], abs=1e-12)
    assert found["median_sli"] == pytest.approx(1 - ratios[len(ratios) // 2], abs=1e-12)
    bound = math.floor((1 - ratios[-1]) * 100_000) / 1000
    assert found["budget_bound"] == pytest.approx(bound) and found["highest"] == pytest.approx(bound)
    assert found["binding"] == "budget" and found["exhausted_periods"] == 0
    # the worst period holds every planted incident: the 0.1x baseline alone would allow 99.99
    assert 99.9 < bound < 99.99
