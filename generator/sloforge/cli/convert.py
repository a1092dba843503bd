"""`sloforge convert PATHS... --to native [--out DIR]`: migrate Sloth/OpenSLO specs once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_USAGE, err, guarded, report
from sloforge.cli.options import SLO_PERIOD, load_options

if TYPE_CHECKING:  # the command's modules load when it runs, not when the CLI starts
    from sloforge.convert.stamp import Written
    from sloforge.errors import Problem
    from sloforge.model.catalog import Catalog


def register(app: typer.Typer) -> None:
    app.command("convert")(convert)


def convert(
    paths: list[str] = typer.Argument(..., help="Sloth, OpenSLO (or native) spec files or directories."),
    to: str = typer.Option("native", "--to", help="Output format: native (sloforge/v1 ServiceLevels)."),
    out: Path = typer.Option(Path("converted"), "--out", "-o", help="Directory for the converted specs."),
    slo_period: str = SLO_PERIOD,
    force: bool = typer.Option(False, "--force", help="Overwrite converted specs even where they were "
                               "edited since (or were not written by convert)."),
) -> None:
    """Write equivalent native specs, one file per service, so a team can migrate once and edit one
    format. Generating from the converted specs gives the same rules as generating from the sources."""
    from sloforge.convert import native as converter

    if to not in converter.TARGETS:
        err(f"error: unknown --to {to!r}; choose one of {', '.join(converter.TARGETS)}")
        raise typer.Exit(EXIT_USAGE)
    options = load_options(slo_period)

    def body() -> tuple[Catalog, list[Problem], Written]:
        from sloforge.convert import stamp
        from sloforge.pipeline import load_catalog

        catalog, warnings = load_catalog(paths, options)
        unwritable = converter.name_problems(catalog)
        if unwritable:
            from sloforge.errors import SpecError

            raise SpecError(unwritable)
        files = converter.files(catalog)
        if not files:
            from sloforge.errors import Problem, SpecError

            raise SpecError([Problem(", ".join(paths), None, "", "no SLOs found: nothing to convert")])
        written = stamp.write(out, files, force)
        from sloforge.schema.editor import write_schemas

        write_schemas(out)  # what the specs' `$schema` lines name, beside them
        return catalog, warnings, written

    catalog, warnings, plan = guarded(body, writes=True)
    report(warnings)
    slos, services = len(catalog.slos), len(catalog.services)
    typer.echo(f"converted {slos} SLO{'s' if slos != 1 else ''} of {services} service"
               f"{'s' if services != 1 else ''} into {out}: "
               f"{len(plan.write)} written, {len(plan.unchanged)} unchanged")
