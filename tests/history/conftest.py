"""Real Prometheus servers over backfilled synthetic traffic, one per data set (module scope).

`exact`: 4.5 days of raw traffic (events, histogram, probe) with the generated rules' recorded
series backfilled by Prometheus' own rule importer, and every alert of the generated rules
evaluated by Prometheus: the reference the backtest is held to.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from tests.history import scenarios, synthetic
from tests.history.prometheus import RefFiring, Server, alert_firings, backfill_openmetrics, record_rules


@dataclass
class Exact:
    server: Server
    spec: Path
    groups: list[dict]
    traffic: synthetic.Traffic
    planted: list[scenarios.Planted]
    end: int
    reference: list[RefFiring]
    timings: dict[str, float] = field(default_factory=dict)


def generated_groups(spec_text: str, root: Path) -> tuple[Path, list[dict]]:
    """`sloforge generate` on the spec, as a user runs it; its rule groups."""
    spec = root / "specs" / "shop.yml"
    spec.parent.mkdir()
    spec.write_text(spec_text)
    done = run_cli("generate", str(spec), "--out", str(root / "out"))
    assert done.returncode == 0, done.stderr
    [rules] = (root / "out" / "prometheus").glob("*.yml")
    return spec, yaml.safe_load(rules.read_text())["groups"]


@pytest.fixture(scope="module")
def exact(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exact]:
    root = tmp_path_factory.mktemp("exact")
    timings: dict[str, float] = {}
    began = time.monotonic()
    # The end of yesterday (UTC): the same time of day in every run, so the same traffic (the
    # diurnal curve) under each incident; `--end` replays up to it.
    end = int(time.time()) // synthetic.DAY * synthetic.DAY
    spec, groups = generated_groups(scenarios.EXACT_SPEC, root)
    data = scenarios.exact_traffic(end)
    storage = root / "tsdb"
    backfill_openmetrics(synthetic.openmetrics(data), storage)
    timings["backfill"] = time.monotonic() - began
    # Prometheus marks a recorded series stale at the first evaluation that does not produce
    # it; backfilled blocks hold no such markers, so instant selectors would see a vanished
    # series for the default 5m. Every sample an alert reads is written at the very instant it
    # is read (fast series every minute, long ones at the long group's instants), so a
    # lookback under one minute gives what the markers would.
    server = Server(storage, root / "prometheus.log", ("--query.lookback-delta=59s",))
    began = time.monotonic()
    server.start()
    timings["server start"] = time.monotonic() - began
    try:
        began = time.monotonic()
        first = -(-data.start // 180) * 180
        alerts_from = end - scenarios.EXACT_RANGE - synthetic.HOUR  # an hour before: `for:` and pending
        levels = record_rules(server, groups, first, alerts_from, end, root)
        timings["reference: recording rules"] = time.monotonic() - began
        timings.update({f"reference: level {k}": t for k, t in enumerate(levels, start=1)})
        began = time.monotonic()
        reference = alert_firings(server, groups, alerts_from, end)
        timings["reference: alerts"] = time.monotonic() - began
        yield Exact(server, spec, groups, data, scenarios.exact_planted(end), end, reference, timings)
    finally:
        server.stop()


@dataclass
class Long:
    server: Server
    spec: Path
    traffic: synthetic.Traffic
    planted: list[scenarios.Planted]
    end: int
    timings: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def long(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Long]:
    """40 days of request counters (3 routes x 2 codes, one sample a minute) with incidents."""
    root = tmp_path_factory.mktemp("long")
    timings: dict[str, float] = {}
    end = int(time.time()) // synthetic.DAY * synthetic.DAY
    spec = root / "specs" / "shop.yml"
    spec.parent.mkdir()
    spec.write_text(scenarios.LONG_SPEC)
    began = time.monotonic()
    data = scenarios.long_traffic(end)
    text = synthetic.openmetrics(data, latency=False, probe=False)
    timings["synthesis"] = time.monotonic() - began
    began = time.monotonic()
    backfill_openmetrics(text, root / "tsdb")
    timings["backfill"] = time.monotonic() - began
    server = Server(root / "tsdb", root / "prometheus.log")
    began = time.monotonic()
    server.start()
    timings["server start"] = time.monotonic() - began
    try:
        yield Long(server, spec, data, scenarios.long_planted(end), end, timings)
    finally:
        server.stop()
