"""`sloforge plan [PATHS...] --base REF`: what a spec change does, said in the pull request."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_INVALID, EXIT_USAGE, err, guarded
from sloforge.cli.options import (
    BASIC_AUTH_FILE,
    BEARER_TOKEN_FILE,
    CA_FILE,
    SLO_PERIOD,
    load_options,
    prometheus_client,
)

if TYPE_CHECKING:
    from sloforge.plan.changes import Plan

FORMATS = ("table", "markdown", "json")
GATES = ("budget-reset", "routing", "contract")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


def plan(
    paths: list[str] = typer.Argument(None, help="Spec files or directories (default: specs)."),
    base: str = typer.Option(None, "--base", help="A git ref of this repository: the specs at REF are the "
                             "before, the working tree the after."),
    base_dir: Path = typer.Option(None, "--base-dir", help="Instead of --base: a folder holding the older "
                                  "copy (the same paths are read below it)."),
    output_format: str = typer.Option("table", "--format", "-f", help="table, markdown (a pull-request "
                                      "comment) or json."),
    fail_on: str = typer.Option("", "--fail-on", help="Exit 1 when the plan has changes of these kinds, "
                                "comma-separated: budget-reset, routing, contract."),
    prometheus: str = typer.Option(None, "--prometheus", help="Also replay the old and the new rules over "
                                   "the last period's data in this Prometheus: budget left now, pages and tickets."),
    at: str = typer.Option(None, "--at", help="With --prometheus: the end of the last period (unix or ISO 8601); "
                           "default now."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds per HTTP request (--prometheus)."),
    bearer_token_file: Path = BEARER_TOKEN_FILE,
    basic_auth_file: Path = BASIC_AUTH_FILE,
    ca_file: Path = CA_FILE,
    slo_period: str = SLO_PERIOD,
) -> None:
    """Compare the specs at a base with the working tree and say what the change does, most important
    first: budgets that start anew (renames, removals, period changes), alerts that reach other
    receivers (real amtool on both configs), recorded series and alert labels that change, objective
    and alerting changes in minutes, files and dashboard panels added or removed."""
    if (base is None) == (base_dir is None):
        err("error: give one of --base REF or --base-dir DIR")
        raise typer.Exit(EXIT_USAGE)
    if output_format not in FORMATS:
        err(f"error: --format must be one of {', '.join(FORMATS)}, not {output_format!r}")
        raise typer.Exit(EXIT_USAGE)
    gates = [g.strip() for g in fail_on.split(",") if g.strip()]
    unknown = [g for g in gates if g not in GATES]
    if unknown:
        err(f"error: --fail-on {', '.join(unknown)}: choose from {', '.join(GATES)}")
        raise typer.Exit(EXIT_USAGE)
    options = load_options(slo_period)
    chosen = list(paths or ["specs"])
    client = None if prometheus is None else guarded(
        lambda: prometheus_client(prometheus, timeout, bearer_token_file, basic_auth_file, ca_file))

    from sloforge.cli.report import _parse_time

    end = int(_parse_time(at)) // 60 * 60

    def body() -> Plan:
        from sloforge.plan.run import plan_change

        return plan_change(chosen, options, base, base_dir, client, end)

    result = guarded(body)
    from sloforge.plan import render

    if output_format == "markdown":
        typer.echo(render.markdown(result), nl=False)
    elif output_format == "json":
        typer.echo(render.to_json(result), nl=False)
    else:
        typer.echo(render.table(result), nl=False)
    hit = [g for g in gates if result.of(g)]
    if hit:
        err(f"plan has {', '.join(hit)} changes (--fail-on)")
        raise typer.Exit(EXIT_INVALID)
