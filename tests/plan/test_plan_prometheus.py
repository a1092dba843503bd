"""`sloforge plan --prometheus`: the old and the new rules replayed over the same real data.

Fifteen days of checkout traffic in a real Prometheus hold a 30-minute outage of one route
(about 25% of requests fail) and an 8-hour slow burn (0.5%). Lowering the objective from
99.9% to 99.5% over a 7d period keeps the outage's page (1h burn above 3.36 x 0.5%) and
drops the slow burn's (6h at 0.5% is above 1.4 x 0.1% but not 1.4 x 0.5%); the budget left
now is computed here from the same counts, by hand.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.plan.test_plan import _git
from tests.servers import backfilled_prometheus

# one worker starts this module's server (make test runs on several)
pytestmark = pytest.mark.xdist_group("plan-prometheus")

HOUR, DAY = 3600, 86400
END = 1_764_979_200  # a whole hour (2025-12-06 00:00 UTC)
DAYS = 15
OUTAGE = (END - 2 * DAY + 10 * HOUR, 30 * 60)  # (start, seconds): /pay fails completely
SLOW = (END - DAY + HOUR, 8 * HOUR)  # /cart at 0.5%

SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: shop
owner: team-shop
slos:
  - name: availability
    objective: {objective}
    window: 7d
    sli:
      events:
        errors: sum(rate(http_requests_total{{code="500"}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total[{{{{ window }}}}]))
"""


def _minutes() -> Iterator[tuple[int, str, float, float]]:
    """(time, route, requests, errors) of every minute ending at `time`."""
    start = END - DAYS * DAY
    for route, rps in (("/pay", 10.0), ("/cart", 30.0)):
        for i in range(1, DAYS * 1440 + 1):
            t = start + 60 * i
            requests = rps * (1 + 0.5 * math.sin(2 * math.pi * i / 1440)) * 60
            ratio = 0.0
            if route == "/pay" and OUTAGE[0] < t <= OUTAGE[0] + OUTAGE[1]:
                ratio = 1.0
            if route == "/cart" and SLOW[0] < t <= SLOW[0] + SLOW[1]:
                ratio = 0.005
            yield t, route, requests, requests * ratio


def _openmetrics() -> str:
    lines = ["# TYPE http_requests counter"]
    counts: dict[tuple[str, str], float] = {}
    series: dict[tuple[str, str], list[str]] = {}
    for t, route, requests, errors in _minutes():
        for code, value in (("200", requests - errors), ("500", errors)):
            key = (route, code)
            counts[key] = counts.get(key, 0.0) + value
            series.setdefault(key, []).append(f'http_requests_total{{route="{route}",code="{code}"}} '
                                              f"{counts[key]:.4f} {t}")
    for key in sorted(series):
        lines += series[key]
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with backfilled_prometheus(tmp_path_factory.mktemp("plan-history"), _openmetrics()) as url:
        yield url


def test_plan_replays_old_and_new_rules_over_the_last_period(server: str, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "specs").mkdir(parents=True)
    (root / "specs" / "shop.yml").write_text(SPEC.format(objective=99.9))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "before")
    (root / "specs" / "shop.yml").write_text(SPEC.format(objective=99.5))
    done = run_cli("plan", "specs", "--base", "HEAD", "--prometheus", server, "--at", str(END), "-f", "json",
                   cwd=root)
    assert done.returncode == 0, done.stderr
    history = [c for c in json.loads(done.stdout)["changes"] if c["kind"] == "history"]
    assert len(history) == 1
    summary = history[0]["summary"]
    # The budget left at END by hand: the last 7 days' errors over requests.
    bad = total = 0.0
    for t, _, requests, errors in _minutes():
        if t > END - 7 * DAY:
            bad, total = bad + errors, total + requests
    ratio = bad / total
    before, after = 1 - ratio / 0.001, 1 - ratio / 0.005
    left = summary.split("budget left ")[1].split(";")[0]
    shown = [float(x.rstrip("%")) / 100 for x in left.split(" -> ")]
    assert shown[0] == pytest.approx(before, abs=0.002) and shown[1] == pytest.approx(after, abs=0.002)
    assert before < 0 < after  # the change turns an exhausted budget into one with room left
    assert "pages 2 -> 1" in summary
    markdown = run_cli("plan", "specs", "--base", "HEAD", "--prometheus", server, "--at", str(END),
                       "-f", "markdown", cwd=root).stdout
    assert "<details open><summary><b>Against the last period's data</b>" in markdown


def test_plan_without_the_server_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "old").mkdir()
    (tmp_path / "specs" / "shop.yml").write_text(SPEC.format(objective=99.5))
    (tmp_path / "old" / "specs").mkdir()
    (tmp_path / "old" / "specs" / "shop.yml").write_text(SPEC.format(objective=99.9))
    done = run_cli("plan", "specs", "--base-dir", "old", "--prometheus", "http://127.0.0.1:9", "--timeout", "2",
                   cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and "cannot reach Prometheus" in done.stderr
    assert "Traceback" not in done.stderr
