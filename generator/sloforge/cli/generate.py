"""`sloforge generate PATHS... --out DIR`: validate, compile, check, write."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_INVALID, err, guarded, report
from sloforge.cli.options import SLO_PERIOD, load_options
from sloforge.cli.progress import service_progress

if TYPE_CHECKING:  # the command's modules load when it runs, not when the CLI starts
    from sloforge.pipeline import Result


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)


def _target_names() -> list[str]:
    from sloforge.packaging import PACKAGINGS

    return list(PACKAGINGS)


def _target_help() -> str:
    from sloforge.packaging import PACKAGINGS

    return "Packaging of the output: " + "; ".join(f"{p.name}: {p.help}" for p in PACKAGINGS.values()) + "."


def generate(
    paths: list[str] = typer.Argument(..., help="Spec files or directories."),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Output directory."),
    target: str = typer.Option("prometheus", "--target", "-t",
                               help=_target_help()),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if OUT differs from what "
                               "would be generated (for CI and pre-commit)."),
    namespace: str = typer.Option(None, "--namespace", help="kubernetes target: metadata.namespace."),
    label: list[str] = typer.Option([], "--label", help="kubernetes target: KEY=VALUE label on every "
                                    "object (e.g. for the operator's ruleSelector); repeatable."),
    no_promtool: bool = typer.Option(False, "--no-promtool", help="Skip `promtool check rules`."),
    slo_period: str = SLO_PERIOD,
    alertmanager_base: Path = typer.Option(None, "--alertmanager-base", help="Your alertmanager.yml: "
                                           "sloforge's routes are merged into it (needs a kind: Routing "
                                           "spec among the inputs)."),
    no_amtool: bool = typer.Option(False, "--no-amtool", help="Skip `amtool check-config`."),
) -> None:
    """Generate rules (and, where configured, routes and dashboards) from specs into OUT.

    Everything is validated and checked with promtool before a single file is written; only
    files sloforge wrote before are ever replaced or removed."""
    from sloforge.errors import OutOfDate
    from sloforge.outputs import Settings
    from sloforge.packaging.kubernetes import label_problem, namespace_problem
    from sloforge.pipeline import Options
    from sloforge.pipeline import generate as run

    if target not in _target_names():
        err(f"error: unknown target {target!r}; choose one of {', '.join(_target_names())}")
        raise typer.Exit(2)
    labels = {}
    for item in label:
        key, sep, value = item.partition("=")
        if not sep or not key:
            err(f"error: --label {item!r} must look like KEY=VALUE")
            raise typer.Exit(2)
        problem = label_problem(key, value)
        if problem:
            err(f"error: {problem}")
            raise typer.Exit(2)
        labels[key] = value
    if namespace is not None and namespace_problem(namespace):
        err(f"error: {namespace_problem(namespace)}")
        raise typer.Exit(2)
    options = Options(paths=paths, out=out, target=target, check_only=check,
                      run_promtool=not no_promtool, run_amtool=not no_amtool,
                      settings=Settings(namespace, labels,
                                        alertmanager_base.as_posix() if alertmanager_base else None),
                      load=load_options(slo_period))

    def body() -> Result:
        try:
            with service_progress() as progress:
                options.progress = progress
                return run(options)
        except OutOfDate as exc:
            for name in exc.changed:
                err(f"{(out / name).as_posix()}: out of date")
            err(f"{len(exc.changed)} file(s) in {out} differ from the specs: run `{_regenerate_command()}` "
                "and commit the result")
            raise typer.Exit(EXIT_INVALID) from None

    result = guarded(body, writes=True)
    report(result.warnings)
    for note in result.notes:
        err(f"note: {note}")
    plan = result.plan
    assert plan is not None  # generate() sets it whenever it returns
    slos = len(result.catalog.slos)
    if check:
        typer.echo(f"up to date: {result.file_count} files for {slos} SLOs in {out}")
    else:
        typer.echo(f"generated {result.file_count} files for {slos} SLOs in {out}: "
                   f"{len(plan.write)} written, {len(plan.delete)} removed, {len(plan.unchanged)} unchanged")


def _regenerate_command() -> str:
    """The command that was run, without --check: the one that brings OUT up to date."""
    import shlex
    import sys

    return shlex.join(["sloforge", *(a for a in sys.argv[1:] if a != "--check")])
