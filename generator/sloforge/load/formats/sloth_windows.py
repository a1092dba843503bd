"""Sloth AlertWindows documents -> burn-rate window catalogues, keyed by SLO period.

Sloth loads these from `--slo-period-windows-path`; sloforge reads every
`apiVersion: sloth.slok.dev/v1, kind: AlertWindows` document among its inputs.
A catalogue replaces the default window pairs of every Sloth SLO whose period
equals its `sloPeriod` (Sloth specs have Sloth's default period, 30d, unless
`--slo-period` says otherwise). Factors follow Sloth's arithmetic, which is the
SRE Workbook's: errorBudgetPercent / 100 x period / long window.
"""

from __future__ import annotations

from sloforge import durations
from sloforge.errors import Problem
from sloforge.load.documents import Document
from sloforge.load.reader import Reader
from sloforge.model import policy
from sloforge.model.policy import WindowPair

API_VERSION = "sloth.slok.dev/v1"
KIND = "AlertWindows"
_WINDOW_FIELDS = {"errorBudgetPercent", "shortWindow", "longWindow"}

Catalogue = dict[int, tuple[WindowPair, ...]]


def is_windows(document: Document) -> bool:
    data = document.data
    return isinstance(data, dict) and data.get("apiVersion") == API_VERSION and data.get("kind") == KIND


def catalogue_from(documents: list[Document]) -> tuple[Catalogue, list[Problem]]:
    catalogue: Catalogue = {}
    origin: dict[int, str] = {}
    problems: list[Problem] = []
    for document in documents:
        reader = Reader(document)
        found = _pairs(reader)
        problems.extend(reader.problems)
        if found is None:
            continue
        period, pairs = found
        if period in catalogue:
            problems.append(document.problem(("spec", "sloPeriod"), f"windows for the {durations.format(period)} "
                                             f"period are already defined in {origin[period]}"))
            continue
        catalogue[period], origin[period] = pairs, document.path
    return catalogue, problems


def _pairs(reader: Reader) -> tuple[int, tuple[WindowPair, ...]] | None:
    data = reader.doc.data
    reader.known(data, (), {"apiVersion", "kind", "metadata", "spec"})
    spec = reader.get(data, (), "spec", dict, required=True)
    if spec is None:
        return None
    reader.known(spec, ("spec",), {"sloPeriod", "page", "ticket"})
    period = reader.duration(reader.get(spec, ("spec",), "sloPeriod", str, required=True), ("spec", "sloPeriod"))
    pairs: list[WindowPair] = []
    for tier in ("page", "ticket"):
        body = reader.get(spec, ("spec",), tier, dict, required=True) or {}
        reader.known(body, ("spec", tier), {"quick", "slow"})
        for speed in ("quick", "slow"):
            at = ("spec", tier, speed)
            window = reader.get(body, ("spec", tier), speed, dict, required=True)
            if window is None or period is None:
                continue
            reader.known(window, at, _WINDOW_FIELDS)
            percent = reader.get(window, at, "errorBudgetPercent", float, required=True)
            short = reader.duration(reader.get(window, at, "shortWindow", str, required=True), at + ("shortWindow",))
            long = reader.duration(reader.get(window, at, "longWindow", str, required=True), at + ("longWindow",))
            if percent is None or short is None or long is None:
                continue
            if not 0 < percent <= 100:
                reader.fail(at + ("errorBudgetPercent",), f"{percent:g} must be above 0 and at most 100")
            elif long > period:
                reader.fail(at + ("longWindow",), f"{durations.format(long)} is longer than the SLO period "
                            f"{durations.format(period)}")
            elif short >= long:
                reader.fail(at + ("shortWindow",), f"{durations.format(short)} must be shorter than the long "
                            f"window {durations.format(long)}")
            else:
                pairs.append(policy.pair(tier, long, short, period, budget_fraction=percent / 100))
    if reader.failed or period is None:
        return None
    return period, tuple(pairs)
