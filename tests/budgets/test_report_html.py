"""The `report --format html` page from hand-built statuses: gaps drawn where they are,
units, axis titles and time ticks; the burn-down's gap rule; the warm-up notice decision."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import threading
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from sloforge.prometheus_api import Client, RuleGroup
from sloforge.render import svg as charts
from sloforge.report import html
from sloforge.report.status import Status, missing_spans
from sloforge.report.table import table_text
from sloforge.report.warmup import WARM_EVALUATIONS, check, notice, warming_groups

HOUR, DAY = 3600, 86400
SVG = "{http://www.w3.org/2000/svg}"
END = dt.datetime(2026, 12, 6, 1, 35, tzinfo=dt.UTC).timestamp()


def _status(window_days: int = 30, gaps: tuple[tuple[float, float], ...] = (), name: str = "availability",
            burn_now: float = 2.0, burn_window: float = 0.905) -> Status:
    """A status whose curve has a point every hour except in the gaps (as Collector.burndown makes it)."""
    start = END - window_days * DAY
    curve, left = [(start, 1.0)], 1.0
    moment = (start // HOUR + 1) * HOUR
    while moment <= END:
        if not any(a < moment <= b for a, b in gaps):
            left -= 0.9 / (window_days * 24)
            curve.append((moment, left))
        moment += HOUR
    return Status("shop", name, "", 99.9, 0.001, f"rolling {window_days}d", start, END, 0.0009, left,
                  burn_window, burn_now, ("page burn",), tuple(curve), gaps)


def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(match) for match in re.findall(r"<svg class=\"burndown\".*?</svg>", page, re.S)]


def _x(t: float, start: float, end: float) -> float:
    """Where time t sits on a chart of [start, end] (the plot's left edge to its right edge)."""
    return html.PAD_LEFT + (t - start) / (end - start) * (html.WIDTH - html.PAD_LEFT - html.PAD_RIGHT)


def _gap_rects(svg: ET.Element) -> list[tuple[float, float]]:
    return [(float(r.get("x", "")), float(r.get("x", "")) + float(r.get("width", "")))
            for r in svg.iter(f"{SVG}rect") if r.get("class") == "gap"]


@pytest.mark.parametrize("gaps", [
    ((END - 10 * DAY - 3 * HOUR, END - 10 * DAY),),  # a 3-hour scrape gap ten days ago
    ((END - 29 * DAY, END - 27 * DAY), (END - 2 * DAY, END - 2 * DAY + HOUR)),  # two, far apart
])
def test_each_gap_is_a_band_where_it_happened(gaps: tuple[tuple[float, float], ...]) -> None:
    status = _status(gaps=gaps)
    page = html.render([status], "http://prometheus:9090", END)
    [svg] = _svgs(page)
    drawn = _gap_rects(svg)
    assert len(drawn) == len(gaps)
    for (left, right), (start, end) in zip(drawn, gaps, strict=True):
        assert left == pytest.approx(_x(start, status.start, END), abs=0.06)
        assert right == pytest.approx(_x(end, status.start, END), abs=0.12)
    # each band says what it is, and the legend names it
    titles = [r.findtext(f"{SVG}title") for r in svg.iter(f"{SVG}rect") if r.get("class") == "gap"]
    first = dt.datetime.fromtimestamp(gaps[0][0], dt.UTC).strftime("%Y-%m-%d %H:%M")
    assert titles[0] is not None and titles[0].startswith(f"no data {first} to ")
    hours = sum(b - a for a, b in gaps) / HOUR
    assert f"no data ({hours:.3g} h in {len(gaps)} gap" in page
    # the curve is dashed across each gap and solid elsewhere: no solid segment spans a gap
    dashed = [(float(line.get("x1", "")), float(line.get("x2", ""))) for line in svg.iter(f"{SVG}line")
              if line.get("class") == "across-gap"]
    assert len(dashed) == len(gaps)
    for (x1, x2), (left, right) in zip(dashed, drawn, strict=True):
        assert x1 <= left + 0.1 and x2 >= right - 0.1
    for polyline in svg.iter(f"{SVG}polyline"):
        xs = [float(p.split(",")[0]) for p in polyline.get("points", "").split()]
        assert not any(a < left + 0.5 and b > right - 0.5 for a, b in pairwise(xs) for left, right in drawn)


def test_a_chart_without_gaps_has_no_band_and_no_gap_legend() -> None:
    page = html.render([_status()], "http://prometheus:9090", END)
    [svg] = _svgs(page)
    assert _gap_rects(svg) == []
    assert "no data (" not in page
    assert len(list(svg.iter(f"{SVG}polyline"))) == 1


def test_missing_steps_become_merged_spans() -> None:
    first, end = 100 * HOUR, 110 * HOUR  # steps at 100h .. 110h
    every = [first + k * HOUR for k in range(11)]
    assert missing_spans(every, first, end, HOUR) == ()
    present = [t for t in every if t not in (103 * HOUR, 104 * HOUR, 105 * HOUR, 108 * HOUR)]
    assert missing_spans(present, first, end, HOUR) == ((102 * HOUR, 105 * HOUR), (107 * HOUR, 108 * HOUR))
    # a series born mid-range, and one that stopped: the leading and trailing steps are gaps too
    assert missing_spans(every[4:], first, end, HOUR) == ((99 * HOUR, 103 * HOUR),)
    assert missing_spans(every[:-2], first, end, HOUR) == ((108 * HOUR, 110 * HOUR),)
    assert missing_spans([], first, first + 600, 300) == ((first - 300, first + 600),)


def test_burn_rates_carry_their_unit_in_the_table_and_the_cards() -> None:
    status = _status(burn_now=2.0, burn_window=0.905)
    page = html.render([status], "http://prometheus:9090", END)
    table = page.split("<table class=\"summary\">")[1].split("</table>")[0]
    assert "<th>burn now (5m)</th>" in table and "<th>burn (window)</th>" in table
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert cells[5:7] == ["2x", "0.905x"]
    assert "burn now 2x" in page
    assert "multiple of the pace that spends exactly the whole budget over the window (1x)" in page
    text = table_text([status])
    assert " 2x " in text and " 0.905x " in text and "burn now (5m)" in text


def test_axis_titles_ticks_and_the_line_that_explains_the_curve() -> None:
    for days in (30, 7):
        status = _status(window_days=days)
        page = html.render([status], "http://prometheus:9090", END)
        [svg] = _svgs(page)
        titles = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "axis"]
        assert titles == ["time (UTC)", "error budget left"]
        ticks = [(float(t.get("x", "")), t.text) for t in svg.iter(f"{SVG}text") if t.get("class") == "tick"]
        assert 6 <= len(ticks) <= charts.MOST_TICKS, ticks
        for x, label in ticks:  # each label sits at the UTC midnight it names
            day = dt.datetime.strptime(f"{label} 2026", "%b %d %Y").replace(tzinfo=dt.UTC)
            if day.timestamp() > END:
                day = day.replace(year=2025)
            assert x == pytest.approx(_x(day.timestamp(), status.start, END), abs=0.06), label
        start = dt.datetime.fromtimestamp(status.start, dt.UTC).strftime("%Y-%m-%d %H:%M")
        assert (f"Error budget left: errors since {start} counted against the budget of the whole window "
                f"(rolling {days}d)") in page


