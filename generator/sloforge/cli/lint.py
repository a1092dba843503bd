"""`sloforge lint PATHS... --prometheus URL`: catch SLIs that can never see data, before they ship.

Why a command of its own: `validate` (the pre-commit hook) and `check` (the generated
files) are offline and exact; lint asks a live Prometheus about a recent range, so its
answers depend on the data, come with severities, and take seconds, not milliseconds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_INVALID, EXIT_USAGE, err, guarded, report
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
    from sloforge.lint.checks import Finding
    from sloforge.model.catalog import Slo

FORMATS = ("text", "json")


def register(app: typer.Typer) -> None:
    app.command("lint")(lint)


def lint(
    paths: list[str] = typer.Argument(..., help="Spec files or directories."),
    prometheus: str = PROMETHEUS,
    range_text: str = typer.Option("1d", "--range", help="How far back to look at the data."),
    slo: list[str] = typer.Option([], "--slo", help="Only this SLO (name or service/name); repeatable."),
    output_format: str = typer.Option("text", "--format", "-f", help="text or json."),
    max_groups: int = typer.Option(100, "--max-groups", min=1, help="Warn when a group_by SLO has more "
                                   "groups than this."),
    at: float = typer.Option(None, "--at", help="Look back from this unix time instead of now."),
    timeout: float = TIMEOUT,
    bearer_token_file: Path = BEARER_TOKEN_FILE,
    basic_auth_file: Path = BASIC_AUTH_FILE,
    ca_file: Path = CA_FILE,
    slo_period: str = SLO_PERIOD,
) -> None:
    """Run every SLO's own SLI queries against a live Prometheus over a recent range and report
    what static checks cannot see: a total with no traffic, a latency threshold that is not a
    bucket, an errors query that matches nothing (or only has no errors yet), group_by labels the
    series lack, an error ratio outside 0..1, rules not loaded or loaded with other labels.
    One located line per finding; exit 1 when any is an error."""
    from sloforge import durations

    if output_format not in FORMATS:
        err(f"error: --format must be one of {', '.join(FORMATS)}, not {output_format!r}")
        raise typer.Exit(EXIT_USAGE)
    try:
        range_seconds = durations.parse(range_text)
    except durations.DurationError as exc:
        err(f"error: --range: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    options = load_options(slo_period)
    moment = time.time() if at is None else at
    client = guarded(lambda: prometheus_client(prometheus, timeout, bearer_token_file, basic_auth_file, ca_file))

    def body() -> tuple[list[Slo], list[Finding], list[Problem]]:
        from sloforge.lint.checks import Options, lint
        from sloforge.model.select import select
        from sloforge.pipeline import load_catalog

        catalog, warnings = load_catalog(paths, options)
        chosen = select(catalog, slo)
        return chosen, lint(chosen, client, Options(moment, range_seconds, max_groups)), warnings

    chosen, findings, warnings = guarded(body)
    report(warnings)
    errors = [f for f in findings if not f.problem.warning]
    if output_format == "json":
        typer.echo(json.dumps({"prometheus": prometheus, "time": moment, "range": range_text,
                               "slos": len(chosen), "findings": [f.to_json() for f in findings]}, indent=2))
    else:
        for finding in findings:
            typer.echo(f"{finding.problem} [{finding.slo}]")
        typer.echo(_summary(chosen, findings), nl=False)
    if errors:
        err(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in {len({f.slo for f in errors})} of "
            f"{len(chosen)} SLOs")
        raise typer.Exit(EXIT_INVALID)


def _summary(chosen: list[Slo], findings: list[Finding]) -> str:
    import io

    from rich.console import Console
    from rich.table import Table

    table = Table(title=None, show_edge=False)
    for column in ("SLO", "errors", "warnings", "status"):
        table.add_column(column)
    counts = {"FAIL": 0, "warn": 0, "ok": 0}
    for slo in chosen:  # one row per SLO with findings: a thousand clean SLOs make one line
        name = f"{slo.service}/{slo.name}"
        mine = [f for f in findings if f.slo == name]
        errors = sum(1 for f in mine if not f.problem.warning)
        status = "FAIL" if errors else "warn" if mine else "ok"
        counts[status] += 1
        if mine:
            table.add_row(name, str(errors), str(len(mine) - errors), status)
    console = Console(width=100, record=True, file=io.StringIO())
    if table.row_count:
        console.print(table)
    console.print(f"{len(chosen)} SLOs: {counts['ok']} ok, {counts['warn']} with warnings only, "
                  f"{counts['FAIL']} failing")
    return "\n" + console.export_text()
