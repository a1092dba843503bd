"""`sloforge graph PATHS...`: services, journeys and dependencies as Mermaid or DOT."""

from __future__ import annotations

import typer

from sloforge.cli.boundary import EXIT_USAGE, err, guarded, report
from sloforge.cli.options import SLO_PERIOD, load_options


def register(app: typer.Typer) -> None:
    app.command("graph")(graph)


def graph(
    paths: list[str] = typer.Argument(..., help="Spec files or directories."),
    format_: str = typer.Option("mermaid", "--format", "-f",
                                help="mermaid (renders in Markdown on code hosts) or dot (Graphviz: "
                                     "`sloforge graph specs --format dot | dot -Tpng -o slos.png`)."),
    slo_period: str = SLO_PERIOD,
) -> None:
    """Draw services (with their objectives), journeys and dependencies: hard dependencies as
    solid arrows, soft ones dashed, journey steps thick. Prints the graph on stdout."""
    from sloforge.graph.draw import FORMATS, draw
    from sloforge.pipeline import validate as run

    if format_ not in FORMATS:
        err(f"error: --format {format_!r}: choose one of {', '.join(FORMATS)}")
        raise typer.Exit(EXIT_USAGE)
    options = load_options(slo_period)
    catalog, warnings = guarded(lambda: run(paths, options))
    report(warnings)
    typer.echo(draw(catalog, format_), nl=False)
