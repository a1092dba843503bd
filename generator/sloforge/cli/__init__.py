"""The `sloforge` command line. Commands live one per module; this wires them up."""

from __future__ import annotations

import typer

from sloforge.cli import (
    backtest,
    check,
    convert,
    explain,
    generate,
    graph,
    init,
    lint,
    plan,
    report,
    routes,
    schema,
    suggest,
    validate,
)
from sloforge.cli.boundary import version_callback

app = typer.Typer(
    name="sloforge",
    help="Compile SLO specs into Prometheus multi-window multi-burn-rate rules, "
         "Alertmanager routes and Grafana dashboards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """sloforge: SLOs in git, rules that are proven to fire."""


for module in (init, validate, generate, check, lint, plan, schema, convert, routes, explain, report, backtest,
               suggest, graph):
    module.register(app)


def main() -> None:
    app()