def test_short_windows_get_hour_ticks() -> None:
    ticks = charts.time_ticks(  # the ticks moved to the shared chart module
        END - 6 * HOUR, END)
    assert [label for _, label in ticks] == ["Dec 05 20:00", "21:00", "22:00", "23:00", "Dec 06 00:00", "01:00"]


def test_the_page_is_self_contained() -> None:
    page = html.render([_status(gaps=((END - DAY, END - DAY + HOUR),)), _status(name="b")],
                       "http://prometheus:9090", END, "Prometheus started at 01:31 UTC, ...")
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert re.findall(r"https?://[^\s\"<]+", page) == ["http://prometheus:9090", "http://www.w3.org/2000/svg",
                                                         "http://www.w3.org/2000/svg"]
    assert set(re.findall(r"url\(([^)]*)\)", page)) == {"#gap-hatch-0"}  # the page's own pattern only
    assert "gap-hatch-1" in page  # each chart defines its own (ids are unique on the page)


def test_the_notice_is_shown_only_when_there_is_one() -> None:
    plain = html.render([_status()], "http://prometheus:9090", END)
    assert "Alerts may be missing" not in plain
    shown = html.render([_status()], "http://prometheus:9090", END, "Prometheus started at 01:31 UTC & more")
    assert "<div class=\"notice\"><b>Alerts may be missing.</b> Prometheus started at 01:31 UTC &amp; more" in shown


