"""What the generated outputs of the changed services say, compared: the metric contract
(recorded series and alert label sets), routing (real amtool on both Alertmanager configs),
owned files and dashboard panels.

Only services whose model value changed are compiled (an unchanged service produces the same
outputs), so a plan over a big catalog costs what its change costs.
"""

from __future__ import annotations

import json
from functools import cache

from sloforge import conventions as c
from sloforge.compile.alertmanager.routes import alert_scope
from sloforge.compile.rules.groups import compile_slo
from sloforge.model.catalog import Catalog, Service, Slo
from sloforge.outputs import Context, service_files
from sloforge.plan.changes import Change, Plan, changed_services, slo_key

Labels = tuple[tuple[str, str], ...]


@cache  # contract and routing both read a changed SLO's rules: compile it once
def _series(slo: Slo) -> tuple[dict[str, Labels], dict[str, Labels]]:
    """Recorded series (record + window -> static labels) and alerts (name + kind -> labels)."""
    recording, alerting = compile_slo(slo)
    records = {r.record + (f'{{slo_window="{r.labels[c.LABEL_WINDOW]}"}}' if c.LABEL_WINDOW in r.labels else ""):
               tuple(sorted((k, str(v)) for k, v in r.labels.items())) for r in recording}
    alerts = {f"{a.alert} ({a.kind.value} {a.tier}"
              + "".join(f" {a.labels[label]}" for label in (c.LABEL_BUDGET_CONSUMED, c.LABEL_BUDGET_EXHAUSTS_WITHIN)
                        if label in a.labels) + ")":
              tuple(sorted((k, str(v)) for k, v in a.labels.items())) for a in alerting}
    return records, alerts


def compare_contract(pairs: list[tuple[Slo, Slo]], plan: Plan) -> None:
    for old, new in pairs:
        if old == new:
            continue
        before_records, before_alerts = _series(old)
        after_records, after_alerts = _series(new)
        details = [f"series {name} is no longer recorded"
                   for name in sorted(before_records.keys() - after_records.keys())]
        details += [f"alert {name} is no longer generated"
                    for name in sorted(before_alerts.keys() - after_alerts.keys())]
        # The same label change on many series is said once.
        changed: dict[str, list[str]] = {}
        for what, before, after in (("series", before_records, after_records), ("alert", before_alerts, after_alerts)):
            for name in sorted(before.keys() & after.keys()):
                if before[name] != after[name]:
                    changed.setdefault(_diff(before[name], after[name]), []).append(f"{what} {name}")
        for diff, names in changed.items():
            series = sum(1 for n in names if n.startswith("series "))
            alerts = len(names) - series
            if len(names) > 3:
                counted = " and ".join(part for part in (f"{series} recorded series" if series else "",
                                                         f"{alerts} alerts" if alerts else "") if part)
                details.append(f"{counted}: {diff}")
            else:
                details += [f"{name}: {diff}" for name in names]
        if details:
            plan.changes.append(Change("contract", slo_key(new), "recorded series or alert labels change: queries, "
                                       "dashboards, silences and routes that match them need the new labels",
                                       tuple(details)))


def _diff(before: Labels, after: Labels) -> str:
    a, b = dict(before), dict(after)
    parts = [f"{k}={a[k]!r} -> {b[k]!r}" for k in sorted(a.keys() & b.keys()) if a[k] != b[k]]
    parts += [f"-{k}={a[k]!r}" for k in sorted(a.keys() - b.keys())]
    parts += [f"+{k}={b[k]!r}" for k in sorted(b.keys() - a.keys())]
    return ", ".join(parts)


def compare_routing(old: Catalog, new: Catalog, old_config: str | None, new_config: str | None,
                    plan: Plan) -> None:
    """For every generated alert of an SLO on both sides: the receivers before -> after."""
    from sloforge.check.tools import amtool_routes_test

    if old_config is None and new_config is None:
        return
    if (old_config is None) != (new_config is None):
        state = "added" if old_config is None else "removed"
        plan.changes.append(Change("routing", "alertmanager", f"the routing spec was {state}: Alertmanager "
                                   f"configuration {'now' if old_config is None else 'no longer'} generated"))
        return
    assert old_config is not None and new_config is not None
    before = {slo_key(s): s for s in old.slos}
    cache: dict[tuple[str, Labels], tuple[str, ...]] = {}

    def receivers(config: str, labels: Labels) -> tuple[str, ...]:
        key = (config, labels)
        if key not in cache:
            cache[key] = tuple(amtool_routes_test(config, dict(labels))[1])
        return cache[key]

    same_config = old_config == new_config
    for slo in new.slos:
        old_slo = before.get(slo_key(slo))
        if old_slo is None or (same_config and old_slo == slo):
            continue  # an unchanged config and SLO route the same
        _, old_alerts = _series(old_slo)
        _, new_alerts = _series(slo)
        lines = []
        for name in sorted(old_alerts.keys() & new_alerts.keys()):
            a, b = receivers(old_config, old_alerts[name]), receivers(new_config, new_alerts[name])
            if a != b:
                lines.append(f"{name}: {', '.join(a)} -> {', '.join(b)}")
        if lines:
            plan.changes.append(Change("routing", slo_key(slo), "alerts reach other receivers", tuple(lines)))
    if not same_config:
        old_rules = _inhibitions(old_config)
        new_rules = _inhibitions(new_config)
        if old_rules != new_rules:
            details = [f"removed {rule}" for rule in sorted(old_rules - new_rules)]
            details += [f"added {rule}" for rule in sorted(new_rules - old_rules)]
            plan.changes.append(Change("routing", "inhibit_rules", "inhibition changed", tuple(details)))


def _inhibitions(config: str) -> set[str]:
    import yaml

    data = yaml.safe_load(config) or {}
    return {json.dumps(rule, sort_keys=True) for rule in data.get("inhibit_rules") or []}


def compare_files(old: Catalog, new: Catalog, old_context: Context, new_context: Context, plan: Plan) -> None:
    """Owned files added and removed, and dashboard panels added and removed, of changed services."""
    old_services, new_services = changed_services(old, new)
    before = {f.path: f for s in old_services if s.slos for f in service_files(s, old_context)}
    after = {f.path: f for s in new_services if s.slos for f in service_files(s, new_context)}
    for path in sorted(after.keys() - before.keys()):
        plan.changes.append(Change("files", path, "added"))
    for path in sorted(before.keys() - after.keys()):
        plan.changes.append(Change("files", path, "removed"))
    for path in sorted(before.keys() & after.keys()):
        if path.endswith(".json"):
            a, b = _panels(before[path].content), _panels(after[path].content)
            details = [f"removed {t}" for t in sorted(a - b)] + [f"added {t}" for t in sorted(b - a)]
            if details:
                plan.changes.append(Change("files", path, "dashboard panels change", tuple(details)))


def _panels(text: str) -> set[str]:
    board = json.loads(text)
    found = set()

    def walk(panels: list[dict]) -> None:
        for panel in panels:
            found.add(f"{panel.get('type')}: {panel.get('title')}")
            walk(panel.get("panels") or [])

    walk(board.get("panels") or [])
    return found


def alertmanager_config(catalog: Catalog, context: Context) -> str | None:
    if catalog.routing is None:
        return None
    files = context.packaging.alertmanager_files(catalog.routing, alert_scope(catalog), context.settings,
                                                 context.alertmanager_base)
    texts = [f.alertmanager_text for f in files if f.alertmanager_text is not None]
    return texts[0] if texts else None


def services_of(catalog: Catalog) -> list[Service]:
    return [s for s in catalog.services if s.slos]
