"""`sloforge schema`: the JSON Schema of the native spec, for editors."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def schema(
    kind: str = typer.Option("native", "--kind", help="native (kind: ServiceLevels) or routing "
                             "(kind: Routing)."),
) -> None:
    """Print the JSON Schema (draft 2020-12) of the native spec. Point yaml-language-server at it:
    `# yaml-language-server: $schema=sloforge-v1.json`."""
    from sloforge.schema.validate import schema as load

    if kind not in ("native", "routing"):
        typer.echo(f"error: unknown --kind {kind!r}; choose native or routing", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps(load(kind), indent=2))
