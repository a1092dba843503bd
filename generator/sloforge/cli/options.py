"""Command-line flags commands share: how specs are read (every spec-reading command: one
definition, so every command reads the same specs into the same SLOs) and how Prometheus is
reached (report, lint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sloforge.cli.boundary import EXIT_USAGE, err

if TYPE_CHECKING:
    from pathlib import Path

    from sloforge.load.options import LoadOptions
    from sloforge.prometheus_api import Client

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


# How to reach a Prometheus behind a proxy. Secrets come from files, as in Prometheus'
# own configuration, never from the command line (it ends up in shell history and `ps`).
PROMETHEUS = typer.Option(..., "--prometheus", help="Prometheus base URL, e.g. http://localhost:9090.")
TIMEOUT = typer.Option(10.0, "--timeout", min=0.1, help="Seconds per HTTP request.")
BEARER_TOKEN_FILE = typer.Option(None, "--bearer-token-file",
                                 help="File holding a bearer token to send (Authorization: Bearer ...).")
BASIC_AUTH_FILE = typer.Option(None, "--basic-auth-file", help="File holding user:password for HTTP basic auth.")
CA_FILE = typer.Option(None, "--ca-file", help="PEM file of the CA that signed the server's certificate (https).")


def prometheus_client(url: str, timeout: float, bearer_token_file: Path | None = None,
                      basic_auth_file: Path | None = None, ca_file: Path | None = None) -> Client:
    """The client for --prometheus and its auth flags; one bad flag is a usage error (exit 2)."""
    from sloforge.prometheus_api import Auth, Client

    if bearer_token_file is not None and basic_auth_file is not None:
        err("error: --bearer-token-file and --basic-auth-file exclude each other")
        raise typer.Exit(EXIT_USAGE)
    return Client(url, timeout, Auth(bearer_token_file, basic_auth_file, ca_file))
