"""Every command that reads specs takes the same load options: a Sloth spec generated with
--slo-period 28d is explained with 28d factors and reported from the 28d series."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from importers_cases import SLOTH

from tests.conftest import run_cli

SPEC = str(SLOTH / "getting-started.yml")


@pytest.mark.parametrize(("args", "period", "factors"), [
    pytest.param([], "30d", [14.4, 6.0, 3.0, 1.0], id="default period"),
    pytest.param(["--slo-period", "28d"], "28d", [13.44, 5.6, 2.8, 0.933333], id="28d"),
])
def test_explain_uses_the_period_the_rules_were_built_with(args: list[str], period: str,
                                                           factors: list[float]) -> None:
    done = run_cli("explain", SPEC, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    slo = json.loads(done.stdout)["slos"][0]
    assert slo["period"] == period
    assert [round(t["factor"], 10) for t in slo["tiers"]] == factors


def test_explain_rejects_a_bad_period_as_a_usage_error() -> None:
    done = run_cli("explain", SPEC, "--slo-period", "soon")
    assert done.returncode == 2
    assert done.stderr.startswith("error: --slo-period: ")


class _Recorder(http.server.BaseHTTPRequestHandler):
    queries: list[str]

    def do_GET(self) -> None:
        self.queries.extend(parse_qs(urlparse(self.path).query).get("query", []))
        body = {"status": "success", "data": {"resultType": "vector", "result": []}}
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    queries: list[str] = []
    handler = type("Handler", (_Recorder,), {"queries": queries})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", queries
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("args", "wanted", "unwanted"), [
    pytest.param([], "ratio_rate30d", "ratio_rate28d", id="default period"),
    pytest.param(["--slo-period", "28d"], "ratio_rate28d", "ratio_rate30d", id="28d"),
])
def test_report_queries_the_series_the_rules_recorded(recorder: tuple[str, list[str]], args: list[str],
                                                      wanted: str, unwanted: str) -> None:
    url, queries = recorder
    run_cli("report", SPEC, "--prometheus", url, "--format", "json", *args)  # no data: exit 1 is expected
    text = "\n".join(queries)
    assert f"slo:sli_error:{wanted}" in text
    assert unwanted not in text


def test_every_command_that_reads_specs_takes_the_same_slo_period() -> None:
    """One definition (cli/options.py SLO_PERIOD) on every command with spec paths."""
    import typer.main
    from sloforge.cli import app
    from sloforge.cli.options import SLO_PERIOD_HELP

    def commands(group: Any, prefix: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                out.update(commands(command, f"{prefix}{name} "))
            else:
                out[prefix + name] = command
        return out

    found = commands(typer.main.get_command(app))
    readers = {name for name, command in found.items()
               if any(p.name in ("paths", "specs") for p in command.params)}
    assert readers >= {"validate", "generate", "convert", "explain", "report", "routes explain", "routes show"}
    for name in sorted(readers):
        options = {p.name: p for p in found[name].params}
        assert "slo_period" in options, name
        assert options["slo_period"].default == "30d" and options["slo_period"].help == SLO_PERIOD_HELP
