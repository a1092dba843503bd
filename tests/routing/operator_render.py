"""AlertmanagerConfig objects -> the alertmanager.yml the Prometheus Operator would build from them.

A test's stand-in for the operator (pkg/alertmanager/amcfg.go), with its default
`alertmanagerConfigMatcherStrategy: OnNamespace`. What it does, as the operator does:
- each object's top route becomes a child of the root route, first among its children,
  with `namespace="<object's namespace>"` as its first matcher and `continue: true`;
- receiver and time-interval names get the prefix `<namespace>/<name>/`, wherever used;
- every inhibit rule gets `namespace="<namespace>"` on its source and target side;
- camelCase keys become Alertmanager's snake_case; matchers become `name<op>"value"`.

What it does differently, on purpose (the test is about routing, not integrations):
- every receiver is one webhook to `<inbox>/<prefixed receiver name>`, so a delivery names
  the receiver it reached;
- `faster` shortens group_wait and group_interval to 1s so deliveries come within seconds (the
  wait lets the inhibitor see a page posted together with its ticket, as it would in life).
"""

from __future__ import annotations

import re
from typing import Any

ROOT_RECEIVER = "null"


def snake(key: str) -> str:
    """groupBy -> group_by, as the operator's types are named after Alertmanager's fields."""
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def matcher(item: dict[str, str]) -> str:
    value = item["value"].replace("\\", "\\\\").replace('"', '\\"')
    return f'{item["name"]}{item.get("matchType", "=")}"{value}"'


def _route(route: dict[str, Any], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in route.items():
        if key == "receiver":
            out["receiver"] = prefix + value
        elif key == "matchers":
            out["matchers"] = [matcher(m) for m in value]
        elif key == "routes":
            out["routes"] = [_route(r, prefix) for r in value]
        elif key in ("muteTimeIntervals", "activeTimeIntervals"):
            out[snake(key)] = [prefix + name for name in value]
        else:
            out[snake(key)] = value
    return out


def _ranges(entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "times":
            out["times"] = [{"start_time": t["startTime"], "end_time": t["endTime"]} for t in value]
        elif key == "daysOfMonth":
            out["days_of_month"] = [f"{d['start']}:{d['end']}" for d in value]
        else:
            out[key] = value
    return out


def render(objects: list[dict[str, Any]], inbox: str, faster: bool = True) -> dict[str, Any]:
    """The Alertmanager configuration the operator generates from `objects` (no base config)."""
    routes: list[dict[str, Any]] = []
    receivers: list[dict[str, Any]] = [{"name": ROOT_RECEIVER,
                                        "webhook_configs": [{"url": f"{inbox}/{ROOT_RECEIVER}"}]}]
    inhibit_rules: list[dict[str, Any]] = []
    intervals: list[dict[str, Any]] = []
    for obj in sorted(objects, key=lambda o: (o["metadata"]["namespace"], o["metadata"]["name"])):
        assert obj["kind"] == "AlertmanagerConfig", obj["kind"]
        namespace, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        prefix = f"{namespace}/{name}/"
        enforced = f'namespace="{namespace}"'
        spec = obj["spec"]
        top = _route(spec["route"], prefix)
        top["matchers"] = [enforced, *top.get("matchers", [])]
        top["continue"] = True
        routes.append(top)
        receivers += [{"name": prefix + r["name"], "webhook_configs": [{"url": f"{inbox}/{prefix}{r['name']}"}]}
                      for r in spec["receivers"]]
        inhibit_rules += [{"source_matchers": [enforced, *map(matcher, rule["sourceMatch"])],
                           "target_matchers": [enforced, *map(matcher, rule["targetMatch"])],
                           "equal": rule.get("equal", [])} for rule in spec.get("inhibitRules", [])]
        intervals += [{"name": prefix + i["name"], "time_intervals": [_ranges(r) for r in i["timeIntervals"]]}
                      for i in spec.get("muteTimeIntervals", [])]
    root: dict[str, Any] = {"receiver": ROOT_RECEIVER, "group_by": ["..."], "routes": routes}
    config: dict[str, Any] = {"route": root, "receivers": receivers, "inhibit_rules": inhibit_rules}
    if intervals:
        config["time_intervals"] = intervals
    if faster:
        _speed_up(root)
    return config


def _speed_up(route: dict[str, Any]) -> None:
    route["group_wait"] = "1s"
    route["group_interval"] = "1s"
    for child in route.get("routes", []):
        child.pop("group_wait", None)
        child.pop("group_interval", None)
        _speed_up(child)
