"""`sloforge init [DIR]`: scaffold a repository that keeps its SLOs in git."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from sloforge import __source__, __version__
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


def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the files.")] = Path("."),
    source: Annotated[str, typer.Option("--source", help="Where the repository installs sloforge from: "
                                        "a git URL, or a local wheel, sdist or source folder.")] = __source__,
    version: Annotated[str, typer.Option("--version", help="The git ref to install (a version tag "
                                         "such as v0.1.0, which CI then checks `sloforge --version` "
                                         "against, or a branch or commit).")] = f"v{__version__}",
) -> None:
    """Create a starter specs/ (one service, one routing spec, and the JSON Schemas their first
    lines point editors at), the Alertmanager base config they
    merge into, a Makefile with `rules` and `check` that pins where sloforge comes from and its
    version, a .pre-commit-config.yaml and a CI workflow that run sloforge through that Makefile.
    Existing files are never overwritten."""
    created, kept = guarded(lambda: scaffold(directory, source, version), writes=True)
    for path in created:
        typer.echo(f"created {path.as_posix()}")
    for path in kept:
        typer.echo(f"kept {path.as_posix()} (exists; not overwritten)")
    typer.echo("next: edit specs/example.yml, run `make rules` (installs the pinned sloforge into "
               ".sloforge/), commit specs/ and out/, and `pre-commit install`")


def package(source: str) -> tuple[str, str]:
    """(SLOFORGE_SOURCE, SLOFORGE_PACKAGE) for the Makefile: the pip requirement is written in
    terms of SLOFORGE_SOURCE and SLOFORGE_VERSION, so those two lines stay the one place to
    change. A git URL is installed at the ref; a local wheel, sdist or folder as it is (the
    version check then compares its own version with the ref)."""
    if "://" in source or source.startswith(("git+", "git@")):
        url = "$(SLOFORGE_SOURCE)" if source.startswith("git+") else "git+$(SLOFORGE_SOURCE)"
        return source, f"sloforge @ {url}@$(SLOFORGE_VERSION)"
    return Path(source).expanduser().resolve().as_posix(), "sloforge @ file://$(SLOFORGE_SOURCE)"


def scaffold(directory: Path, source: str = __source__,
             ref: str = f"v{__version__}") -> tuple[list[Path], list[Path]]:
    from sloforge.write import atomic_write

    where, requirement = package(source)
    values = {"@SLOFORGE_SOURCE@": where, "@SLOFORGE_VERSION@": ref, "@SLOFORGE_PACKAGE@": requirement}
    created, kept = [], []
    templates = resources.files("sloforge.templates").joinpath("init")
    for template, target in FILES.items():
        path = directory / target
        if path.exists():
            kept.append(path)
            continue
        text = templates.joinpath(template).read_text("utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        atomic_write(path, text)
        created.append(path)
    # the schemas the specs' `# yaml-language-server: $schema=...` lines name, beside them
    from sloforge.schema.editor import write_schemas

    created += write_schemas(directory / "specs")
    return created, kept
