"""`sloforge validate PATHS...`: check specs without writing anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import guarded, report
from sloforge.cli.options import SLO_PERIOD, load_options

if TYPE_CHECKING:
    from sloforge.model.catalog import Catalog


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
                   f"{slos} SLO{'s' if slos != 1 else ''}"
                   + (f", {len(catalog.journeys)} journey{'s' if len(catalog.journeys) != 1 else ''}"
                      if catalog.journeys else ""))
        for line in journey_lines(catalog):
            typer.echo(line)


def journey_lines(catalog: Catalog) -> list[str]:
    """Each journey's objective; a default one with the product it comes from."""
    from sloforge.load.overlays.journey import describe_default

    slos = {(slo.service, slo.name): slo for slo in catalog.slos}
    out = []
    for journey in catalog.journeys:
        steps = len(journey.steps)
        if journey.objective_explicit:
            how = f"(the steps' product: {describe_default(journey, slos)})"
        else:
            how = f"(default: the product of its {steps} step{'s' if steps != 1 else ''}' objectives, " \
                  f"{describe_default(journey, slos)})"
        out.append(f"journey {journey.name}: objective {journey.objective:.10g}% over {journey.period_text} {how}")
    return out
