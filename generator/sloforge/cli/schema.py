"""`sloforge schema`: the JSON Schemas of the native kinds, for editors."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from sloforge import conventions


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


_FILE_NAMES = ", ".join(file_name for _, file_name in conventions.SCHEMA_FILES.values())


def _names() -> dict[str, str]:
    """Every accepted --kind -> packaged schema: the kind (ServiceLevels), its schema's name
    (native, budget_policy) and its file's stem (service-levels)."""
    names = {}
    for kind, (packaged, file_name) in conventions.SCHEMA_FILES.items():
        for alias in (kind, kind.lower(), packaged, packaged.replace("_", "-"), file_name.split(".")[0]):
            names[alias] = packaged
    return names


def schema(
    kind: str = typer.Option("native", "--kind", help="ServiceLevels (native), Routing or BudgetPolicy."),
    write: Path = typer.Option(None, "--write", help="Write every kind's schema into this folder "
                               f"(next to the specs; files: {_FILE_NAMES}) instead of printing one; "
                               "only changed files are written."),
) -> None:
    """Print the JSON Schema (draft 2020-12) of a native kind, or write all of them next to your
    specs. Editors with yaml-language-server then check a spec whose first line names its schema:
    `# yaml-language-server: $schema=service-levels.schema.json`."""
    from sloforge.schema.validate import schema as load

    if write is not None:
        from sloforge.cli.boundary import guarded
        from sloforge.schema.editor import write_schemas

        for path in guarded(lambda: write_schemas(write), writes=True):
            typer.echo(f"wrote {path.as_posix()}")
        return
    names = _names()
    if kind not in names:
        typer.echo(f"error: unknown --kind {kind!r}; choose one of {', '.join(conventions.SCHEMA_FILES)}",
                   err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps(load(names[kind]), indent=2))
