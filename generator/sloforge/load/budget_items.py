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
    """Consumed thresholds ascending, then forecast horizons (`exhausts_within`) descending: the
    order of growing urgency. A threshold or horizon given twice is a problem (both alerts would
    carry the same labels), and so is an entry with both or neither."""
    problems: list[Problem] = []
    policies: list[BudgetPolicy] = []
    seen: dict[tuple[str, float | None], int] = {}
    for index, item in enumerate(items):
        at = path + (index,)
        if ("consumed" in item) == ("exhausts_within" in item):
            problems.append(document.problem(at, "give exactly one of consumed (a share of the period's "
                                             "budget, 75%) or exhausts_within (a forecast horizon, 3d)"))
            continue
        for_seconds = _duration(document, item, "for", at, problems)
        within = _duration(document, item, "exhausts_within", at, problems) if "exhausts_within" in item else None
        if for_seconds is None or ("exhausts_within" in item and within is None):
            continue  # its problem is recorded
        consumed = percent(item["consumed"]) if within is None else None
        field = "consumed" if within is None else "exhausts_within"
        key = (field, consumed if within is None else float(within))
        if key in seen:
            problems.append(document.problem(at + (field,), f"{item[field]} is already used by "
                                             f"entry {seen[key]}; give each threshold once"))
            continue
        seen[key] = index
        policies.append(BudgetPolicy(consumed, item["severity"], for_seconds, item.get("action", ""), within))
    return tuple(sorted(policies, key=_urgency)), problems


def _duration(document: Document, item: dict[str, Any], key: str, at: FieldPath,
              problems: list[Problem]) -> int | None:
    """`item[key]` in seconds (`for` defaults to 5m), or None with a problem (not a duration, or 0)."""
    try:
        return durations.parse(item.get(key, DEFAULT_FOR))
    except durations.DurationError as exc:
        problems.append(document.problem(at + (key,), str(exc)))
        return None


def _urgency(policy: BudgetPolicy) -> tuple[int, float]:
    if policy.consumed is not None:
        return 0, policy.consumed
    return 1, -(policy.exhausts_within or 0)
