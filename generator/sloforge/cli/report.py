"""`sloforge report PATHS... --prometheus URL`: live error-budget status of every SLO."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_INVALID, EXIT_USAGE, err, guarded
from sloforge.cli.boundary import report as print_problems
from sloforge.cli.options import (
    BASIC_AUTH_FILE,
    BEARER_TOKEN_FILE,
    CA_FILE,
    PROMETHEUS,
    SLO_PERIOD,
    TIMEOUT,
    load_options,
    prometheus_client,
)

if TYPE_CHECKING:  # the command's modules load when it runs, not when the CLI starts
    from sloforge.errors import Problem
    from sloforge.model.catalog import Catalog
    from sloforge.model.journey import Journey
    from sloforge.report.status import Status

FORMATS = ("table", "json", "html")


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def _parse_time(text: str | None) -> float:
    if text is None:
        return time.time()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        err(f"error: --at {text!r} is neither a unix time nor an ISO 8601 time (2026-11-01T12:00:00Z)")
        raise typer.Exit(EXIT_USAGE) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


def report(
    paths: list[str] = typer.Argument(..., help="Spec files or directories (which SLOs to report)."),
    prometheus: str = PROMETHEUS,
    output_format: str = typer.Option("table", "--format", "-f", help="table, json or html."),
    output: Path = typer.Option(None, "--output", "-o", help="Write here instead of stdout "
                                "(required for html)."),
    calendar: str = typer.Option(None, "--calendar", help="month or quarter: budget of the current "
                                 "calendar period (UTC) instead of the rolling SLO window."),
    slo: list[str] = typer.Option([], "--slo", help="Only this SLO (name or service/name) or journey "
                                  "(journey/<name>, rolling windows only); repeatable."),
    slo_period: str = SLO_PERIOD,
    at: str = typer.Option(None, "--at", help="Evaluate at this time (unix or ISO 8601); default now."),
    timeout: float = TIMEOUT,
    bearer_token_file: Path = BEARER_TOKEN_FILE,
    basic_auth_file: Path = BASIC_AUTH_FILE,
    ca_file: Path = CA_FILE,
) -> None:
    """Report every SLO's SLI over its window, budget remaining, current and window burn rate,
    policy zone (healthy > 50% left, concerning, critical < 25%, exhausted <= 0) and firing
    alerts, from the series the generated rules record. Exit 1 when Prometheus cannot answer
    or an SLO has no data."""
    from sloforge.report.status import CALENDARS

    if output_format not in FORMATS:
        err(f"error: --format must be one of {', '.join(FORMATS)}, not {output_format!r}")
        raise typer.Exit(EXIT_USAGE)
    if output_format == "html" and output is None:
        err("error: --format html needs --output FILE.html")
        raise typer.Exit(EXIT_USAGE)
    if calendar is not None and calendar not in CALENDARS:
        err(f"error: --calendar must be one of {', '.join(CALENDARS)}, not {calendar!r}")
        raise typer.Exit(EXIT_USAGE)
    moment = _parse_time(at)
    client = guarded(lambda: prometheus_client(prometheus, timeout, bearer_token_file, basic_auth_file, ca_file))

    load = load_options(slo_period)

    def body() -> tuple[list[Status], list[Problem], str | None]:
        from sloforge.model.select import select
        from sloforge.pipeline import load_catalog
        from sloforge.report import warmup
        from sloforge.report.status import Collector

        catalog, warnings = load_catalog(paths, load)
        journeys, slo_names = _journeys(catalog, slo)
        chosen = select(catalog, slo_names) if slo_names or not journeys or not slo else []
        collector = Collector(client, chosen, moment)
        statuses = collector.calendar(calendar) if calendar else collector.rolling()
        if output_format == "html":
            by_name = {(s.service, s.name): s for s in chosen}
            statuses = [collector.burndown(s, by_name[(s.service, s.slo)]) for s in statuses]
        if calendar is None:  # a journey counts no events of its own to sum over a calendar span
            statuses += collector.journeys(journeys)
        return statuses, warnings, warmup.check(client, moment)

    statuses, warnings, notice = guarded(body)
    print_problems(warnings)
    if notice:
        err(f"note: {notice}")
    text = _render(statuses, output_format, prometheus, moment, notice)
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            err(f"error: cannot write {output}: {exc.strerror}")
            raise typer.Exit(EXIT_INVALID) from None
        err(f"wrote {output}")
    missing = [s for s in statuses if not s.has_data]
    why = "no recorded traffic since the calendar period began" if calendar else "its recorded series are missing"
    for status in missing:
        err(f"error: no data for {status.name} in {prometheus}: {why}; "
            "are its sloforge rules loaded in this Prometheus, and has the SLI seen traffic?")
    if missing:
        raise typer.Exit(EXIT_INVALID)


def _journeys(catalog: Catalog, names: list[str]) -> tuple[list[Journey], list[str]]:
    """The journeys to report (all when no --slo is given; `--slo journey/<name>` picks one) and
    the --slo names left for SLOs."""
    from sloforge.errors import SloforgeError
    from sloforge.report.status import JOURNEY

    prefix = f"{JOURNEY}/"
    wanted = [n.removeprefix(prefix) for n in names if n.startswith(prefix)]
    known = {j.name for j in catalog.journeys}
    for name in wanted:
        if name not in known:
            raise SloforgeError(f"--slo {prefix + name!r} matches no journey in the specs "
                                f"(known: {', '.join(sorted(prefix + j for j in known)) or 'none'})")
    return ([j for j in catalog.journeys if j.name in wanted or not names],
            [n for n in names if not n.startswith(prefix)])


def _render(statuses: list[Status], output_format: str, prometheus: str, moment: float,
            notice: str | None) -> str:
    if output_format == "json":
        return json.dumps({"prometheus": prometheus, "time": moment, "notice": notice,
                           "slos": [s.to_json() for s in statuses]}, indent=2) + "\n"
    if output_format == "html":
        from sloforge.report.html import render

        return render(statuses, prometheus, moment, notice)
    from sloforge.report.table import table_text

    return table_text(statuses)
