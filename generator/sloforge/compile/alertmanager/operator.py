"""AlertmanagerConfig objects (monitoring.coreos.com/v1alpha1), one per team.

The same routes as the plain config, in the operator's camelCase, with Secret
references instead of files. A secret file must be where the operator mounts
Alertmanager's secrets, /etc/alertmanager/secrets/<secret>/<key>, so that the
path names the Secret and key to reference. v1alpha1 time intervals have no
`location` (they are UTC), so an interval with one is refused, not shifted.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from sloforge import conventions as c
from sloforge.compile.alertmanager.routes import (
    AlertScope,
    Config,
    inhibitions,
    intervals_used,
    plain,
    team_destinations,
    team_routes,
    with_group_labels,
)
from sloforge.errors import Problem, SpecError
from sloforge.model.routing import Integration, Matcher, Routing, Team

API_VERSION = "monitoring.coreos.com/v1alpha1"
KIND = "AlertmanagerConfig"
SECRETS_DIR = PurePosixPath("/etc/alertmanager/secrets")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_KEYS = {"send_resolved": "sendResolved", "client_url": "clientURL", "api_url": "apiURL",
         "auth_username": "authUsername", "require_tls": "requireTLS", "max_alerts": "maxAlerts",
         "group_by": "groupBy", "group_wait": "groupWait", "group_interval": "groupInterval",
         "repeat_interval": "repeatInterval", "mute_time_intervals": "muteTimeIntervals",
         "active_time_intervals": "activeTimeIntervals", "start_time": "startTime",
         "end_time": "endTime", "days_of_month": "daysOfMonth"}
_SECRET_KEYS = {"routing_key_file": "routingKey", "api_key_file": "apiKey", "api_url_file": "apiURL",
                "auth_password_file": "authPassword"}
_KINDS = {"pagerduty": "pagerdutyConfigs", "opsgenie": "opsgenieConfigs", "slack": "slackConfigs",
          "email": "emailConfigs", "webhook": "webhookConfigs"}


def alertmanager_config_spec(routing: Routing, team: Team, scope: AlertScope = AlertScope()) -> Config:
    """The spec of the team's AlertmanagerConfig (its packaging adds apiVersion, kind and metadata:
    sloforge/packaging/kubernetes.py)."""
    problems: list[Problem] = []
    ticket = c.receiver_name(team.name, "ticket")
    route: Config = {
        # The ticket receiver as the root's: every alert this route admits matches a child,
        # and if one ever did not, a ticket reaches a human rather than nobody.
        "receiver": ticket,
        "matchers": [_matcher(Matcher(c.LABEL_TEAM, "=", team.name)),
                     _matcher(Matcher(c.LABEL_TIER, "=~", "|".join(c.TIERS)))],
        "groupBy": with_group_labels(routing.group_by, scope),
        **{_KEYS[k]: v for k, v in routing.options},
        "routes": [_route(matchers, receiver, options)
                   for matchers, receiver, options in team_routes(routing, team, scope)],
    }
    receivers = [_receiver(name, d.integrations, routing.source, problems)
                 for name, d in sorted(team_destinations(team), key=lambda item: item[0])]
    spec: Config = {
        "route": route,
        "receivers": receivers,
        "inhibitRules": [{"sourceMatch": [_matcher(m) for m in rule.source],
                          "targetMatch": [_matcher(m) for m in rule.target],
                          "equal": list(rule.equal)} for rule in inhibitions(scope)],
    }
    intervals = _intervals(routing, team, problems)
    if intervals:
        spec["muteTimeIntervals"] = intervals
    if problems:
        raise SpecError(problems)
    return spec


def secret_problem(name: str, key: str) -> str | None:
    """Why {name, key} cannot reference a key of a Secret, or None (Kubernetes' own rules:
    a DNS-1123 subdomain for the name, a ConfigMap/Secret key for the key)."""
    if len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        return (f"Secret name {name!r} is not a valid Kubernetes name (at most 253 lower-case letters, "
                "digits, '-' and '.', starting and ending with a letter or digit)")
    if len(key) > 253 or not _SECRET_KEY.match(key):
        return f"Secret key {key!r} is not a valid key (letters, digits, '-', '_' and '.' only)"
    return None


def secret_selector(path: str) -> dict[str, str] | None:
    """/etc/alertmanager/secrets/<name>/<key> -> {name, key}, the operator's mount layout."""
    parts = PurePosixPath(path)
    if parts.parent.parent != SECRETS_DIR:
        return None
    return {"name": parts.parent.name, "key": parts.name}


def _matcher(matcher: Matcher) -> Config:
    return {"name": matcher.name, "value": matcher.value, "matchType": matcher.op}


def _route(matchers: tuple[Matcher, ...], receiver: str, options: Config) -> Config:
    route: Config = {"receiver": receiver, "matchers": [_matcher(m) for m in matchers]}
    for name, value in options.items():
        route[_KEYS[name]] = list(value) if isinstance(value, tuple) else value
    return route


def _receiver(name: str, integrations: tuple[Integration, ...], source: str,
              problems: list[Problem]) -> Config:
    receiver: Config = {"name": name}
    for integration in integrations:
        receiver.setdefault(_KINDS[integration.kind], []).append(_integration(integration, source, problems))
    return receiver


def _integration(integration: Integration, source: str, problems: list[Problem]) -> Config:
    out: Config = {_KEYS.get(k, k): plain(v) for k, v in integration.settings}
    for secret in integration.secrets:
        selector = secret_selector(secret.path)
        if selector is None:
            problems.append(Problem(source, secret.line, secret.field, f"{secret.path!r}: for --target "
                                    f"kubernetes a secret file must be {SECRETS_DIR}/<secret>/<key> (where "
                                    "the operator mounts Alertmanager's secrets), so sloforge can reference "
                                    "that Secret"))
            continue
        invalid = secret_problem(selector["name"], selector["key"])
        if invalid:
            problems.append(Problem(source, secret.line, secret.field, f"{secret.path!r}: {invalid}; for "
                                    f"--target kubernetes the path {SECRETS_DIR}/<secret>/<key> names the "
                                    "Secret (in the AlertmanagerConfig's namespace) and its key"))
            continue
        if integration.kind == "webhook":
            out["httpConfig"] = {"authorization": {"type": "Bearer", "credentials": selector}}
        else:
            out[_SECRET_KEYS[secret.field]] = selector
    return dict(sorted(out.items()))


def _intervals(routing: Routing, team: Team, problems: list[Problem]) -> list[Config]:
    used = intervals_used(routing, team)
    out = []
    for interval in routing.time_intervals:
        if interval.name not in used:
            continue
        if interval.has_location:
            problems.append(Problem(routing.source, interval.line, f"time_intervals.{interval.name}",
                                    "AlertmanagerConfig (v1alpha1) time intervals have no location and "
                                    "are read as UTC; write the times in UTC without location for "
                                    "--target kubernetes"))
            continue
        out.append({"name": interval.name, "timeIntervals": [_ranges(r) for r in interval.ranges]})
    return out


def _ranges(entry: dict[str, Any]) -> Config:
    out: Config = {}
    for key, value in entry.items():
        if key == "times":
            out["times"] = [{"startTime": t["start_time"], "endTime": t["end_time"]} for t in value]
        elif key == "days_of_month":
            out["daysOfMonth"] = [_day_range(v) for v in value]
        else:
            out[key] = list(value)
    return out


def _day_range(text: str) -> dict[str, int]:
    start, _, end = text.partition(":")
    return {"start": int(start), "end": int(end or start)}
