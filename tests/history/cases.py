"""Hand-made backtest results for the picture tests (page and PNG): a quiet SLO, one that paged
and ticketed, a grouped SLO with two groups (one with attribution), hostile label values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sloforge.history.result import Attribution, Firing, GroupHistory, Incident
from sloforge.model.catalog import Slo
from sloforge.pipeline import load_catalog

HOUR, DAY, STEP = 3600, 86400, 300
END = dt.datetime(2026, 12, 6, 0, 0, tzinfo=dt.UTC).timestamp()
START = END - 30 * DAY
HOSTILE = '<script>alert("x")</script> & \'quoted\''

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
slos:
  - name: availability
    description: "checkout <b>works</b> & pays"
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: sum(rate(http_requests_total{job="shop",code=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total{job="shop"}[{{ window }}]))
  - name: quiet
    objective: 99
    window: 28d
    sli:
      events:
        errors: sum(rate(http_requests_total{job="quiet",code=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total{job="quiet"}[{{ window }}]))
  - name: regional
    objective: 99.5
    window: 7d
    sli:
      events:
        errors: sum by (region) (rate(http_requests_total{job="shop",code=~"5.."}[{{ window }}]))
        total: sum by (region) (rate(http_requests_total{job="shop"}[{{ window }}]))
"""


def history(slo: Slo, incidents: list[tuple[float, float, float]], firings: tuple[Firing, ...] = (),
            labels: dict[str, str] | None = None, attribution: tuple[Attribution, ...] = (),
            base: float = 0.2) -> GroupHistory:
    """A 30-day history at a 5m step: burn `base` everywhere, `burn` inside each (start, hours, burn)."""
    times = [START + k * STEP for k in range(int((END - START) / STEP) + 1)]
    burn = [next((b for s, h, b in incidents if s <= t < s + h * HOUR), base) for t in times]
    spent, remaining = 0.0, []
    for t, b in zip(times, burn, strict=True):
        spent += b * STEP / slo.period
        remaining.append((t, 1 - spent))
    found = tuple(Incident(s, s + h * HOUR, b, b * h * HOUR / slo.period,
                           next((f.start for f in firings if f.tier == "page" and s <= f.start < s + h * HOUR), None))
                  for s, h, b in incidents)
    error_ratio = slo.error_budget * spent * slo.period / (END - START)  # burn x budget, averaged over the range
    return GroupHistory(slo.service, slo.name, labels or {}, START, END, 1e6 * (1 - error_ratio), 1e6, spent,
                        firings, found, attribution, tuple(zip(times, burn, strict=True)), tuple(remaining))


OUTAGE = START + 10 * DAY + 6 * HOUR  # a 2-hour outage at 50x
SLOW = START + 20 * DAY  # a 30-hour burn at 2x


def histories(slos: dict[tuple[str, str], Slo]) -> list[GroupHistory]:
    shop, quiet, regional = slos[("shop", "availability")], slos[("shop", "quiet")], slos[("shop", "regional")]
    paged = (Firing("ShopAvailabilityErrorBudgetBurn", "burn-rate", "page", OUTAGE + 7 * 60, OUTAGE + 2 * HOUR + 5 * 60,
                    0.09),
             Firing("ShopAvailabilityErrorBudgetBurn", "burn-rate", "ticket", OUTAGE + 40 * 60, OUTAGE + 5 * HOUR, 0.1),
             Firing("ShopAvailabilityErrorBudgetBurn", "burn-rate", "ticket", SLOW + 9 * HOUR, None, 0.06))
    eu = (Firing("ShopRegionalErrorBudgetBurn", "burn-rate", "page", OUTAGE + 10 * 60, OUTAGE + HOUR, 0.3),)
    spenders = (Attribution({"route": "/pay", "code": "503"}, 1200, 0.8, 0.75),
                Attribution({"route": HOSTILE, "code": "500"}, 400, 0.27, 0.25))
    return [
        history(shop, [(OUTAGE, 2, 50.0), (SLOW, 30, 2.0)], paged),
        history(quiet, [], base=0.0),
        history(regional, [(OUTAGE, 1, 40.0)], eu, labels={"region": "eu"}, attribution=spenders),
        history(regional, [(SLOW, 3, 1.5)], labels={"region": HOSTILE}),
    ]




def load_slos(folder: Path) -> dict[tuple[str, str], Slo]:
    (folder / "shop.yml").write_text(SPEC)
    catalog, _ = load_catalog([str(folder)])
    return {(s.service, s.name): s for s in catalog.slos}
