"""`sloforge convert PATHS... --to native [--out DIR]`: migrate Sloth/OpenSLO specs once."""

from __future__ import annotations

from pathlib import Path

import typer

from sloforge.cli.boundary import EXIT_USAGE, err, guarded, report
from sloforge.cli.options import SLO_PERIOD_HELP, load_options


def register(app: typer.Typer) -> None:
    app.command("convert")(convert)


def convert(
    paths: list[str] = typer.Argument(..., help="Sloth, OpenSLO (or native) spec files or directories."),
    to: str = typer.Option("native", "--to", help="Output format: native (sloforge/v1 ServiceLevels)."),
    out: Path = typer.Option(Path("converted"), "--out", "-o", help="Directory for the converted specs."),
    slo_period: str = typer.Option("30d", "--slo-period", help=SLO_PERIOD_HELP),
) -> None:
    """Write equivalent native specs, one file per service, so a team can migrate once and edit one
    format. Generating from the converted specs gives the same rules as generating from the sources."""
    from sloforge.convert import native as converter

    if to not in converter.TARGETS:
        err(f"error: unknown --to {to!r}; choose one of {', '.join(converter.TARGETS)}")
        raise typer.Exit(EXIT_USAGE)
    options = load_options(slo_period)

    def body() -> tuple[object, list[object], object]:
        from sloforge import write
        from sloforge.pipeline import load_catalog

        catalog, warnings = load_catalog(paths, options)
        files = converter.files(catalog)
        if not files:
            from sloforge.errors import Problem, SpecError

            raise SpecError([Problem(", ".join(paths), None, "", "no SLOs found: nothing to convert")])
        return catalog, warnings, write.apply(out, files)  # type: ignore[return-value]

    catalog, warnings, plan = guarded(body)
    report(warnings)  # type: ignore[arg-type]
    slos = len(catalog.slos)  # type: ignore[attr-defined]
    typer.echo(f"converted {slos} SLOs of {len(catalog.services)} services into {out}: "  # type: ignore[attr-defined]
               f"{len(plan.write)} written, {len(plan.unchanged)} unchanged")  # type: ignore[attr-defined]
