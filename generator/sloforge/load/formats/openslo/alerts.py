"""OpenSLO AlertPolicy / AlertCondition / AlertNotificationTarget -> alert tiers.

A burn-rate condition becomes one window pair: long window = lookbackWindow,
short window = long / 12 (OpenSLO has none; the SRE Workbook's ratio), factor =
threshold, tier from the severity, `for:` = alertAfter. Notification targets
are kept as a `notification_targets` annotation on the tier's alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sloforge import conventions, durations
from sloforge.load.documents import FieldPath
from sloforge.load.formats.openslo.objects import Obj, ObjReader, inline
from sloforge.model import policy
from sloforge.model.catalog import Alerting, Tier

PAGE_SEVERITIES = {"page", "critical", "high"}
TICKET_SEVERITIES = {"ticket", "warning", "low", "medium", "info"}
NO_DATA_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    tier: str
    severity: str
    threshold: float
    lookback: int
    alert_after: int


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    condition: Condition
    targets: tuple[str, ...]
    no_data: bool


def condition(reader: ObjReader, obj: Obj) -> Condition | None:
    spec = obj.spec
    at: FieldPath = ("spec",)
    reader.known(spec, at, {"description", "severity", "condition"})
    severity = reader.get(spec, at, "severity", str, required=True)
    body = reader.get(spec, at, "condition", dict, required=True) or {}
    at = at + ("condition",)
    reader.known(body, at, {"kind", "op", "threshold", "lookbackWindow", "alertAfter"})
    kind = reader.get(body, at, "kind", str, required=True)
    if kind is not None and kind != "burnrate":
        reader.fail(at + ("kind",), f"condition kind {kind!r} is not supported; sloforge compiles kind: burnrate")
        return None
    op = reader.get(body, at, "op", str, default="gt")
    threshold = reader.get(body, at, "threshold", float, required=True)
    if op in ("lt", "lte") and threshold is not None:
        reader.fail(at + ("op",), f"op {op!r} would fire while the burn rate is at or below {threshold:g}, "
                    "i.e. while the service is healthy (the OpenSLO spec's own example has this mistake); "
                    "burn-rate conditions use op: gt or gte")
    elif op not in ("gt", "gte"):
        reader.fail(at + ("op",), f"{op!r} must be gt or gte")
    if threshold is not None and threshold <= 0:
        reader.fail(at + ("threshold",), f"{threshold:g} must be above 0 (a burn-rate factor such as 14.4)")
    lookback = reader.duration(reader.get(body, at, "lookbackWindow", str, required=True), at + ("lookbackWindow",))
    after = reader.get(body, at, "alertAfter", str)
    tier = _tier(reader, severity)
    # No alertAfter: sloforge's default `for:` of the tier (2m page, 15m ticket).
    alert_after = reader.duration(after, at + ("alertAfter",)) if after is not None else (
        policy.DEFAULT_FOR[tier] if tier else 0)
    if reader.failed or None in (tier, threshold, lookback, alert_after, severity):
        return None
    default = severity in conventions.TIERS
    return Condition(obj.name, tier or "", conventions.DEFAULT_SEVERITY[tier or ""] if default else severity or "",
                     threshold or 0, lookback or 0, alert_after or 0)


def _tier(reader: ObjReader, severity: str | None) -> str | None:
    if severity is None:
        return None
    if severity.lower() in PAGE_SEVERITIES:
        return "page"
    if severity.lower() in TICKET_SEVERITIES:
        return "ticket"
    reader.fail(("spec", "severity"), f"severity {severity!r} maps to no alert tier; use one of "
                f"{', '.join(sorted(PAGE_SEVERITIES))} (page) or {', '.join(sorted(TICKET_SEVERITIES))} (ticket)")
    return None


def policy_of(reader: ObjReader, obj: Obj, index: dict[tuple[str, str], Obj],
              conditions: dict[str, Condition | None]) -> Policy | None:
    """An AlertPolicy with its one condition and notification targets resolved."""
    spec, at = obj.spec, ("spec",)
    reader.known(spec, at, {"description", "alertWhenNoData", "alertWhenResolved", "alertWhenBreaching",
                            "conditions", "notificationTargets"})
    items = reader.get(spec, at, "conditions", list, required=True) or []
    if len(items) != 1:
        reader.fail(at + ("conditions",), f"has {len(items)} conditions; an OpenSLO AlertPolicy holds exactly one")
        return None
    found = _condition_ref(reader, obj, items[0], at + ("conditions", 0), index, conditions)
    targets = []
    for position, item in enumerate(reader.get(spec, at, "notificationTargets", list, default=[])):
        where = at + ("notificationTargets", position)
        target = _resolve(reader, obj, item, where, "targetRef", "AlertNotificationTarget", index)
        if target is not None:
            kind = target.spec.get("target")
            targets.append(f"{target.name} ({kind})" if isinstance(kind, str) else target.name)
    if found is None or reader.failed:
        return None
    if spec.get("alertWhenBreaching") is False:
        reader.warn(at + ("alertWhenBreaching",), "alertWhenBreaching: false is ignored; burn-rate alerts "
                    "fire while the budget burns too fast")
    return Policy(obj.name, found, tuple(targets), spec.get("alertWhenNoData") is True)


def _condition_ref(reader: ObjReader, parent: Obj, item: object, path: FieldPath,
                   index: dict[tuple[str, str], Obj], conditions: dict[str, Condition | None]) -> Condition | None:
    target = _resolve(reader, parent, item, path, "conditionRef", "AlertCondition", index)
    if target is None:
        return None
    if (target.kind, target.name) in index and index[(target.kind, target.name)] is target:
        return conditions.get(target.name)  # reported once, where it is defined
    sub = ObjReader.of(target)
    found = condition(sub, target)
    reader.problems.extend(sub.problems)
    return found


def _resolve(reader: ObjReader, parent: Obj, item: object, path: FieldPath, ref_key: str, kind: str,
             index: dict[tuple[str, str], Obj]) -> Obj | None:
    if isinstance(item, dict) and ref_key in item:
        name = item[ref_key]
        if not isinstance(name, str) or (kind, name) not in index:
            reader.fail(path + (ref_key,), f"no {kind} named {name!r} among the inputs")
            return None
        return index[(kind, name)]
    if isinstance(item, dict) and isinstance(item.get("spec"), dict):
        return inline(parent, path, item, kind)
    reader.fail(path, f"must be {{{ref_key}: name}} or an inline {kind}")
    return None


def alerting(reader: ObjReader, policies: list[tuple[Policy, FieldPath]], name: str, period: int,
             error_budget: float) -> Alerting:
    """Tiers from the policies; no policy means no alerts (as in OpenSLO and Sloth)."""
    pairs: list[Any] = []
    first: dict[str, Any] = {}
    targets: dict[str, list[Any]] = {}
    for found, path in policies:
        cond = found.condition
        if cond.lookback > period:
            reader.fail(path, f"lookbackWindow {durations.format(cond.lookback)} is longer than the SLO period "
                        f"{durations.format(period)}")
            continue
        pair = policy.pair(cond.tier, cond.lookback, None, period, factor=cond.threshold)
        spent = pair.budget_fraction
        if not pair.can_fire(error_budget):
            reader.warn(path, f"AlertCondition '{cond.name}' can never fire: it needs an error ratio of "
                        f"{pair.threshold(error_budget):.3g} (above 100%)")
        elif spent > 1:
            reader.warn(path, f"AlertCondition '{cond.name}' fires only after {spent:.0%} of the period's budget "
                        f"is spent within {pair.long_text}: its threshold is a burn-rate factor (e.g. 14.4), "
                        "not a latency or a count")
        pairs.append(pair)
        if cond.tier in first and (first[cond.tier].severity, first[cond.tier].alert_after) != (
                cond.severity, cond.alert_after):
            reader.warn(path, f"AlertCondition '{cond.name}' differs in severity or alertAfter from "
                        f"'{first[cond.tier].name}'; the {cond.tier} alert uses the first one's")
        first.setdefault(cond.tier, cond)
        targets.setdefault(cond.tier, []).extend(t for t in found.targets if t not in targets[cond.tier])
    tiers = []
    for tier in conventions.TIERS:
        chosen = first.get(tier)
        annotations: tuple[tuple[str, str], ...] = ()
        if targets.get(tier):
            annotations = (("notification_targets", ", ".join(targets[tier])),)
        tiers.append(Tier(tier, chosen.severity if chosen else conventions.DEFAULT_SEVERITY[tier],
                          chosen.alert_after if chosen else policy.DEFAULT_FOR[tier], (), annotations,
                          chosen is None))
    no_data = any(found.no_data for found, _ in policies)
    if not pairs:
        return Alerting(name=name, pairs=policy.default_pairs(period) if _defaults_fit(period) else (),
                        tiers=tuple(tiers), disabled=True)
    return Alerting(name=name, pairs=tuple(pairs), tiers=tuple(tiers),
                    absent_seconds=NO_DATA_SECONDS if no_data else None)


def _defaults_fit(period: int) -> bool:
    low, high = policy.DEFAULT_PERIOD_RANGE
    return low <= period <= high


def policies_of(reader: ObjReader, slo: Obj, index: dict[tuple[str, str], Obj],
                parsed: dict[str, Policy | None],
                conditions: dict[str, Condition | None]) -> list[tuple[Policy, FieldPath]]:
    out: list[tuple[Policy, FieldPath]] = []
    items: list[Any] = reader.get(slo.spec, ("spec",), "alertPolicies", list, default=[])
    for position, item in enumerate(items):
        path = ("spec", "alertPolicies", position)
        target = _resolve(reader, slo, item, path, "alertPolicyRef", "AlertPolicy", index)
        if target is None:
            continue
        if index.get(("AlertPolicy", target.name)) is target:
            found = parsed.get(target.name)
        else:
            sub = ObjReader.of(target)
            found = policy_of(sub, target, index, conditions)
            reader.problems.extend(sub.problems)
        if found is not None:
            out.append((found, path))
    return out
