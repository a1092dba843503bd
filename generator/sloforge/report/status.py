"""Live error-budget status of every SLO, read from Prometheus' recorded series.

Rolling mode reads the contract series (`slo:sli_error:ratio_rate<period>`,
`slo:period_error_budget_remaining:ratio`, the burn rates) as the rules record
them. Calendar mode (`--calendar month|quarter`) counts the events of exactly
[start, at], traffic-weighted like the rolling period ratio: the hourly series
(events each hour saw / 3600 s) at the whole hours after the start, plus the
5m rates of the minutes since the last whole hour (each x 60 s); SLOs without
hourly series sum their 5m rates over the whole span:

    errors = sum_over_time(errors_1h[span - 1ms:1h]) * 3600 + sum_over_time(errors_5m[since hour - 1ms]) * 60
    ratio  = errors / (the same for all events);  remaining = 1 - ratio / error budget

(1ms short: a Prometheus 2 range includes its start, which would take the step
exactly at the period start, the previous period's last hour.) Burn-down curves
(for the HTML page) come from the same series over the period, as cumulative
errors against the period's whole budget.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.rules.recording import SPACING, period_uses_hourly_steps
from sloforge.model.catalog import Slo
from sloforge.model.journey import Journey
from sloforge.prometheus_api import Client, Sample

HOUR, BASE = c.PERIOD_STEP_SECONDS, c.BASE_WINDOW_SECONDS
CALENDARS = ("month", "quarter")
JOURNEY = "journey"  # Status.service of a journey: its name reads `journey/<name>`


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
    # Seconds until the budget runs out at the last day's burn (slo:period_error_budget_exhaustion:seconds):
    # 0 once spent, None when that burn cannot exhaust it, or in calendar mode (the forecast is rolling).
    runs_out_in: float | None = None

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
            "zone": self.zone, "firing": list(self.firing), "runs_out_in_seconds": self.runs_out_in,
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
        # Prometheus reads query times to the millisecond; the calendar's ranges are counted in them.
        self.client, self.slos, self.at = client, slos, round(at * 1000) / 1000

    def _by_slo(self, expr: str) -> dict[tuple[str, str, str], float]:
        out = {}
        for sample in self.client.query(expr, self.at):
            out[self._key(sample)] = sample.value
        return out

    def _key(self, sample: Sample) -> tuple[str, str, str]:
        """(service, slo, group): the group is the values of the SLI's group_by labels, so
        the labels of the spec (today's or those of series recorded before an edit) never
        split one SLO in two."""
        service, name = sample.labels.get(c.LABEL_SERVICE, ""), sample.labels.get(c.LABEL_SLO, "")
        slo = next((s for s in self.slos if (s.service, s.name) == (service, name)), None)
        grouping = set(slo.sli.group_by) if slo else set()
        group = ", ".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()) if k in grouping)
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
        forecast = self._by_slo(c.PERIOD_BUDGET_EXHAUSTION)
        alerts = self.firing()
        out = []
        for slo in self.slos:
            keys = sorted({k for k in (*ratios, *remaining) if k[:2] == (slo.service, slo.name)}) or [
                (slo.service, slo.name, "")]
            for key in keys:
                out.append(Status(slo.service, slo.name, key[2], slo.objective, slo.error_budget,
                                  f"rolling {slo.period_text}", self.at - slo.period, self.at,
                                  ratios.get(key), remaining.get(key), period_burn.get(key),
                                  current.get(key), tuple(alerts.get(key[:2], ())),
                                  runs_out_in=forecast.get(key)))
        return out

    def journeys(self, journeys: list[Journey]) -> list[Status]:
        """Each journey's rolling status, as an SLO's, from the journey series (`slo:journey_*`,
        compile/rules/journeys.py); its name reads `journey/<name>`."""
        def by_journey(expr: str) -> dict[str, float]:
            return {s.labels.get(c.LABEL_JOURNEY, ""): s.value for s in self.client.query(expr, self.at)}

        ratios: dict[str, float] = {}
        for period in sorted({j.period_text for j in journeys}):
            ratios.update(by_journey(f'{c.journey_error_ratio(period)}{{{c.LABEL_WINDOW}="{period}"}}'))
        remaining = by_journey(c.JOURNEY_PERIOD_BUDGET_REMAINING)
        period_burn = by_journey(c.JOURNEY_PERIOD_BURN_RATE)
        current = by_journey(c.JOURNEY_CURRENT_BURN_RATE)
        alerts: dict[str, set[str]] = {}
        for sample in self.client.query(f'ALERTS{{alertstate="firing", {c.LABEL_JOURNEY}!=""}}', self.at):
            alerts.setdefault(sample.labels.get(c.LABEL_JOURNEY, ""), set()).add(_alert_text(sample.labels))
        return [Status(JOURNEY, j.name, "", j.objective, j.error_budget, f"rolling {j.period_text}",
                       self.at - j.period, self.at, ratios.get(j.name), remaining.get(j.name),
                       period_burn.get(j.name), current.get(j.name), tuple(sorted(alerts.get(j.name, ()))))
                for j in journeys]

    def calendar(self, calendar: str) -> list[Status]:
        start = calendar_start(self.at, calendar)
        ratios: dict[tuple[str, str, str], float] = {}
        for step in sorted({_step(s) for s in self.slos}):
            found = self._counted(start, step)
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

    def _counted(self, start: float, step: int) -> dict[tuple[str, str, str], float]:
        """Error ratio of the events in (start, at], per SLO (and group) summed at `step`.

        Ranges are written 1ms short (`[Nms]`): on Prometheus 2 a range includes its start."""
        at_ms, start_ms = round(self.at * 1000), round(start * 1000)
        hour_ms = at_ms // (HOUR * 1000) * HOUR * 1000  # the last whole hour
        # (range, seconds one sample stands for): each sample is a rate of the events it counts
        ranges: list[tuple[str, int]] = []
        since = start_ms
        if step == HOUR and hour_ms > start_ms:
            # The hourly steps in (start, at]: the whole hours after the start, each the hour before it.
            hourly = durations.format(HOUR)
            ranges.append((f"{hourly}[{at_ms - start_ms - 1}ms:{hourly}]", HOUR))
            since = hour_ms
        if at_ms > since:  # the minutes since the last step: the 5m rates recorded in (since, at]
            ranges.append((f"{durations.format(BASE)}[{at_ms - since - 1}ms]", SPACING))
        errors: dict[tuple[str, str, str], float] = {}
        total: dict[tuple[str, str, str], float] = {}
        for span, weight in ranges:
            window, selector = span.split("[", 1)
            for name, into in ((c.error_events(window), errors), (c.total_events(window), total)):
                # Summed per SLO (and group): series recorded under labels the spec has since
                # changed count for the same SLO (no budget reset on a label edit).
                for sample in self.client.query(f"sum_over_time({name}[{selector})", self.at):
                    key = self._key(sample)
                    into[key] = into.get(key, 0.0) + sample.value * weight
        return {key: errors.get(key, 0.0) / count for key, count in total.items() if count > 0}

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
        err: dict[float, float] = {}
        tot: dict[float, float] = {}
        if first <= status.end:
            err = self._summed(f"sum({errors}{selector})", first, status.end, step)
            tot = self._summed(f"sum({total}{selector})", first, status.end, step)
        gaps = missing_spans(tot, first, status.end, step)
        if status.window.startswith("calendar"):
            # The minutes since the last step, as the calendar ratio counts them (events / step).
            since_ms, end_ms = round(status.end // step * step * 1000), round(status.end * 1000)
            if end_ms > round(status.start * 1000) and end_ms > since_ms:
                since_ms = max(since_ms, round(status.start * 1000))
                errors5m, total5m = _rates(BASE)
                for name, into in ((errors5m, err), (total5m, tot)):
                    expr = f"sum(sum_over_time({name}{selector}[{end_ms - since_ms - 1}ms])) * {SPACING / step!r}"
                    for sample in self.client.query(expr, status.end):
                        into[status.end] = sample.value
        budget = slo.error_budget * sum(tot.values())
        if not budget:
            return (), gaps
        curve, spent = [(status.start, 1.0)], 0.0
        for moment in sorted(tot):
            spent += err.get(moment, 0.0)
            curve.append((moment, 1 - spent / budget))
        if status.window.startswith("calendar") and curve[-1][0] < status.end:
            # Seconds since the last step that hold no 5m sample yet counted nothing, in the table
            # too: the curve still ends where the period (so far) does.
            curve.append((status.end, curve[-1][1]))
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
    elif c.LABEL_BUDGET_EXHAUSTS_WITHIN in labels:
        what = f"budget runs out within {labels[c.LABEL_BUDGET_EXHAUSTS_WITHIN]}"
    elif kind == c.ALERT_KIND_BUDGET or (kind is None and name.endswith("ErrorBudgetConsumed")):
        what = f"budget {labels.get('slo_budget_consumed', '')}".strip()
    elif kind == c.ALERT_KIND_NO_DATA or (kind is None and name.endswith("SLINoData")):
        what = "no data"
    else:
        what = name
    return f"{tier} {what}".strip()
