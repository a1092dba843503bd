"""A progress bar for long replays: Rich, on a terminal only (CI logs stay clean)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from threading import Lock
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sloforge.history.backtest import Options
    from sloforge.model.catalog import Slo


@contextmanager
def bar(slos: Sequence[Slo], options: Options, tty: bool) -> Iterator[Callable[[int], None] | None]:
    if not tty:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from sloforge.history.backtest import requests_per_slo

    total = sum(requests_per_slo(slo, options) for slo in slos)
    lock = Lock()  # the fetches run in a thread pool
    with Progress(TextColumn("replaying {task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as progress:
        task = progress.add_task(f"{len(slos)} SLO{'s' if len(slos) != 1 else ''}", total=total)

        def advance(done: int) -> None:
            with lock:
                progress.advance(task, done)

        yield advance
