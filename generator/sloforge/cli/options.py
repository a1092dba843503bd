"""Command-line flags every spec-reading command shares (generate, validate, convert, explain,
report): one definition, so every command reads the same specs into the same SLOs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_USAGE, err

if TYPE_CHECKING:
    from sloforge.load.options import LoadOptions

SLO_PERIOD_HELP = ("Period of Sloth specs, which have none of their own (Sloth's --default-slo-period); "
                   "AlertWindows catalogues among the inputs replace the default windows of that period.")
# The --slo-period option itself: every command that reads specs declares
# `slo_period: str = SLO_PERIOD` (a rule built with --slo-period 28d is explained
# and reported with 28d factors and windows only if those commands take it too).
SLO_PERIOD = typer.Option("30d", "--slo-period", help=SLO_PERIOD_HELP)


def load_options(slo_period: str) -> LoadOptions:
    """--slo-period text -> LoadOptions; a bad value is a usage error (exit 2)."""
    from sloforge import durations
    from sloforge.load.options import LoadOptions

    try:
        return LoadOptions(sloth_period=durations.parse(slo_period))
    except durations.DurationError as exc:
        err(f"error: --slo-period: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
