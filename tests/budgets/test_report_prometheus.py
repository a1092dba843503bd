"""`sloforge report` against a real Prometheus with 95 days of backfilled history.

The raw counters and the recorded 5m/1h series are backfilled with promtool;
the server then evaluates the generated rules itself (recording rules and alerts,
`for:` removed so alerts fire within seconds) and `report` reads the result over
HTTP. Every number is compared with the value computed from the synthetic
minute counts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sloforge.prometheus_api import Client
from sloforge.report.status import calendar_start, zone

from tests.budgets import synthetic
from tests.budgets.synthetic import DAY, HOUR, History
from tests.budgets.test_report_html import _gap_rects, _svgs, _x
from tests.conftest import free_port, require_tool, run_cli

# One backfilled Prometheus for the module: its tests run on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("report-prometheus")

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: payments
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: sum(rate(shop_requests_total{job="shop",code="500"}[{{ window }}]))
        total: sum(rate(shop_requests_total{job="shop"}[{{ window }}]))
    alerting:
      budget: [{consumed: 50%, severity: ticket}, {consumed: 75%, severity: ticket}]
  - name: search
    objective: 99.5
    window: 7d
    sli:
      events:
        errors: sum(rate(search_requests_total{job="search",code="500"}[{{ window }}]))
        total: sum(rate(search_requests_total{job="search"}[{{ window }}]))
  - name: legacy
    objective: 99.99
    sli:
      events:
        errors: sum(rate(legacy_requests_total{job="legacy",code="500"}[{{ window }}]))
        total: sum(rate(legacy_requests_total{job="legacy"}[{{ window }}]))
    alerting:
      budget: [{consumed: 100%, severity: page}]
"""
GHOST = SPEC.split("slos:")[0].replace("service: shop", "service: ghost") + """slos:
  - name: availability
    objective: 99
    sli:
      events:
        errors: sum(rate(ghost_total{code="500"}[{{ window }}]))
        total: sum(rate(ghost_total[{{ window }}]))
"""
PERIODS = {"availability": 30 * DAY, "search": 7 * DAY, "legacy": 30 * DAY}
# search is not scraped for 3 hours, two days ago: none of its series has a sample in
# (last whole hour - GAP[0], last whole hour - GAP[1]]. Its error ratio is constant, so
# every number the other tests check is the same with or without the gap.
SEARCH_GAP = (2 * DAY + 3 * HOUR, 2 * DAY)
BUDGETS = {"availability": 0.001, "search": 0.005, "legacy": 0.0001}


@dataclass
class Server:
    url: str
    specs: Path
    ghost: Path
    histories: dict[str, History]
    end: int  # last backfilled minute


def _edge(t: float, now_hour: int) -> float:
    """x2 errors in the last hour of every month, x0.5 in the first: a calendar report that
    takes an hour from the wrong side of the period start reads a different ratio. Not in
    the last two hours of the history, which the current burn rate reads."""
    if t >= now_hour - 2 * HOUR:
        return 1.0
    if calendar_start(t + HOUR, "month") != calendar_start(t, "month"):
        return 2.0
    if t - calendar_start(t, "month") < HOUR:
        return 0.5
    return 1.0


def _profiles(now_hour: int) -> dict[str, synthetic.Profile]:
    incident = now_hour - 10 * DAY

    def availability(t: float) -> tuple[float, float]:
        if t >= now_hour - HOUR:
            return 10.0, 0.2  # ongoing incident: 200x burn
        if incident <= t < incident + 2 * HOUR:
            return 10.0, 0.05
        return 10.0, 0.0005 * _edge(t, now_hour)

    return {
        "availability": availability,
        "search": lambda t: (5.0, 0.001 * _edge(t, now_hour)),
        "legacy": lambda t: (2.0, 0.0002 * _edge(t, now_hour)),
    }



def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.loads(answer.read())


