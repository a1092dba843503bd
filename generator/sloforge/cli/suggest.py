"""`sloforge suggest PATHS... --prometheus URL`: measure first, then set the objective."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.backtest import parse_end, parse_range
from sloforge.cli.boundary import EXIT_INVALID, EXIT_USAGE, err, guarded, report
from sloforge.cli.options import (
    BASIC_AUTH_FILE,
    BEARER_TOKEN_FILE,
    CA_FILE,
    PROMETHEUS,
    SLO_PERIOD,
    load_options,
    prometheus_client,
)

if TYPE_CHECKING:
    from sloforge.errors import Problem
    from sloforge.history.suggest import Suggestion

FORMATS = ("table", "json")


def register(app: typer.Typer) -> None:
    app.command("suggest")(suggest)


def suggest(
    paths: list[str] = typer.Argument(..., help="Spec files or directories."),
    prometheus: str = PROMETHEUS,
    range_text: str = typer.Option("90d", "--range", help="History to measure; at least the SLO's period."),
    end: str = typer.Option(None, "--end", help="Up to this time (unix or ISO 8601); default now."),
    max_pages: float = typer.Option(2.0, "--max-pages-per-month", min=0,
                                    help="The most pages a month the suggested objective may raise."),
    slo: list[str] = typer.Option([], "--slo", help="Only this SLO (name or service/name); repeatable."),
    output_format: str = typer.Option("table", "--format", "-f", help="table or json."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds per HTTP request."),
    bearer_token_file: Path = BEARER_TOKEN_FILE,
    basic_auth_file: Path = BASIC_AUTH_FILE,
    ca_file: Path = CA_FILE,
    slo_period: str = SLO_PERIOD,
) -> None:
    """For every SLO: the SLI achieved in each rolling period of the range (worst, median), the
    spec's objective beside it, and the highest objective that would have kept the budget from
    running out and paged at most N times a month under the generated alerts (replayed by the
    backtest engine). Exit 1 when an SLO cannot be measured (the others are still shown)."""
    if output_format not in FORMATS:
        err(f"error: --format must be one of {', '.join(FORMATS)}, not {output_format!r}")
        raise typer.Exit(EXIT_USAGE)
    seconds = parse_range(range_text)
    stop = int(parse_end(end)) // 60 * 60
    load = load_options(slo_period)
    client = guarded(lambda: prometheus_client(prometheus, timeout, bearer_token_file, basic_auth_file, ca_file))

    def body() -> tuple[list[Suggestion], list[str], list[Problem]]:
        from sloforge.history.backtest import Options, check_retention
        from sloforge.history.progress import bar
        from sloforge.history.suggest import run
        from sloforge.model.select import select
        from sloforge.pipeline import load_catalog

        catalog, warnings = load_catalog(paths, load)
        chosen = select(catalog, slo)
        options = Options(stop - seconds, stop)
        check_retention(client, options, time.time())
        with bar(chosen, options, sys.stderr.isatty()) as progress:
            found, problems = run(chosen, client, stop - seconds, stop, max_pages, progress)
        return found, problems, warnings

    found, problems, warnings = guarded(body)
    report(warnings)
    if output_format == "json":
        typer.echo(json.dumps({"prometheus": prometheus, "start": stop - seconds, "end": stop,
                               "max_pages_per_month": max_pages, "slos": [asdict(s) for s in found],
                               "problems": problems}, indent=2))
    else:
        from sloforge.history.text import suggestions_table

        typer.echo(suggestions_table(found, max_pages), nl=False)
    for problem in problems:
        err(f"error: {problem}")
    if problems:
        raise typer.Exit(EXIT_INVALID)
