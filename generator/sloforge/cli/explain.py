"""`sloforge explain PATHS...`: an SLO's budget and alerts in minutes, without PromQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_USAGE, err, guarded, report
from sloforge.cli.options import SLO_PERIOD, load_options

if TYPE_CHECKING:  # the command's modules load when it runs, not when the CLI starts
    from sloforge.errors import Problem
    from sloforge.explain.slo import Explanation
    from sloforge.model.catalog import Catalog

FORMATS = ("table", "json")
NOTES = (
    "Times assume steady traffic and a clean history before the burn; add up to one rule "
    "evaluation (1m; 3m for rules that read a day or more: the ticket tier, budget alerts) and your "
    "scrape interval; for: counts whole evaluations (5m every 3m takes 6m). Long windows are summed "
    "from 5m rates, so they lag ~2.5 min behind the raw metrics and need long+5m to fill (the 'at factor' column). "
    "A tier resolves as soon as either of its windows drops to the threshold; for: delays only firing."
)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)


def explain(
    paths: list[str] = typer.Argument(..., help="Spec files or directories."),
    slo: list[str] = typer.Option([], "--slo", help="Only this SLO (name or service/name) or journey "
                                  "(journey/<name>); repeatable."),
    slo_period: str = SLO_PERIOD,
    output_format: str = typer.Option("table", "--format", "-f", help="table or json."),
    plot: Path = typer.Option(None, "--plot", help="Also draw detection time against error ratio "
                              "(one curve per tier, log axes) into this PNG; needs sloforge[plot]."),
    rate: float = typer.Option(None, "--rate", min=0.0,
                               help="Events per second, to show the budget as bad events too."),
) -> None:
    """Explain SLOs: the error budget in bad minutes per day/week/period, and for every alert
    tier its windows, factor, threshold, budget spent when it fires, time to fire on a full
    outage and on a burn just above its factor, and time to reset after recovery."""
    if output_format not in FORMATS:
        err(f"error: --format must be one of {', '.join(FORMATS)}, not {output_format!r}")
        raise typer.Exit(EXIT_USAGE)

    load = load_options(slo_period)

    def body() -> tuple[list[Explanation], list[Problem]]:
        from sloforge.explain.slo import explain as explain_slo
        from sloforge.model.select import select
        from sloforge.pipeline import load_catalog

        catalog, warnings = load_catalog(paths, load)
        if not catalog.slos:
            from sloforge.errors import SloforgeError

            raise SloforgeError(f"no SLOs in {', '.join(paths)}: explain reads ServiceLevels specs "
                                "(or Sloth/OpenSLO ones), not only routing or budget policies")
        journeys, slo_names = _journeys(catalog, slo)
        chosen = select(catalog, slo_names) if slo_names or not journeys or not slo else []
        if plot is not None:
            from sloforge.explain.plot import plot as draw

            draw(chosen, plot)
        return [explain_slo(s, rate) for s in chosen] + journeys, warnings

    explanations, warnings = guarded(body)
    report(warnings)
    if output_format == "json":
        typer.echo(json.dumps(_rounded({"slos": [e.to_json() for e in explanations], "notes": NOTES}),
                              indent=2))
    else:
        from sloforge.explain.tables import print_tables

        print_tables(explanations, NOTES)
    if plot is not None:
        err(f"wrote {plot}")


def _journeys(catalog: Catalog, names: list[str]) -> tuple[list[Explanation], list[str]]:
    """The journeys to explain (all of them when no --slo is given; `--slo journey/<name>`
    picks one) and the --slo names left for SLOs."""
    from sloforge.compile.rules.journeys import steps_of
    from sloforge.errors import SloforgeError
    from sloforge.explain import journey as explain_journey

    prefix = f"{explain_journey.KIND}/"
    wanted = [n.removeprefix(prefix) for n in names if n.startswith(prefix)]
    known = {j.name: j for j in catalog.journeys}
    for name in wanted:
        if name not in known:
            raise SloforgeError(f"--slo {prefix + name!r} matches no journey in the specs "
                                f"(known: {', '.join(prefix + j for j in known) or 'none'})")
    chosen = [j for j in catalog.journeys if j.name in wanted or not names]
    return ([explain_journey.explain(j, steps_of(j, catalog)) for j in chosen],
            [n for n in names if not n.startswith(prefix)])


def _rounded(value: object) -> object:
    """Floats to 6 significant digits (whole numbers from a million up): 0.144, not
    0.14400000000000002; the inputs (objective, windows) are not more precise than that."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if abs(value) < 1e6 else float(round(value))
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value
