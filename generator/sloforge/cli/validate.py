"""`sloforge validate PATHS...`: check specs without writing anything."""

from __future__ import annotations

import typer

from sloforge.cli.boundary import guarded, report
from sloforge.cli.options import SLO_PERIOD, load_options


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(
    paths: list[str] = typer.Argument(..., help="Spec files or directories (searched recursively "
                                      "for *.yml and *.yaml; multi-document files are fine)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing when the specs are valid."),
    slo_period: str = SLO_PERIOD,
) -> None:
    """Validate specs: schema, PromQL and semantics. Exit 0 when valid, 1 listing every problem
    as `path:line: field: message`."""
    from sloforge.pipeline import validate as run

    options = load_options(slo_period)
    catalog, warnings = guarded(lambda: run(paths, options))
    report(warnings)
    if not quiet:
        slos = len(catalog.slos)
        typer.echo(f"ok: {len(catalog.services)} service{'s' if len(catalog.services) != 1 else ''}, "
                   f"{slos} SLO{'s' if slos != 1 else ''}")
