"""`budget:` lists (error-budget policy thresholds) -> model.BudgetPolicy values.

Shared by the native ServiceLevels spec (`alerting.budget`) and the
BudgetPolicy document (a team's or the org's default policy), so both read the
same way and report the same problems.
"""

from __future__ import annotations

from typing import Any

from sloforge import durations
from sloforge.errors import Problem
from sloforge.load.documents import Document, FieldPath
from sloforge.load.reader import percent
from sloforge.model.catalog import BudgetPolicy

DEFAULT_FOR = "5m"


def budget_policies(document: Document, items: list[dict[str, Any]],
                    path: FieldPath) -> tuple[tuple[BudgetPolicy, ...], list[Problem]]:
    """Thresholds sorted by consumed share; a threshold given twice is a problem
    (both alerts would carry the same labels)."""
    problems: list[Problem] = []
    policies: list[BudgetPolicy] = []
    seen: dict[float, int] = {}
    for index, item in enumerate(items):
        at = path + (index,)
        consumed = percent(item["consumed"])
        if consumed in seen:
            problems.append(document.problem(at + ("consumed",), f"{item['consumed']} is already used by "
                                             f"entry {seen[consumed]}; give each threshold once"))
            continue
        seen[consumed] = index
        try:
            for_seconds = durations.parse(item.get("for", DEFAULT_FOR))
        except durations.DurationError as exc:
            problems.append(document.problem(at + ("for",), str(exc)))
            continue
        policies.append(BudgetPolicy(consumed, item["severity"], for_seconds, item.get("action", "")))
    return tuple(sorted(policies, key=lambda b: b.consumed)), problems
