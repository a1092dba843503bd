"""`sloforge routes explain|show`: review the generated Alertmanager routing like code."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_USAGE, err, guarded, report
from sloforge.cli.options import SLO_PERIOD, load_options

if TYPE_CHECKING:  # the command's modules load when it runs, not when the CLI starts
    from sloforge.model.catalog import Catalog
    from sloforge.routes.explain import Explanation

routes_app = typer.Typer(help="Inspect the Alertmanager routing generated from a routing spec.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(routes_app, name="routes")


def _config(specs: list[str], base: Path | None, slo_period: str) -> tuple[Catalog, str]:
    """The catalog and the alertmanager.yml `generate` would write (not written)."""
    from sloforge.errors import Problem, SpecError
    from sloforge.outputs import Settings, alertmanager
    from sloforge.pipeline import load_catalog, output_context

    catalog, warnings = load_catalog(specs, load_options(slo_period))
    report(warnings)
    if catalog.routing is None:
        raise SpecError([Problem(", ".join(specs), None, "", "no routing spec (kind: Routing) among "
                                 "these inputs; pass the file or directory that holds it with --specs")])
    settings = Settings(alertmanager_base=base.as_posix() if base else None)
    (file,) = alertmanager.catalog_files(catalog, output_context(catalog, settings, "prometheus"))
    return catalog, file.content


@routes_app.command("explain")
def explain(
    labels: list[str] = typer.Argument(..., help="The alert's labels as NAME=VALUE, e.g. team=payments "
                                       "slo_severity=page slo_service=checkout slo_name=latency."),
    specs: list[str] = typer.Option(["specs"], "--specs", "-s", help="Spec files or directories "
                                    "(with the routing spec); repeatable."),
    alertmanager_base: Path = typer.Option(None, "--alertmanager-base", help="Your alertmanager.yml, "
                                           "as given to generate."),
    slo_period: str = SLO_PERIOD,
) -> None:
    """Which receiver gets an alert with these labels (amtool config routes test), the matching
    route tree, and what each receiver does with it."""
    parsed = {}
    for item in labels:
        key, sep, value = item.partition("=")
        if not sep or not key:
            err(f"error: label {item!r} must look like NAME=VALUE")
            raise typer.Exit(EXIT_USAGE)
        parsed[key] = value.strip('"')

    def body() -> Explanation:
        from sloforge.routes.explain import explain as run

        catalog, text = _config(specs, alertmanager_base, slo_period)
        return run(catalog, text, parsed)

    result = guarded(body)
    typer.echo(result.tree)
    typer.echo("")
    typer.echo("receiver: " + ", ".join(result.receivers))
    for line in result.details:
        typer.echo(line)


@routes_app.command("show")
def show(
    specs: list[str] = typer.Option(["specs"], "--specs", "-s", help="Spec files or directories "
                                    "(with the routing spec); repeatable."),
    alertmanager_base: Path = typer.Option(None, "--alertmanager-base", help="Your alertmanager.yml, "
                                           "as given to generate."),
    slo_period: str = SLO_PERIOD,
) -> None:
    """Print the whole routing tree (amtool config routes) of the config generate would write."""
    from sloforge.check import tools as check

    def body() -> str:
        _, text = _config(specs, alertmanager_base, slo_period)
        return check.amtool_routes_show(text)

    typer.echo(guarded(body))
