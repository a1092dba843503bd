"""The period ratio counts the events each hour saw (issue 21, point 1).

A 10 req/s service fails every request for 3 minutes, then is not scraped for 3 hours
(the target is down), then comes back with its counters reset; 30 hours in all, scraped
every 15s. The exact 7d ratio is 1,800 failures / 971,850 requests = 0.00185 wherever in
the hour the crash ends. Before: 0.0093, 0.0026 and 0.0135 for crashes ending at minutes
7, 37 and 57 (an hour's few remaining minutes were averaged and weighed as a whole hour),
and 0.00186 for the :57 crash without a gap (the sample on the hour counted in two hours).

What bounds the error: the 5m rates Prometheus' `rate()` computes where a series stops
or starts are extrapolated by up to half a scrape interval, so each edge of a gap adds or
drops at most ~7.5 s of that moment's traffic (here +58 failures: +3.2%), and the last
five minutes before the evaluation are not counted in full yet. A gap itself adds nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.harness import rule_file, run

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: crash
slos:
  - name: availability
    objective: 99.9
    window: 7d
    sli:
      events:
        errors: sum(rate(http_requests_total{job="crash",code=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total{job="crash"}[{{ window }}]))
"""
PERIOD = 'slo:sli_error:ratio_rate7d{slo_service="crash",slo_name="availability"}'
PER_MINUTE = 4  # samples: scraped every 15s
STEP = 150  # requests per sample: 10 req/s
END = 30 * 60  # minutes of the test
OK, BAD = 'http_requests_total{job="crash",code="200"}', 'http_requests_total{job="crash",code="500"}'


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    specs = tmp_path_factory.mktemp("specs")
    (specs / "crash.yml").write_text(SPEC, encoding="utf-8")
    return rule_file(specs, tmp_path_factory.mktemp("rules"))


def within(expr: str, exact: float, at: str, tolerance: float) -> dict[str, object]:
    return {"expr": f"count(abs({expr} - {exact!r}) <= {tolerance * exact!r})", "eval_time": at,
            "exp_samples": [{"labels": "{}", "value": 1}]}


def crash(end_minute: int, gap: bool) -> tuple[dict[str, str], float]:
    """3 minutes of total failure ending at `end_minute`, then (gap) 3 hours unscraped and a restart."""
    end = end_minute * PER_MINUTE
    start = end - 3 * PER_MINUTE
    last = END * PER_MINUTE
    ok = [f"0+{STEP}x{start}", f"{STEP * start}+0x{end - start - 1}"]
    bad = [f"0+0x{start}", f"{STEP}+{STEP}x{end - start - 1}"]
    if gap:
        after = last - (end + 3 * 60 * PER_MINUTE + 1)
        ok += ["stale", f"_x{3 * 60 * PER_MINUTE - 1}", f"0+{STEP}x{after}"]
        bad += ["stale", f"_x{3 * 60 * PER_MINUTE - 1}", f"0+0x{after}"]
        healthy = start + after
    else:
        after = last - end - 1
        ok.append(f"{STEP * (start + 1)}+{STEP}x{after}")
        bad.append(f"{STEP * (end - start)}+0x{after}")
        healthy = start + after + 1
    failures = STEP * (end - start)
    return {OK: " ".join(ok), BAD: " ".join(bad)}, failures / (failures + STEP * healthy)


@pytest.mark.parametrize("minute", [7, 37, 57])
def test_a_crash_and_a_scrape_gap_weigh_what_they_saw(promtool: str, rules: list[Path], tmp_path: Path,
                                                      minute: int) -> None:
    series, exact = crash(10 * 60 + minute, gap=True)
    assert 0.00185 < exact < 0.00186
    checks = [within(PERIOD, exact, "30h", 0.04)]
    if minute == 57:
        # The hour after the crash, the target down throughout, saw only the last 5m rate
        # that still reached back into the crash (~135 failures); before: 15,692 requests.
        checks.append({"expr": 'count(slo:sli_total_events:rate1h{slo_service="crash"} * 3600 < 200)',
                       "eval_time": "12h", "exp_samples": [{"labels": "{}", "value": 1}]})
    run(promtool, rules, series, checks, tmp_path, interval="15s")


@pytest.mark.parametrize("minute", [7, 57])
def test_the_sample_on_the_hour_counts_once(promtool: str, rules: list[Path], tmp_path: Path,
                                            minute: int) -> None:
    series, exact = crash(10 * 60 + minute, gap=False)
    run(promtool, rules, series, [within(PERIOD, exact, "30h", 0.005)], tmp_path, interval="15s")


@pytest.mark.parametrize("born", [2 * 60 + 50, 2 * 60 + 5])
def test_a_service_born_mid_hour_weighs_its_minutes(promtool: str, rules: list[Path], tmp_path: Path,
                                                    born: int) -> None:
    # No series before `born`; its first 10 minutes fail every request, then 20 healthy hours.
    # Before: a service born at :50 read 0.0408 (its 10 failing minutes weighed as a whole hour).
    first, failing, last = born * PER_MINUTE, (born + 10) * PER_MINUTE, 23 * 60 * PER_MINUTE
    series = {
        OK: f"_x{first} 0+0x{failing - first} {STEP}+{STEP}x{last - failing - 1}",
        BAD: f"_x{first} 0+{STEP}x{failing - first} {STEP * (failing - first)}+0x{last - failing - 1}",
    }
    exact = (failing - first) / (last - first)
    run(promtool, rules, series, [within(PERIOD, exact, "23h", 0.005)], tmp_path, interval="15s")
