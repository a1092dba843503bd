"""The sloforge routing subtree of an alertmanager.yml, from the routing model (pure).

One route holds everything sloforge routes: it matches alerts of the known teams
that carry the tier label, so anything else (an unknown team, alerts that are
not sloforge's) falls through to the routes and default receiver of the base
config. Below it, one route per team; below that the team's overrides in spec
order, then its page and ticket routes.

Inhibition, within one SLO (same slo_service and slo_name), for grouped SLOs
one group, and one kind of alert (slo_alert_kind): a burn-rate page silences
the burn-rate ticket, and a budget alert silences the budget alerts of lower
thresholds (75% consumed silences 50%), so one incident sends one
notification. Kinds never silence each other: an exhausted budget pages for
weeks, and must not hide a fresh burn in the meantime (nor a burn-rate page
the news that the budget is gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sloforge import conventions as c
from sloforge import promql
from sloforge.model.catalog import Catalog
from sloforge.model.routing import ROUTE_OPTIONS, Destination, Integration, Matcher, Routing, Team

Config = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Subtree:
    route: Config
    receivers: tuple[Config, ...]
    inhibit_rules: tuple[Config, ...]
    time_intervals: tuple[Config, ...]


@dataclass(frozen=True, slots=True)
class AlertScope:
    """What inhibition needs to know of the catalog's alerts."""

    group_labels: tuple[str, ...] = ()  # group_by labels that alerts do not set themselves
    budget_thresholds: tuple[str, ...] = ()  # every slo_budget_consumed value, lowest first
    # Every SLI group_by label (but those all alerts set): added to each route group_by that keeps
    # SLOs apart, so one group's alerts notify apart from another's (with_group_labels).
    grouping_labels: tuple[str, ...] = ()
    # every slo_budget_exhausts_within value, longest (least urgent) first
    exhaustion_horizons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Inhibition:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]

    def config(self) -> Config:
        return {"source_matchers": [m.text for m in self.source],
                "target_matchers": [m.text for m in self.target],
                "equal": list(self.equal)}


def inhibitions(scope: AlertScope = AlertScope()) -> list[Inhibition]:
    """A burn-rate page silences the burn-rate ticket of the same SLO; a budget alert those of
    lower thresholds. Nothing else: a budget page never silences a burn-rate ticket, nor a
    burn-rate page a budget ticket (slo_alert_kind tells them apart).

    `equal` also lists the catalog's group labels (alert_scope below): a
    grouped SLO alerts per group, and one group's page must not silence another group's
    ticket. Alertmanager counts a label missing on both sides as equal, so ungrouped SLOs
    match as before."""
    equal = (c.LABEL_SERVICE, c.LABEL_SLO, *scope.group_labels)
    burn = Matcher(c.LABEL_ALERT_KIND, "=", c.ALERT_KIND_BURN_RATE)
    rules = [Inhibition((tier_matcher("page"), burn), (tier_matcher("ticket"), burn), equal)]
    # A budget alert silences those of lower thresholds; a forecast alert those of longer horizons
    # (runs out within 1d implies within 3d). Never one kind the other: 75% consumed says nothing
    # of when the rest runs out.
    for label, values in ((c.LABEL_BUDGET_CONSUMED, scope.budget_thresholds),
                          (c.LABEL_BUDGET_EXHAUSTS_WITHIN, scope.exhaustion_horizons)):
        for index in range(1, len(values)):
            lower = "|".join(promql.regex_escape(t) for t in values[:index])
            rules.append(Inhibition((Matcher(label, "=", values[index]),), (Matcher(label, "=~", lower),), equal))
    return rules


def alert_scope(catalog: Catalog) -> AlertScope:
    """The group_by labels and budget thresholds of the catalog's alerts, for inhibition and
    the routes' group_by (with_group_labels).

    A label some SLO's alerts set to a fixed value of their own (a tier's `labels`, the
    alerting labels) is left out of the group labels: the page and the ticket of one SLO can
    differ in it, and `equal` would then never hold."""
    slos = [slo for service in catalog.services for slo in service.slos]
    thresholds = {p.consumed_text: p.consumed or 0.0 for slo in slos for p in slo.alerting.consumed_policies()}
    horizons = {p.exhausts_within_text: p.exhausts_within or 0 for slo in slos
                for p in slo.alerting.exhaustion_policies()}
    fixed = {name for slo in slos for name, _ in slo.alerting.labels}
    fixed |= {name for slo in slos for tier in slo.alerting.tiers for name, _ in tier.labels}
    grouped = {label for slo in slos for label in slo.sli.group_by}
    # Journey alerts carry slo_journey instead of slo_service/slo_name: one journey's page must
    # not silence another journey's ticket (both lack slo_service). Their notifications are apart
    # already: each journey's alerts have a name of their own (conventions.journey_alert_name).
    thresholds |= {p.consumed_text: p.consumed or 0.0 for j in catalog.journeys if j.alerting
                   for p in j.alerting.consumed_policies()}
    journeys = {c.LABEL_JOURNEY} if catalog.journeys else set()
    return AlertScope(tuple(sorted((grouped - fixed - c.ALERT_LABELS) | journeys)),
                      tuple(sorted(thresholds, key=thresholds.__getitem__)),
                      tuple(sorted(grouped - c.ALERT_LABELS)),
                      tuple(sorted(horizons, key=lambda h: -horizons[h])))