def _live_rules(rules_text: str) -> str:
    """The generated rules, evaluated every 5s and without `for:` so alerts fire at once.

    The hourly rates count the hour's 5m rates x 60 s (one a minute): at 5s there are twelve
    a minute, so they count each x 5 s here."""
    document = yaml.safe_load(rules_text)
    for group in document["groups"]:
        group["interval"] = "5s"
        for rule in group["rules"]:
            rule.pop("for", None)
            if str(rule.get("record", "")).endswith(":rate1h"):
                assert rule["expr"].endswith(") / 60"), rule["expr"]
                rule["expr"] = rule["expr"].removesuffix(" / 60") + " / 720"
    return yaml.safe_dump(document, sort_keys=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    promtool, prometheus = require_tool("promtool"), require_tool("prometheus")
    from sloforge.pipeline import Options, build, load_catalog

    root = tmp_path_factory.mktemp("report")
    specs = root / "specs"
    specs.mkdir()
    (specs / "shop.yml").write_text(SPEC)
    ghost = root / "ghost.yml"
    ghost.write_text(GHOST)

    end = int(time.time()) // 60 * 60
    profiles = _profiles(end // HOUR * HOUR)
    metrics = {"availability": ("shop_requests_total", "shop"), "search": ("search_requests_total", "search"),
               "legacy": ("legacy_requests_total", "legacy")}
    histories = {name: synthetic.history("shop", name, *metrics[name], end, profiles[name]) for name in profiles}
    data = root / "data.om"
    data.write_text(_without_search_gap(synthetic.openmetrics(list(histories.values())), end // HOUR * HOUR))
    hour = end // HOUR * HOUR
    histories["search"].missing = ((hour - SEARCH_GAP[0], hour - SEARCH_GAP[1]),)
    storage = root / "tsdb"
    done = subprocess.run([promtool, "tsdb", "create-blocks-from", "--max-block-duration=240h", "openmetrics",
                           str(data), str(storage)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr

    catalog, _ = load_catalog([str(specs)])
    [rules] = [f.rules_text for f in build(catalog, Options(paths=[str(specs)])) if f.rules_text]
    (root / "rules.yml").write_text(_live_rules(rules))
    (root / "prometheus.yml").write_text("global: {evaluation_interval: 5s}\nrule_files: [rules.yml]\n")
    port = free_port()
    log = (root / "prometheus.log").open("w")
    process = subprocess.Popen([prometheus, f"--config.file={root / 'prometheus.yml'}",
                                f"--storage.tsdb.path={storage}", f"--web.listen-address=127.0.0.1:{port}",
                                "--storage.tsdb.retention.time=3650d"],
                               stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_rules(url, process, root)
        yield Server(url, specs, ghost, histories, end)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _without_search_gap(openmetrics: str, hour: int) -> str:
    """The backfill less every search sample in the scrape gap (SEARCH_GAP before `hour`)."""
    first, last = hour - SEARCH_GAP[0], hour - SEARCH_GAP[1]
    kept = [line for line in openmetrics.splitlines()
            if not (('job="search"' in line or 'slo_name="search"' in line)
                    and first < int(line.rsplit(" ", 1)[1]) <= last)]
    assert len(kept) < len(openmetrics.splitlines())
    return "\n".join(kept) + "\n"


def _wait_for_rules(url: str, process: subprocess.Popen, root: Path) -> None:
    """Until the server has evaluated every SLO's rules and the alerts."""
    deadline = time.time() + 40
    while time.time() < deadline:
        assert process.poll() is None, (root / "prometheus.log").read_text()[-2000:]
        try:
            remaining = _get(f"{url}/api/v1/query?query=slo:period_error_budget_remaining:ratio")
            alerts = _get(f"{url}/api/v1/query?query=ALERTS")
            if len(remaining["data"]["result"]) == 3 and alerts["data"]["result"]:
                time.sleep(6)  # one more evaluation: every alert has seen its inputs
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("Prometheus did not evaluate the rules in time:\n"
                         + (root / "prometheus.log").read_text()[-2000:])


def _report(server: Server, *args: str) -> tuple[float, dict[str, dict]]:
    before = time.time()
    done = run_cli("report", str(server.specs), "--prometheus", server.url, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["time"] >= before or "--at" in args
    return data["time"], {row["slo"]: row for row in data["slos"]}


def test_rolling_report_matches_the_synthetic_history(server: Server) -> None:
    at, rows = _report(server)
    for name, history in server.histories.items():
        row = rows[name]
        hour = at // HOUR * HOUR  # the period ratio sums whole hours
        ratio = history.ratio(hour - PERIODS[name], hour)
        remaining = 1 - ratio / BUDGETS[name]
        assert row["sli"] == pytest.approx(1 - ratio, abs=2e-5), name
        assert row["error_ratio"] == pytest.approx(ratio, rel=0.03), name
        assert row["budget_remaining"] == pytest.approx(remaining, abs=0.03), name
        assert row["period_burn_rate"] == pytest.approx(ratio / BUDGETS[name], rel=0.03), name
        assert row["zone"] == zone(remaining), name
    # the last 5 minutes: 20% errors = 200x the 0.1% budget; 0.1% of 0.5%; 0.02% of 0.01%
    assert rows["availability"]["current_burn_rate"] == pytest.approx(200, rel=0.01)
    assert rows["search"]["current_burn_rate"] == pytest.approx(0.2, rel=0.01)
    assert rows["legacy"]["current_burn_rate"] == pytest.approx(2, rel=0.01)
    assert [rows[n]["zone"] for n in ("availability", "search", "legacy")] == ["critical", "healthy", "exhausted"]
    assert rows["availability"]["firing"] == ["page burn", "ticket budget 50%", "ticket budget 75%", "ticket burn"]
    assert rows["search"]["firing"] == []
    assert rows["legacy"]["firing"] == ["page budget 100%", "ticket burn"]


def test_report_shows_when_the_budget_runs_out(server: Server) -> None:
    """The forecast the server records (slo:period_error_budget_exhaustion:seconds) as report shows it:
    availability burns at ~9x over the last day (23h at 0.05% errors, the last hour at 20%) with
    under a quarter of its budget left: R P / b; search burns at 0.2x with 80% left: it cannot run
    out at that burn (absent, "not at this burn"); legacy burns at 2x and has spent it all: 0, "out"."""
    at, rows = _report(server)
    client = Client(server.url)
    hour = at // HOUR * HOUR
    for name, history in server.histories.items():
        # The server's own inputs at the report's instant: the forecast is exactly R P / b of them.
        [day] = client.query(f'slo:sli_error:ratio_rate1d{{slo_name="{name}"}}', at)
        [left] = client.query(f'slo:period_error_budget_remaining:ratio{{slo_name="{name}"}}', at)
        burn = day.value / BUDGETS[name]
        exact = (0.0 if left.value <= 0 else left.value * PERIODS[name] / burn if burn > left.value else None)
        assert rows[name]["runs_out_in_seconds"] == (exact if exact is None else pytest.approx(exact, rel=1e-9)), name
        # And by hand from the synthetic history, counted as the rules count: R from the period's
        # hourly sums, b from the day's 5m rates (the server adds its own live evaluations of the
        # last seconds, 5s apart: a few percent more of the ongoing incident's weight).
        if name == "availability":
            rate5m = history.rate5m()
            day = [i for i in range(len(history.requests)) if at - DAY <= history.time(i) <= at]
            b = sum(rate5m["error"][i] for i in day) / sum(rate5m["total"][i] for i in day) / BUDGETS[name]
            remaining = 1 - history.hourly_ratio(hour - PERIODS[name], hour) / BUDGETS[name]
            # the incident runs from the start of the last whole hour but one: 1 to 2 hours of the day
            assert 8 < b < 18 and 0 < remaining < 0.25, (b, remaining)
            assert rows[name]["runs_out_in_seconds"] == pytest.approx(remaining * PERIODS[name] / b, rel=0.05)
    assert rows["search"]["runs_out_in_seconds"] is None
    assert rows["legacy"]["runs_out_in_seconds"] == 0
    table = run_cli("report", str(server.specs), "--prometheus", server.url, "--slo", "search", "--slo", "legacy")
    assert table.returncode == 0, table.stderr
    assert re.search(r"shop/search .* not at this burn", table.stdout), table.stdout
    assert re.search(r"shop/legacy .* out ", table.stdout), table.stdout


def _check_calendar(server: Server, calendar: str, at: float) -> None:
    _, rows = _report(server, "--calendar", calendar, "--at", repr(at))
    start = calendar_start(at, calendar)
    for name, history in server.histories.items():
        begin = max(start, history.start)
        # What the recorded series in the TSDB hold for (start, at]: the hourly rates at the whole
        # hours after the start, then the 5m rates of the minutes since; the report must add
        # exactly these (only float rounding differs).
        counted = history.counted_ratio(begin, at)
        assert rows[name]["error_ratio"] == pytest.approx(counted, rel=1e-9), name
        assert rows[name]["budget_remaining"] == pytest.approx(1 - counted / BUDGETS[name], rel=1e-9), name
        assert rows[name]["window"].startswith(f"calendar {calendar} ")
        assert rows[name]["start"] == start
        # And those counts tell the truth: a sum of 5m rates differs from the exact minute counts
        # only by the errors of the 5 minutes before each end of the range (reaching back at
        # the start, the ramp at the end), whatever share of the period an incident is.
        total = sum(history.requests[history.index(begin) + 1:history.index(at) + 1])
        bound = (history.edge_errors(begin) + history.edge_errors(at)) / total
        assert abs(counted - history.ratio(begin, at)) <= bound + 1e-12, name


@pytest.mark.parametrize("calendar", ["month", "quarter"])
def test_calendar_report_sums_from_the_period_start(server: Server, calendar: str) -> None:
    """Pinned at the last backfilled minute (+0.5 s), so the answer depends on the data,
    not on the day of the month the suite runs on."""
    _check_calendar(server, calendar, server.end + 0.5)


def _pinned(server: Server, case: str) -> tuple[str, float]:
    """--at values that start or end a calendar period, from the backfilled history."""
    month = calendar_start(server.end - 36 * 60, "month")  # a month start at least 36 minutes back
    quarter = calendar_start(server.end - 36 * 60, "quarter")
    earlier = calendar_start(server.end - 35 * DAY, "month")
    return {
        "whole second": ("month", float(server.end - 19)),
        "whole second, quarter": ("quarter", float(server.end - 3 * HOUR - 1)),
        "on the hour": ("month", float(earlier + 10 * DAY + 5 * HOUR)),
        "first hour of a month": ("month", float(month + 35 * 60 + 41)),
        "first minute of a month": ("month", float(month + 61)),
        "first hour of a quarter": ("quarter", float(quarter + 35 * 60 + 41)),
        "a whole hour after the quarter start": ("quarter", float(quarter + HOUR)),
        "last second of a month": ("month", float(month - 1)),
        # 41 s past a whole hour: the sample on the hour is the last step's, none came since
        "no sample since the hour": ("month", float((server.end // HOUR - 1) * HOUR + 41)),
    }[case]


@pytest.mark.parametrize("case", ["whole second", "whole second, quarter", "on the hour",
                                  "first hour of a month", "first minute of a month", "first hour of a quarter",
                                  "a whole hour after the quarter start", "last second of a month"])
def test_calendar_period_is_exactly_start_to_at(server: Server, case: str) -> None:
    """On Prometheus 2.42 a subquery range includes its start: at a whole second the step at
    the period start (the previous period's last hour) was summed too (0.6056 of the budget
    consumed where 0.3555 was true); and in the first hour nothing was counted."""
    calendar, at = _pinned(server, case)
    _check_calendar(server, calendar, at)


def _warm(server: Server) -> float:
    """The server's start time, once every rule group is past its warm-up (3 evaluations of 5s)."""
    started = Client(server.url).start_time()
    assert started is not None and started <= time.time()
    time.sleep(max(0.0, started + 3 * 5 + 6 - time.time()))
    return started


def test_html_has_one_burndown_chart_per_slo(server: Server, tmp_path: Path) -> None:
    _warm(server)
    page = tmp_path / "report.html"
    before = time.time()
    done = run_cli("report", str(server.specs), "--prometheus", server.url, "--format", "html",
                   "--output", str(page))
    after = time.time()
    assert done.returncode == 0, done.stderr
    html = page.read_text()
    if os.environ.get("SLOFORGE_REPORT_ARTIFACT"):  # keep the page to look at (CI artifact, screenshots)
        Path(os.environ["SLOFORGE_REPORT_ARTIFACT"]).write_text(html)
    assert html.count('<svg class="burndown"') == 3
    assert html.count("<polyline") == 4  # search's curve in two runs, dashed across its gap
    assert "http://" not in html.replace(server.url, "").replace("http://www.w3.org/2000/svg", "")
    for name in ("shop/availability", "shop/search", "shop/legacy"):
        assert name in html
    assert "Alerts may be missing" not in html and "note:" not in done.stderr  # the server is warm
    # search's 3-hour scrape gap is one hatched band, where it happened on its 7-day chart
    charts = dict(zip(re.findall(r"<h2>(shop/\w+) ", html), _svgs(html), strict=True))
    assert [name for name, svg in charts.items() if _gap_rects(svg)] == ["shop/search"]
    [(left, right)] = _gap_rects(charts["shop/search"])
    hour = server.end // HOUR * HOUR
    gap = (hour - SEARCH_GAP[0], hour - SEARCH_GAP[1])
    for drawn, moment in ((left, gap[0]), (right, gap[1])):  # `at` is between before and after
        assert _x(moment, after - 7 * DAY, after) - 0.1 <= drawn <= _x(moment, before - 7 * DAY, before) + 0.1
    assert "no data (3 h in 1 gap)" in html
    # units and axis titles on the real page too
    assert "<th>burn now (5m)</th>" in html and "<td>200x</td>" in html
    assert html.count(">time (UTC)</text>") == 3 and html.count(">error budget left</text>") == 3


def test_a_just_started_server_gets_the_alerts_notice(server: Server) -> None:
    """At a time just after the server's start its alert groups had not been evaluated
    three times yet: the report says alerts may be missing; now, long after, it does not."""
    groups = Client(server.url).rule_groups()
    assert {g.interval for g in groups} == {5.0}
    assert any("slo_service" in labels for g in groups for labels in g.alert_labels)
    assert all(g.last_evaluation is not None and g.last_evaluation > time.time() - 60 for g in groups)
    started = _warm(server)
    early, _ = _report_with_notice(server, "--at", repr(started + 1))
    assert early is not None and ("evaluated 0 of the 3 times" in early or "evaluated 1 of the 3 times" in early)
    assert "Prometheus started at " in early and "may be missing from \"firing\"" in early
    late, stderr = _report_with_notice(server)
    assert late is None and "note:" not in stderr


def _report_with_notice(server: Server, *args: str) -> tuple[str | None, str]:
    done = run_cli("report", str(server.specs), "--prometheus", server.url, "--format", "json",
                   "--calendar", "month", *args)
    if calendar_start(time.time(), "month") > time.time() - 2 * HOUR:
        pytest.skip("the calendar month began less than two hours ago")
    assert done.returncode == 0, done.stderr
    notice = json.loads(done.stdout)["notice"]
    assert (notice is None) == ("note: " not in done.stderr)
    return notice, done.stderr


def test_table_is_the_default(server: Server) -> None:
    done = run_cli("report", str(server.specs), "--prometheus", server.url, "--slo", "legacy")
    assert done.returncode == 0, done.stderr
    if os.environ.get("SLOFORGE_REPORT_ARTIFACT"):
        Path(os.environ["SLOFORGE_REPORT_ARTIFACT"] + ".txt").write_text(done.stdout)
    assert "shop/legacy" in done.stdout and "exhausted" in done.stdout and "availability" not in done.stdout


def test_an_slo_without_data_is_named_and_fails(server: Server) -> None:
    done = run_cli("report", str(server.specs), str(server.ghost), "--prometheus", server.url)
    assert done.returncode == 1
    assert "error: no data for ghost/availability" in done.stderr
    assert "shop/availability" in done.stdout  # the others are still reported


@pytest.mark.parametrize("case", ["whole second", "first hour of a month", "no sample since the hour"])
def test_calendar_burndown_ends_at_the_reported_budget(server: Server, case: str) -> None:
    """The HTML page's curve counts what the table counts, the minutes since the last hour too."""
    from sloforge.pipeline import load_catalog
    from sloforge.prometheus_api import Client
    from sloforge.report.status import Collector

    calendar, at = _pinned(server, case)
    catalog, _ = load_catalog([str(server.specs)])
    collector = Collector(Client(server.url, 10), list(catalog.slos), at)
    by_name = {slo.name: slo for slo in catalog.slos}
    for status in collector.calendar(calendar):
        curve = collector.burndown(status, by_name[status.slo]).burndown
        assert curve[0] == (status.start, 1.0)
        assert curve[-1][0] == status.end
        assert curve[-1][1] == pytest.approx(status.budget_remaining, rel=1e-9), status.slo
