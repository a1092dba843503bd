"""The two data sets of the backtest proofs: specs, planted incidents, and their times.

Times are relative to the end of the data (`end`, a whole multiple of 3 minutes near now:
`sloforge backtest --range` counts back from now). Each incident is sized in burn-rate
terms for a 7d period, whose factors are: page 3.36 over 1h (5m short) or 1.4 over 6h (30m);
ticket 0.7 over 1d (2h) or 0.2333 over 3d (6h).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.history.synthetic import DAY, HOUR, MINUTE, Incident, Traffic, traffic

ROUTES = {"/pay": 20.0, "/cart": 10.0, "/search": 5.0}
# and a route launched during the exact range, for 4 hours: a group that appears mid-range
EXACT_ROUTES = {**ROUTES, "/beta": 3.0}
BASE_ERROR = 0.0001  # 0.1x the availability budget
BASE_SLOW = 0.001  # 0.1x the latency budget

EXACT_SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: payments
slos:
  - name: availability
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: sum(rate(http_requests_total{job="shop",code="500"}[{{ window }}]))
        total: sum(rate(http_requests_total{job="shop"}[{{ window }}]))
    alerting:
      budget: [{consumed: 20%, severity: ticket}]
  - name: latency
    objective: 99
    window: 7d
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{job="shop"}'
        threshold: 300ms
  - name: uptime
    objective: 99
    window: 7d
    sli:
      probe: probe_success{job="blackbox",instance="https://shop.example.com"}
    alerting:
      min_events: 100
      absent: 15m
  - name: routes
    objective: 99.5
    window: 7d
    sli:
      events:
        errors: sum by (route) (rate(http_requests_total{job="shop",code="500"}[{{ window }}]))
        total: sum by (route) (rate(http_requests_total{job="shop"}[{{ window }}]))
        group_by: [route]
    alerting:
      # the forecast: /beta's whole life is in the last day, so its burn b there is what it has
      # spent, b > 1 - b: it runs out (spent: 0) while that day lasts
      budget: [{exhausts_within: 1d, severity: ticket}]
"""

EXACT_DAYS = 4.5
EXACT_RANGE = 36 * HOUR


@dataclass(frozen=True)
class Planted:
    """An incident and what the generated rules are meant to do about it, per SLO (and group)."""

    incident: Incident
    expect: dict[tuple[str, str], str]  # (slo, group route or "") -> "page" | "ticket" | "none"


def exact_planted(end: int) -> list[Planted]:
    r = end - EXACT_RANGE  # the backtest range's start

    def at(hours: float) -> int:
        return r + int(hours * HOUR) // MINUTE * MINUTE

    return [
        # availability: burn ~1 for 1h on /search: below every threshold
        Planted(Incident("errors", at(2), HOUR, "/search", 0.007, name="errors-quiet"),
                {("availability", ""): "none", ("routes", "/search"): "none"}),
        # ~17x for 20 min on /pay: the 1h page (and not the 6h one)
        Planted(Incident("errors", at(6), 20 * MINUTE, "/pay", 0.03, name="errors-page"),
                {("availability", ""): "page"}),
        # ~1.2x for 10h on /cart: below the 1.4x 6h page, above the 3d ticket; the budget
        # policy's 20% is crossed a few hours in
        Planted(Incident("errors", at(14), 10 * HOUR, "/cart", 0.004, name="errors-ticket"),
                {("availability", ""): "ticket", ("routes", "/cart"): "none"}),
        # 20% of /search for 10 min: pages the /search group (40x), not the others; in the
        # whole SLO (/search is ~1/7 of the traffic, less at that hour) it stays below the page
        Planted(Incident("errors", at(30), 10 * MINUTE, "/search", 0.2, name="errors-group-page"),
                {("routes", "/search"): "page", ("routes", "/pay"): "none", ("routes", "/cart"): "none"}),
        # /beta exists from 25h to 29h into the range, failing 5% (10x its group's budget) for
        # its first 30 minutes: its group pages on a 1h window that holds only its life so far
        Planted(Incident("launch", at(25), 4 * HOUR, "/beta", name="beta-launch"), {}),
        Planted(Incident("errors", at(25), 30 * MINUTE, "/beta", 0.05, name="beta-errors"),
                {("routes", "/beta"): "page"}),
        Planted(Incident("latency", at(8), 25 * MINUTE, "/cart", 0.5, name="latency-page"),
                {("latency", ""): "page"}),
        Planted(Incident("latency", at(20), HOUR, "/search", 0.07, name="latency-quiet"),
                {("latency", ""): "none"}),
        Planted(Incident("probe", at(4), MINUTE, name="probe-quiet"), {("uptime", ""): "none"}),
        Planted(Incident("probe", at(10), 12 * MINUTE, name="probe-page"), {("uptime", ""): "page"}),
        # one failed probe every 90 minutes for 12h: never 2 in an hour, 4 in 6h at most
        Planted(Incident("probe", at(22), 12 * HOUR, every=90, name="probe-ticket"), {("uptime", ""): "ticket"}),
        # the probe is not scraped for 40 minutes: its 5m rates vanish after 5, the no-data
        # alert fires 15 minutes later
        Planted(Incident("probe-gap", at(34), 40 * MINUTE, name="probe-gap"), {("uptime", ""): "none"}),
        # the shop is not scraped for 12 minutes, during the tail of the /search incident
        Planted(Incident("gap", at(30) + 6 * MINUTE, 12 * MINUTE, name="shop-gap"), {}),
    ]


def exact_traffic(end: int) -> Traffic:
    return traffic(end - int(EXACT_DAYS * DAY), EXACT_DAYS, EXACT_ROUTES, [p.incident for p in exact_planted(end)],
                   BASE_ERROR, BASE_SLOW)


LONG_SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: payments
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: sum(rate(http_requests_total{job="shop",code="500"}[{{ window }}]))
        total: sum(rate(http_requests_total{job="shop"}[{{ window }}]))
"""

LONG_DAYS = 40
LONG_RANGE = 30 * DAY


def long_planted(end: int) -> list[Planted]:
    """Incidents in the last 30 days, sized for a 30d period (page: 14.4x over 1h or 6x over 6h).
    The SLO-level burn is the route's error ratio times its share of the traffic (~4/7, 2/7, 1/7)
    over the 0.1% budget."""
    r = end - LONG_RANGE

    def at(days: float) -> int:
        return r + int(days * DAY) // MINUTE * MINUTE

    page = {("availability", ""): "page"}
    return [
        Planted(Incident("errors", at(3.2), 30 * MINUTE, "/pay", 0.07, name="pay-30m"), page),  # ~40x
        Planted(Incident("errors", at(9.6), HOUR, "/cart", 0.08, name="cart-1h"), page),  # ~23x
        Planted(Incident("errors", at(15.1), 20 * MINUTE, "/search", 0.5, name="search-20m"), page),  # ~70x
        # ~11x for 4h: below the 1h page, the 6h one trips about 3h in
        Planted(Incident("errors", at(22.45), 4 * HOUR, "/pay", 0.02, name="pay-4h"), page),
        # ~0.8x (with the 0.1x baseline) for 2h: not even an incident (5m burn never above 1)
        Planted(Incident("errors", at(26.3), 2 * HOUR, "/cart", 0.0025, name="cart-quiet"),
                {("availability", ""): "none"}),
    ]


def long_traffic(end: int) -> Traffic:
    return traffic(end - LONG_DAYS * DAY, LONG_DAYS, ROUTES, [p.incident for p in long_planted(end)], BASE_ERROR,
                   growth=0.2)