def with_group_labels(group_by: tuple[str, ...] | list[str], scope: AlertScope) -> list[str]:
    """A group_by that keeps each SLO apart (lists slo_name) keeps each group of a grouped SLO
    apart too: the catalog's group labels are added, so the pages of routes /a and /b notify
    apart, as their inhibition is per route. A label an alert lacks groups as empty, so other
    SLOs' group labels change nothing for it. A coarser group_by (no slo_name: several SLOs in
    one notification on purpose) and `...` (every label already) are kept as written."""
    if c.LABEL_SLO not in group_by or "..." in group_by:
        return list(group_by)
    return [*group_by, *(label for label in scope.grouping_labels if label not in group_by)]


def tier_matcher(tier: str) -> Matcher:
    return Matcher(c.LABEL_TIER, "=", tier)


def subtree(routing: Routing, teams: tuple[Team, ...] | None = None,
            scope: AlertScope = AlertScope()) -> Subtree:
    chosen = routing.teams if teams is None else teams
    names = "|".join(t.name for t in chosen)
    route: Config = {
        "matchers": [Matcher(c.LABEL_TEAM, "=~", names).text,
                     Matcher(c.LABEL_TIER, "=~", "|".join(c.TIERS)).text],
        "group_by": with_group_labels(routing.group_by, scope),
    }
    route.update(_options(dict(routing.options)))
    route["routes"] = [team_route(routing, team, scope) for team in chosen]
    receivers = sorted((r for team in chosen for r in team_receivers(team)), key=lambda r: r["name"])
    # The whole config defines every named interval; a single team's part only those it uses.
    used = {name for team in chosen for name in intervals_used(routing, team)}
    intervals = tuple({"name": t.name, "time_intervals": [dict(r) for r in t.ranges]}
                      for t in routing.time_intervals if teams is None or t.name in used)
    return Subtree(route, tuple(receivers), tuple(i.config() for i in inhibitions(scope)), intervals)


def tier_options(routing: Routing, team: Team, tier: str, override: Destination | None = None) -> Config:
    """Defaults for the tier, refined by the team's tier, refined by an override's tier."""
    merged = routing.tier_default(tier)
    merged.update(dict(team.tier(tier).options))
    if override is not None:
        merged.update(dict(override.options))
    return merged


def team_routes(routing: Routing, team: Team,
                scope: AlertScope = AlertScope()) -> list[tuple[tuple[Matcher, ...], str, Config]]:
    """(matchers, receiver, options) of each leaf route of a team, in match order; a group_by
    of a tier gets the catalog's group labels as the subtree's does (with_group_labels)."""
    out = []
    for override in team.overrides:
        for tier, destination in override.tiers:
            out.append((override.matchers + (tier_matcher(tier),),
                        c.receiver_name(team.name, tier, override.name),
                        tier_options(routing, team, tier, destination)))
    for tier in c.TIERS:
        out.append(((tier_matcher(tier),), c.receiver_name(team.name, tier), tier_options(routing, team, tier)))
    for _, _, options in out:
        if "group_by" in options:
            options["group_by"] = tuple(with_group_labels(options["group_by"], scope))
    return out


def team_route(routing: Routing, team: Team, scope: AlertScope = AlertScope()) -> Config:
    routes = []
    for matchers, receiver, options in team_routes(routing, team, scope):
        route: Config = {"matchers": [m.text for m in matchers], "receiver": receiver}
        route.update(_options(options))
        routes.append(route)
    return {"matchers": [Matcher(c.LABEL_TEAM, "=", team.name).text], "routes": routes}


def team_destinations(team: Team) -> list[tuple[str, Destination]]:
    out = [(c.receiver_name(team.name, tier, o.name), d) for o in team.overrides for tier, d in o.tiers]
    out += [(c.receiver_name(team.name, tier), team.tier(tier)) for tier in c.TIERS]
    return out


def team_receivers(team: Team) -> list[Config]:
    out = []
    for name, destination in team_destinations(team):
        receiver: Config = {"name": name}
        for integration in destination.integrations:
            receiver.setdefault(f"{integration.kind}_configs", []).append(integration_config(integration))
        out.append(receiver)
    return out


def integration_config(integration: Integration) -> Config:
    """Spec fields are Alertmanager's own names; a webhook's token file goes into http_config."""
    config: Config = {k: plain(v) for k, v in integration.settings}
    for secret in integration.secrets:
        if integration.kind == "webhook" and secret.field == "credentials_file":
            config["http_config"] = {"authorization": {"type": "Bearer", "credentials_file": secret.path}}
        else:
            config[secret.field] = secret.path
    return dict(sorted(config.items()))


def intervals_used(routing: Routing, team: Team) -> set[str]:
    """The time intervals a team's routes mute or activate."""
    used: set[str] = set()
    for _, _, options in team_routes(routing, team):
        used |= set(options.get("mute_time_intervals", ())) | set(options.get("active_time_intervals", ()))
    return used


def _options(options: Config) -> Config:
    return {name: plain(options[name]) for name in ROUTE_OPTIONS if name in options}


def plain(value: Any) -> Any:
    """Model values (tuples) as config values (lists), all the way down."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def receiver_for(routing: Routing, labels: dict[str, str]) -> str | None:
    """The receiver sloforge's subtree gives an alert with these labels: its team's first leaf
    route whose matchers all match (Alertmanager's order; no `continue` in the subtree). None
    when the alert's team has no routes here. Read from the model, like amtool's answer for
    the subtree (routes explain asks amtool itself, over the merged config)."""
    team = routing.team(labels.get(c.LABEL_TEAM, ""))
    if team is None or labels.get(c.LABEL_TIER) not in c.TIERS:
        return None
    return next((receiver for matchers, receiver, _ in team_routes(routing, team)
                 if all(m.matches(labels) for m in matchers)), None)
