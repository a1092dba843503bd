"""`sloforge check [OUT]`: prove a generated output directory with promtool and amtool."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sloforge.cli.boundary import EXIT_INVALID, err, fail, guarded


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    out: Annotated[Path, typer.Argument(help="Output directory written by `sloforge generate`.")]
    = Path("out"),
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every tool message in full.")]
    = False,
) -> None:
    """Run `promtool check rules --lint-fatal` on every rule file, `promtool test rules` on the
    shipped unit tests and `amtool check-config` on Alertmanager configs in OUT, and check
    Kubernetes objects against the Prometheus Operator's CRD schemas.

    Prints one line per file; exits 1 when any check fails or a tool is missing."""
    from sloforge.check.verify import verify

    results = guarded(lambda: verify(out))
    if not results:
        fail(f"error: {out}: nothing to check (no rule, test or Alertmanager files; "
             "run `sloforge generate` first)")
    failed = [r for r in results if not r.ok]
    for result in results:
        for note in result.notes:
            err(f"note: {note}")
        if result.ok:
            typer.echo(f"{result.path}: ok: {result.tool} ({result.summary})")
            continue
        typer.echo(f"{result.path}: FAILED: {result.tool}")
        shown = result.details if verbose else result.details[:40]
        for line in shown:
            typer.echo(f"    {line}")
        if len(result.details) > len(shown):
            typer.echo(f"    ... {len(result.details) - len(shown)} more lines (use --verbose)")
    if failed:
        err(f"{len(failed)} of {len(results)} files failed their checks")
        raise typer.Exit(EXIT_INVALID)
    typer.echo(f"all {len(results)} files passed")
