"""`report` failure modes against small stub HTTP servers, and the pure helpers."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sloforge.report.status import calendar_label, calendar_start, zone

from tests.conftest import SPECS, run_cli


class _Handler(http.server.BaseHTTPRequestHandler):
    status, body, delay = 200, b"", 0.0

    def do_GET(self) -> None:
        time.sleep(self.delay)
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[type[_Handler]]:
    handler = type("Handler", (_Handler,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler
    server.shutdown()
    server.server_close()


def _report(url: str, *args: str) -> tuple[int, str]:
    done = run_cli("report", str(SPECS), "--prometheus", url, *args)
    return done.returncode, done.stderr.strip()


def test_api_error_is_reported_with_prometheus_message(stub: type[_Handler]) -> None:
    stub.status, stub.body = 422, b'{"status":"error","errorType":"execution","error":"query timed out"}'
    code, message = _report(stub.url)  # type: ignore[attr-defined]
    assert code == 1
    assert message.startswith("error: Prometheus API error (execution, HTTP 422) for query ")
    assert message.endswith(": query timed out")


def test_something_that_is_not_prometheus(stub: type[_Handler]) -> None:
    stub.body = b"<html>grafana</html>"
    code, message = _report(stub.url)  # type: ignore[attr-defined]
    expected = (f"error: {stub.url} answered HTTP 200 with something other than the "  # type: ignore[attr-defined]
                "Prometheus API (is this the Prometheus URL?)")
    assert (code, message) == (1, expected)


def test_a_slow_prometheus_times_out(stub: type[_Handler]) -> None:
    stub.delay, stub.body = 1.5, b'{"status":"success","data":{"resultType":"vector","result":[]}}'
    started = time.monotonic()
    code, message = _report(stub.url, "--timeout", "0.5")  # type: ignore[attr-defined]
    assert code == 1 and time.monotonic() - started < 10
    assert message == f"error: Prometheus at {stub.url} did not answer within 0.5s (raise --timeout?)"  # type: ignore[attr-defined]


def test_unreachable_prometheus() -> None:
    code, message = _report("http://127.0.0.1:9")
    assert (code, message) == (1, "error: cannot reach Prometheus at http://127.0.0.1:9: Connection refused")


def test_empty_prometheus_names_every_slo_without_data(stub: type[_Handler], tmp_path: Path) -> None:
    stub.body = b'{"status":"success","data":{"resultType":"vector","result":[]}}'
    code, message = _report(stub.url)  # type: ignore[attr-defined]
    assert code == 1
    # five SLOs and the example journey (specs/buy.yml)
    assert message.count("error: no data for ") == 6 and "no data for checkout/uptime" in message
    assert "no data for journey/buy" in message


@pytest.mark.parametrize("args, expected", [
    (["--format", "html"], "error: --format html needs --output FILE.html"),
    (["--calendar", "year"], "error: --calendar must be one of month, quarter, not 'year'"),
    (["--prometheus-typo"], None),
    (["--at", "yesterday"], "error: --at 'yesterday' is neither a unix time nor an ISO 8601 time"),
])
def test_usage_errors_exit_2(args: list[str], expected: str | None) -> None:
    code, message = _report("http://127.0.0.1:9", *args)
    assert code == 2
    if expected:
        assert message.startswith(expected)


@pytest.mark.parametrize("remaining, expected", [
    (None, "no data"), (0.9, "healthy"), (0.51, "healthy"), (0.5, "concerning"), (0.25, "concerning"),
    (0.2499, "critical"), (0.0001, "critical"), (0.0, "exhausted"), (-1.0, "exhausted"),
])
def test_policy_zones(remaining: float | None, expected: str) -> None:
    assert zone(remaining) == expected


def test_calendar_periods_start_at_utc_midnight_of_the_first_day() -> None:
    at = dt.datetime(2026, 11, 23, 19, 5, tzinfo=dt.UTC).timestamp()
    month, quarter = calendar_start(at, "month"), calendar_start(at, "quarter")
    assert month == dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp()
    assert quarter == dt.datetime(2026, 10, 1, tzinfo=dt.UTC).timestamp()
    assert calendar_label(month, "month") == "calendar month 2026-11"
    assert calendar_label(quarter, "quarter") == "calendar quarter 2026-Q4"
