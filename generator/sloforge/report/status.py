"""Live error-budget status of every SLO, read from Prometheus' recorded series.

Rolling mode reads the contract series (`slo:sli_error:ratio_rate<period>`,
`slo:period_error_budget_remaining:ratio`, the burn rates) as the rules record
them. Calendar mode (`--calendar month|quarter`) sums the recorded 1h (or, for
SLOs without hourly series, 5m) event rates from the start of the calendar
period, traffic-weighted like the rolling period ratio:

    error ratio = sum_over_time(errors[elapsed:step]) / sum_over_time(total[elapsed:step])
    remaining   = 1 - error ratio / error budget

so the budget is the share of this calendar period's traffic allowed to fail.
Burn-down curves (for the HTML page) come from the same series over the
period, as cumulative errors against the period's whole budget.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.rules.recording import period_uses_hourly_steps
from sloforge.model.catalog import Slo
from sloforge.prometheus_api import Client, Sample

HOUR, BASE = c.PERIOD_STEP_SECONDS, c.BASE_WINDOW_SECONDS
CALENDARS = ("month", "quarter")


@dataclass(frozen=True, slots=True)
class Status:
    service: str
    slo: str
    group: str  # label values of a group_by SLI ("" for one series)
    objective: float
    error_budget: float
    window: str  # "rolling 30d" or "calendar month 2026-11"
    start: float  # unix time the window starts
    end: float
    error_ratio: float | None
    budget_remaining: float | None
    period_burn_rate: float | None
    current_burn_rate: float | None
    firing: tuple[str, ...] = ()
    burndown: tuple[tuple[float, float], ...] = field(default=())
    gaps: tuple[tuple[float, float], ...] = field(default=())  # (from, to): no recorded sample

    @property
    def name(self) -> str:
        return f"{self.service}/{self.slo}" + (f"{{{self.group}}}" if self.group else "")

    @property
    def sli(self) -> float | None:
        return None if self.error_ratio is None else 1 - self.error_ratio

    @property
    def zone(self) -> str:
        return zone(self.budget_remaining)

    @property
    def has_data(self) -> bool:
        return self.budget_remaining is not None

    def to_json(self) -> dict[str, object]:
        return {
            "service": self.service, "slo": self.slo, "group": self.group, "objective": self.objective,
            "window": self.window, "start": self.start, "end": self.end, "sli": self.sli,
            "error_ratio": self.error_ratio, "budget_remaining": self.budget_remaining,
            "period_burn_rate": self.period_burn_rate, "current_burn_rate": self.current_burn_rate,
            "zone": self.zone, "firing": list(self.firing),
        }


def zone(remaining: float | None) -> str:
    """Budget-policy zone: healthy > 50% left, concerning, critical < 25%, exhausted <= 0."""
    if remaining is None:
        return "no data"
    if remaining <= 0:
        return "exhausted"
    if remaining < 0.25:
        return "critical"
    if remaining <= 0.5:
        return "concerning"
    return "healthy"


def calendar_start(at: float, calendar: str) -> float:
    moment = dt.datetime.fromtimestamp(at, dt.UTC)
    month = moment.month if calendar == "month" else 3 * ((moment.month - 1) // 3) + 1
    return dt.datetime(moment.year, month, 1, tzinfo=dt.UTC).timestamp()


def calendar_label(start: float, calendar: str) -> str:
    moment = dt.datetime.fromtimestamp(start, dt.UTC)
    if calendar == "month":
        return f"calendar month {moment:%Y-%m}"
    return f"calendar quarter {moment.year}-Q{(moment.month - 1) // 3 + 1}"


def _step(slo: Slo) -> int:
    return HOUR if period_uses_hourly_steps(slo) else BASE


def _rates(step: int) -> tuple[str, str]:
    window = durations.format(step)
    return c.error_events(window), c.total_events(window)


class Collector:
    """Reads every SLO's status with a handful of queries (one per series name, not per SLO)."""

    def __init__(self, client: Client, slos: list[Slo], at: float):
        self.client, self.slos, self.at = client, slos, at

    def _by_slo(self, expr: str) -> dict[tuple[str, str, str], float]:
        out = {}
        for sample in self.client.query(expr, self.at):
            out[self._key(sample)] = sample.value
        return out

    def _key(self, sample: Sample) -> tuple[str, str, str]:
        service, name = sample.labels.get(c.LABEL_SERVICE, ""), sample.labels.get(c.LABEL_SLO, "")
        slo = next((s for s in self.slos if (s.service, s.name) == (service, name)), None)
        static = {k for k, _ in slo.labels} if slo else set()
        ignore = static | {"__name__", c.LABEL_SERVICE, c.LABEL_SLO, c.LABEL_WINDOW}
        group = ", ".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()) if k not in ignore)
        return service, name, group

    def firing(self) -> dict[tuple[str, str], list[str]]:
        out: dict[tuple[str, str], list[str]] = {}
        for sample in self.client.query('ALERTS{alertstate="firing", slo_service!=""}', self.at):
            labels = sample.labels
            out.setdefault((labels.get(c.LABEL_SERVICE, ""), labels.get(c.LABEL_SLO, "")), []).append(
                _alert_text(labels))
        return {key: sorted(set(texts)) for key, texts in out.items()}

    def rolling(self) -> list[Status]:
        ratios: dict[tuple[str, str, str], float] = {}
        for period in sorted({s.period_text for s in self.slos}):
            ratios.update(self._by_slo(f'{c.error_ratio(period)}{{{c.LABEL_WINDOW}="{period}"}}'))
        remaining = self._by_slo(c.PERIOD_BUDGET_REMAINING)
        period_burn = self._by_slo(c.PERIOD_BURN_RATE)
        current = self._by_slo(c.CURRENT_BURN_RATE)
        alerts = self.firing()
        out = []
        for slo in self.slos:
            keys = sorted({k for k in (*ratios, *remaining) if k[:2] == (slo.service, slo.name)}) or [
                (slo.service, slo.name, "")]
            for key in keys:
                out.append(Status(slo.service, slo.name, key[2], slo.objective, slo.error_budget,
                                  f"rolling {slo.period_text}", self.at - slo.period, self.at,
                                  ratios.get(key), remaining.get(key), period_burn.get(key),
                                  current.get(key), tuple(alerts.get(key[:2], ()))))
        return out

    def calendar(self, calendar: str) -> list[Status]:
        start = calendar_start(self.at, calendar)
        elapsed = int(self.at - start)
        ratios: dict[tuple[str, str, str], float] = {}
        for step in sorted({_step(s) for s in self.slos}):
            errors, total = _rates(step)
            span = f"[{elapsed}s:{durations.format(step)}]"
            found = self._by_slo(f"sum_over_time({errors}{span}) / sum_over_time({total}{span})")
            ratios.update({k: v for k, v in found.items()
                           if any(_step(s) == step and (s.service, s.name) == k[:2] for s in self.slos)})
        current = self._by_slo(c.CURRENT_BURN_RATE)
        alerts = self.firing()
        label = calendar_label(start, calendar)
        out = []
        for slo in self.slos:
            keys = sorted(k for k in ratios if k[:2] == (slo.service, slo.name)) or [(slo.service, slo.name, "")]
            for key in keys:
                ratio = ratios.get(key)
                ratio = None if ratio is None or math.isnan(ratio) else ratio  # NaN: no traffic yet
                burn = None if ratio is None else ratio / slo.error_budget
                out.append(Status(slo.service, slo.name, key[2], slo.objective, slo.error_budget, label,
                                  start, self.at, ratio, None if burn is None else 1 - burn, burn,
                                  current.get(key), tuple(alerts.get(key[:2], ()))))
        return out

    def burndown(self, status: Status, slo: Slo, points: int = 400) -> Status:
        """The status with its burn-down curve and gaps (see `_burndown`)."""
        curve, gaps = self._burndown(status, slo, points)
        return dataclasses.replace(status, burndown=curve, gaps=gaps)

    def _burndown(self, status: Status, slo: Slo, points: int) -> tuple[tuple[tuple[float, float], ...],
                                                                         tuple[tuple[float, float], ...]]:
        """(time, budget remaining) from the window's start: cumulative errors against the whole budget;
        and the spans whose steps have no recorded sample (`missing_spans`)."""
        step = _step(slo)
        errors, total = _rates(step)
        selector = "{" + c.selector(slo.service, slo.name) + "}"
        first = (status.start // step + 1) * step
        if first > status.end:
            return (), ()
        err = self._summed(f"sum({errors}{selector})", first, status.end, step)
        tot = self._summed(f"sum({total}{selector})", first, status.end, step)
        gaps = missing_spans(tot, first, status.end, step)
        budget = slo.error_budget * sum(tot.values())
        if not budget:
            return (), gaps
        curve, spent = [(status.start, 1.0)], 0.0
        for moment in sorted(tot):
            spent += err.get(moment, 0.0)
            curve.append((moment, 1 - spent / budget))
        stride = max(1, len(curve) // points)
        return tuple(curve[::stride] + ([curve[-1]] if (len(curve) - 1) % stride else [])), gaps

    def _summed(self, expr: str, start: float, end: float, step: int) -> dict[float, float]:
        series = self.client.query_range(expr, start, end, step)
        return {t: v for s in series for t, v in s.points if not math.isnan(v)}


def missing_spans(present: Iterable[float], first: float, end: float, step: int) -> tuple[tuple[float, float], ...]:
    """The spans a burn-down curve has no data for: every step of the range query
    (first, first + step, ... <= end) without a sample is a gap covering the step it
    stands for, (t - step, t]; adjacent ones merge. Such a step adds nothing to the
    curve (no errors, no traffic), so a scrape gap would otherwise look like a clean period."""
    have = {round(t) for t in present}
    spans: list[tuple[float, float]] = []
    moment = first
    while moment <= end:
        if round(moment) not in have:
            if spans and spans[-1][1] == moment - step:
                spans[-1] = (spans[-1][0], moment)
            else:
                spans.append((moment - step, moment))
        moment += step
    return tuple(spans)


def _alert_text(labels: dict[str, str]) -> str:
    """page burn, ticket budget 75%, ticket no data, ... from an ALERTS series: by its
    slo_alert_kind (any alerting.name), or by the name's suffix for rules older than that label."""
    name, tier = labels.get("alertname", ""), labels.get(c.LABEL_TIER, "")
    kind = labels.get(c.LABEL_ALERT_KIND)
    if kind == c.ALERT_KIND_BURN_RATE or (kind is None and name.endswith("ErrorBudgetBurn")):
        what = "burn"
    elif kind == c.ALERT_KIND_BUDGET or (kind is None and name.endswith("ErrorBudgetConsumed")):
        what = f"budget {labels.get('slo_budget_consumed', '')}".strip()
    elif kind == c.ALERT_KIND_NO_DATA or (kind is None and name.endswith("SLINoData")):
        what = "no data"
    else:
        what = name
    return f"{tier} {what}".strip()
