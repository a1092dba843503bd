"""`sloforge backtest PATHS... --prometheus URL`: would these alerts have woken us, and for what?

The generated rules are replayed over the SLIs' own raw data, so an SLO can be tried on
last month's traffic before it is deployed (history/).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_INVALID, EXIT_USAGE, err, guarded, report
from sloforge.cli.options import (
    BASIC_AUTH_FILE,
    BEARER_TOKEN_FILE,
    CA_FILE,
    PROMETHEUS,
    SLO_PERIOD,
    load_options,
    prometheus_client,
)

if TYPE_CHECKING:
    from sloforge.errors import Problem
    from sloforge.history.backtest import Outcome
    from sloforge.history.result import Spec

FORMATS = ("table", "json", "html")


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest)


def parse_range(text: str, flag: str = "--range") -> int:
    from sloforge import durations

    try:
        seconds = durations.parse(text)
    except durations.DurationError as exc:
        err(f"error: {flag}: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    if seconds < 3600:
        err(f"error: {flag} {text}: replay at least an hour (e.g. 30d)")
        raise typer.Exit(EXIT_USAGE)
    return seconds


def parse_end(text: str | None) -> float:
    from sloforge.cli.report import _parse_time

    return _parse_time(text)


def backtest(
    paths: list[str] = typer.Argument(..., help="Spec files or directories."),
    prometheus: str = PROMETHEUS,
    range_text: str = typer.Option("30d", "--range", help="How far back to replay, e.g. 30d."),
    end: str = typer.Option(None, "--end", help="Replay up to this time (unix or ISO 8601); default now."),
    slo: list[str] = typer.Option([], "--slo", help="Only this SLO (name or service/name); repeatable."),
    by: str = typer.Option(None, "--by", help="Split each SLO's spent budget by these labels of its errors, "
                           "e.g. route or route,code."),
    output_format: str = typer.Option("table", "--format", "-f", help="table, json or html."),
    output: Path = typer.Option(None, "--output", "-o", help="Write here instead of stdout (required for html)."),
    plot: Path = typer.Option(None, "--plot", help="Draw one SLO's burn rate, alerts and budget to this PNG "
                              "(needs matplotlib; with more than one SLO, name it with --slo)."),
    # Its own default: a backtest request reads a week of data, not one instant.
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds per HTTP request."),
    bearer_token_file: Path = BEARER_TOKEN_FILE,
    basic_auth_file: Path = BASIC_AUTH_FILE,
    ca_file: Path = CA_FILE,
    slo_period: str = SLO_PERIOD,
) -> None:
    """Replay the alerts the specs generate over past data read from Prometheus with each SLI's
    own queries (the rules need not be deployed): the SLI achieved, the budget spent, every alert
    that would have fired (tier, start, end, budget burned), pages and tickets per week, and the
    incidents (burn episodes) with the time to the first page. Exit 1 when an SLO cannot be
    replayed (the others are still reported)."""
    if output_format not in FORMATS:
        err(f"error: --format must be one of {', '.join(FORMATS)}, not {output_format!r}")
        raise typer.Exit(EXIT_USAGE)
    if output_format == "html" and output is None:
        err("error: --format html needs --output FILE.html")
        raise typer.Exit(EXIT_USAGE)
    seconds = parse_range(range_text)
    labels = tuple(label.strip() for label in (by or "").split(",") if label.strip())
    stop = int(parse_end(end)) // 60 * 60
    load = load_options(slo_period)
    client = guarded(lambda: prometheus_client(prometheus, timeout, bearer_token_file, basic_auth_file, ca_file))

    def body() -> tuple[dict[tuple[str, str], Spec], Outcome, list[Problem]]:
        from sloforge.cli.report import _journeys
        from sloforge.compile.rules.journeys import steps_of
        from sloforge.history.backtest import Options, run
        from sloforge.history.progress import bar
        from sloforge.history.result import JourneySpec
        from sloforge.model.select import select
        from sloforge.pipeline import load_catalog

        catalog, warnings = load_catalog(paths, load)
        journeys, slo_names = _journeys(catalog, slo)
        chosen = select(catalog, slo_names) if slo_names or not journeys or not slo else []
        if plot is not None and len(chosen) + len(journeys) != 1:
            from sloforge.errors import UsageError

            raise UsageError(f"--plot draws one SLO and these specs hold {len(chosen) + len(journeys)}: "
                             "choose one with --slo")
        options = Options(stop - seconds, stop, labels)
        with_steps = [(j, steps_of(j, catalog)) for j in journeys if j.alerting is not None]
        with bar([*chosen, *(s for _, steps in with_steps for s in steps)], options,
                 sys.stderr.isatty()) as progress:
            outcome = run(chosen, client, options, progress, journeys=with_steps)
        specs: dict[tuple[str, str], Spec] = {(s.service, s.name): s for s in chosen}
        for journey, _ in with_steps:
            assert journey.alerting is not None
            specs[("journey", journey.name)] = JourneySpec(journey.objective, journey.period_text, journey.target,
                                                           journey.alerting)
        return specs, outcome, warnings

    slos, outcome, warnings = guarded(body)
    report(warnings)
    for note in outcome.notes:
        err(f"note: {note}")
    text = guarded(lambda: _render(outcome, slos, output_format, prometheus, stop - seconds, stop))
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            err(f"error: cannot write {output}: {exc.strerror}")
            raise typer.Exit(EXIT_INVALID) from None
        err(f"wrote {output}")
    if plot is not None and outcome.histories:
        guarded(lambda: _plot(outcome, slos, plot))
    for problem in outcome.problems:
        err(f"error: {problem}")
    if outcome.problems:
        raise typer.Exit(EXIT_INVALID)


def _render(outcome: Outcome, slos: dict[tuple[str, str], Spec], output_format: str, prometheus: str,
            start: int, stop: int) -> str:
    from sloforge.history import text

    if output_format == "json":
        return json.dumps({"prometheus": prometheus, "start": start, "end": stop, "generated": time.time(),
                           "slos": [text.to_json(h, slos[(h.service, h.slo)]) for h in outcome.histories],
                           "problems": outcome.problems, "notes": outcome.notes}, indent=2) + "\n"
    if output_format == "html":
        from sloforge.history.html import render_page

        return render_page(outcome.histories, slos, prometheus=prometheus, start=start, end=stop,
                           problems=outcome.problems, notes=outcome.notes)
    return text.tables(outcome.histories, slos)


def _plot(outcome: Outcome, slos: dict[tuple[str, str], Spec], path: Path) -> None:
    from sloforge.history.plot import plot_history

    history = outcome.histories[0]
    plot_history(history, slos[(history.service, history.slo)], path)
    err(f"wrote {path}")
