"""The one place where exceptions become messages and exit codes.

0 ok, 1 invalid input or failed check, 2 usage error (Typer/Click), 3 internal
error (a bug: the message asks to report it, with the version).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import typer

from sloforge import __version__
from sloforge.errors import Problem, SloforgeError, SpecError, UsageError

T = TypeVar("T")

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"sloforge {__version__}")
        raise typer.Exit()


def err(line: str) -> None:
    sys.stderr.write(line + "\n")


def report(problems: list[Problem]) -> None:
    for problem in problems:
        err(str(problem))


def guarded(action: Callable[[], T], writes: bool = False) -> T:
    """Run a command body; user errors exit 1 with located messages, bugs exit 3.
    `writes`: the command writes files, so its summary of problems says none were."""
    try:
        return action()
    except SpecError as exc:
        report(exc.problems)
        errors = sum(1 for p in exc.problems if not p.warning)
        fail(f"{errors} problem{'s' if errors != 1 else ''} found" + ("; nothing was written" if writes else ""))
    except UsageError as exc:
        err(f"error: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except SloforgeError as exc:
        err(f"error: {exc}")
        raise typer.Exit(EXIT_INVALID) from None
    except KeyboardInterrupt:
        err("interrupted")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a bug in sloforge, not the user's fault
        err(f"internal error: {type(exc).__name__}: {exc}")
        err(f"This is a bug in sloforge {__version__}; please report it with the command you ran "
            "and the spec (set SLOFORGE_DEBUG=1 for a traceback).")
        import os

        if os.environ.get("SLOFORGE_DEBUG"):
            raise
        raise typer.Exit(EXIT_INTERNAL) from None


def fail(message: str) -> NoReturn:
    err(message)
    raise typer.Exit(EXIT_INVALID)
