"""`sloforge init [DIR]`: scaffold a repository that keeps its SLOs in git."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from sloforge.cli.boundary import guarded

# template (templates/init/) -> path in the new repository
FILES = {
    "service.yml": "specs/example.yml",
    "routing.yml": "specs/routing.yml",
    "alertmanager-base.yml": "config/alertmanager-base.yml",
    "Makefile": "Makefile",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github-workflow.yml": ".github/workflows/slo.yml",
}


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(directory: Annotated[Path, typer.Argument(help="Where to create the files.")] = Path(".")) -> None:
    """Create a starter specs/ (one service, one routing spec), a Makefile with `rules` and `check`, a
    .pre-commit-config.yaml and a CI workflow that checks every push and publishes out/ to a
    monitoring repo from main. Existing files are never overwritten."""
    created, kept = guarded(lambda: scaffold(directory), writes=True)
    for path in created:
        typer.echo(f"created {path.as_posix()}")
    for path in kept:
        typer.echo(f"kept {path.as_posix()} (exists; not overwritten)")
    typer.echo("next: edit specs/example.yml, run `make rules`, commit specs/ and out/, "
               "and `pre-commit install`")


def scaffold(directory: Path) -> tuple[list[Path], list[Path]]:
    from sloforge.write import atomic_write

    created, kept = [], []
    source = resources.files("sloforge.templates").joinpath("init")
    for template, target in FILES.items():
        path = directory / target
        if path.exists():
            kept.append(path)
            continue
        atomic_write(path, source.joinpath(template).read_text("utf-8"))
        created.append(path)
    return created, kept