# -- the warm-up decision, with fixed timestamps ------------------------------------------------

STARTED = 1_796_520_000.0
SLO_ALERTS = ({"slo_service": "shop", "slo_name": "availability", "slo_severity": "page"},)


def _group(interval: float, last: float | None, name: str = "sloforge-shop-budget",
           alerts: tuple[dict[str, str], ...] = SLO_ALERTS) -> RuleGroup:
    return RuleGroup(name, "rules.yml", interval, last, alerts)


def test_a_just_started_server_is_warming_until_the_third_evaluation() -> None:
    # evaluations at started + 20 s, + 200 s, + 380 s, ... (every 3m)
    group = _group(180, STARTED + 200)
    [warm] = warming_groups([group], STARTED, STARTED + 210)
    assert (warm.evaluations, warm.ready) == (2, STARTED + 380)
    text = notice([warm], STARTED, STARTED + 210)
    assert text is not None
    assert "Prometheus started at 01:20 UTC, 4 min before this report" in text
    assert "\"sloforge-shop-budget\" (every 3m) had been evaluated 2 of the 3 times" in text
    assert "until about 01:26 UTC" in text
    assert warming_groups([_group(180, STARTED + 380)], STARTED, STARTED + 390) == []  # third evaluation done
    assert WARM_EVALUATIONS == 3


def test_not_evaluated_yet_counts_as_zero_and_ready_after_three_intervals() -> None:
    [warm] = warming_groups([_group(180, None)], STARTED, STARTED + 5)
    assert (warm.evaluations, warm.ready) == (0, STARTED + 540)  # the ~9 minutes of the issue
    # Go's zero time for "never" is before the start too
    [warm] = warming_groups([_group(180, STARTED - 1e9)], STARTED, STARTED + 5)
    assert warm.evaluations == 0


def test_an_old_server_or_a_report_about_the_past_gets_no_notice() -> None:
    old = STARTED - 30 * DAY
    assert warming_groups([_group(180, STARTED)], old, STARTED) == []
    assert notice([], old, STARTED) is None
    # --at before this server started: its alerts came from an earlier process
    assert warming_groups([_group(180, STARTED + 200)], STARTED, STARTED - 60) == []
    assert warming_groups([_group(180, STARTED + 200)], None, STARTED + 210) == []


def test_reporting_at_a_time_inside_the_warm_up_counts_evaluations_up_to_then() -> None:
    group = _group(60, STARTED + 3600 + 5)  # long warm, evaluated every minute since start + 5 s
    [warm] = warming_groups([group], STARTED, STARTED + 70)  # --at 70 s after the start: 2 evaluations then
    assert (warm.evaluations, warm.ready) == (2, STARTED + 125)
    assert warming_groups([group], STARTED, STARTED + 125) == []


def test_only_groups_with_sloforge_alerts_count_and_the_slowest_is_named() -> None:
    recording = _group(3600, STARTED + 10, name="hourly-recording", alerts=())
    foreign = _group(600, STARTED + 10, name="node-alerts", alerts=({"severity": "page"},))
    fast = _group(60, STARTED + 10, name="sloforge-shop-fast")
    slow = _group(180, STARTED + 10, name="sloforge-shop-budget")
    found = warming_groups([recording, foreign, fast, slow], STARTED, STARTED + 30)
    assert [w.group for w in found] == ["sloforge-shop-budget", "sloforge-shop-fast"]
    text = notice(found, STARTED, STARTED + 30)
    assert text is not None and "\"sloforge-shop-budget\"" in text and "(and 1 more group)" in text
    assert "Prometheus started at 01:20 UTC, less than a minute before this report" in text


# -- the notice from a server's answers (a stub server: what each endpoint says) --------------

class _Routes(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str]] = {}

    def do_GET(self) -> None:
        status, body = self.routes.get(self.path.split("?")[0], (404, "404 page not found"))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


