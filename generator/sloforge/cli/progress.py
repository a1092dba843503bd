"""A progress bar for long `generate` runs, on a terminal only.

Pre-commit hooks, CI logs and pipes get no bar (nothing but the summary line),
and neither do small runs, which finish before a bar would be read.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from sloforge.outputs import Progress as Callback

MIN_SERVICES = 100  # fewer renders in well under a second


@contextmanager
def service_progress(enabled: bool | None = None) -> Iterator[Callback | None]:
    """A callback for pipeline.Options.progress, or None where no bar is wanted."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        yield None
        return
    bar: list[tuple[Progress, TaskID]] = []

    def advance(done: int, total: int) -> None:
        if not bar:
            if total < MIN_SERVICES:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            console = Console(stderr=True, force_terminal=True)
            progress = Progress(TextColumn("rendering services"), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=console, transient=True)
            progress.start()
            bar.append((progress, progress.add_task("render", total=total)))
        progress, task = bar[0]
        progress.update(task, completed=done)

    try:
        yield advance
    finally:
        if bar:
            bar[0][0].stop()