def _check_against(routes: dict[str, tuple[int, str]], at: float) -> str | None:
    handler = type("Handler", (_Routes,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return check(Client(f"http://127.0.0.1:{server.server_address[1]}", timeout=5), at)
    finally:
        server.shutdown()
        server.server_close()


RUNTIME = "/api/v1/status/runtimeinfo"
RULES = "/api/v1/rules"


def _rules_answer(last: str) -> str:
    return json.dumps({"status": "success", "data": {"groups": [{
        "name": "sloforge-shop-budget", "file": "/etc/prometheus/shop.yml", "interval": 180,
        "lastEvaluation": last, "rules": [
            {"type": "recording", "name": "slo:sli_error:ratio_rate30d", "labels": {"slo_service": "shop"}},
            {"type": "alerting", "name": "ShopAvailabilityErrorBudgetConsumed",
             "labels": {"slo_service": "shop", "slo_name": "availability", "slo_severity": "page"}}]}]}})


def test_the_notice_from_prometheus_answers() -> None:
    started = "2026-12-06T01:20:00.123456789Z"  # = STARTED + 0.123 s, in Prometheus' RFC 3339 nanoseconds
    runtime = (200, json.dumps({"status": "success", "data": {"startTime": started, "CWD": "/"}}))
    text = _check_against({RUNTIME: runtime, RULES: (200, _rules_answer("2026-12-06T01:23:20.5Z"))}, STARTED + 210)
    assert text is not None and "evaluated 2 of the 3 times" in text and "until about 01:26 UTC" in text
    # never evaluated: Go's zero time
    text = _check_against({RUNTIME: runtime, RULES: (200, _rules_answer("0001-01-01T00:00:00Z"))}, STARTED + 30)
    assert text is not None and "evaluated 0 of the 3 times" in text and "until about 01:29 UTC" in text
    # long after the start: nothing to say
    assert _check_against({RUNTIME: runtime, RULES: (200, _rules_answer("2026-12-06T03:23:20Z"))},
                          STARTED + 2 * HOUR) is None


@pytest.mark.parametrize("routes", [
    {},  # a querier without these endpoints (404, not the API)
    {RUNTIME: (200, '{"status":"success","data":{"startTime":"2026-12-06T01:20:00Z"}}')},  # no /rules
    {RUNTIME: (200, '{"status":"success","data":{"startTime":"2026-12-06T01:20:00Z"}}'),
     RULES: (200, '{"status":"success","data":{"groups":[{"interval":"every 3m"}]}}')},  # a shape we cannot read
    {RUNTIME: (200, '{"status":"success","data":{}}')},  # no startTime
])
def test_a_server_that_cannot_tell_gets_no_notice_and_no_failure(routes: dict[str, tuple[int, str]]) -> None:
    assert _check_against(routes, STARTED + 30) is None


def test_hostile_text_is_escaped_everywhere() -> None:
    """Names, groups, firing alerts and the notice are data: a `<script>` in them stays text."""
    import dataclasses
    from html.parser import HTMLParser

    hostile = dataclasses.replace(_status(), service="a&b", slo="<script>alert(1)</script>",
                                  group='route="/x\'<"', firing=("<i>bold</i>", "x&y"))
    page = html.render([hostile], "http://p?a=1&b=<2>", END, "started <script>x</script> & more")
    assert "<script" not in page and "<i>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "http://p?a=1&amp;b=&lt;2&gt;" in page

    class Texts(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.texts: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.texts.append(data)

    parsed, plain = Texts(), Texts()
    parsed.feed(page)
    plain.feed(html.render([_status()], "http://prometheus:9090", END, "started"))
    name = 'a&b/<script>alert(1)</script>{route="/x\'<"}'
    assert parsed.tags == plain.tags  # the same elements as a benign page: none came from the data
    assert f"{name} " in parsed.texts  # the card's heading reads back as the original text
    assert "<i>bold</i>, x&y" in parsed.texts and f"{name}: error budget left over rolling 30d" in parsed.texts
    [svg] = _svgs(page)  # the chart is still well-formed XML with the hostile title inside
    assert svg.findtext(f"{SVG}title") == f"{name}: error budget left over rolling 30d"
