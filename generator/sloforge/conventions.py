"""Every metric, label, group and file name sloforge emits, in one place.

These names are a public contract: Alertmanager routes, Grafana dashboards and
users' own queries depend on them. Extend, never rename.
"""

from __future__ import annotations

# Labels carried by every generated series and alert.
LABEL_SERVICE = "slo_service"
LABEL_SLO = "slo_name"
LABEL_WINDOW = "slo_window"
# Alerts only.
LABEL_TIER = "slo_severity"  # "page" | "ticket": fixed, for routing and inhibition
LABEL_SEVERITY = "severity"  # user-facing, overridable per spec
LABEL_TEAM = "team"

TIERS = ("page", "ticket")
DEFAULT_SEVERITY = {"page": "critical", "ticket": "warning"}

# Recorded series of the contract.
ERROR_RATIO = "slo:sli_error:ratio_rate{window}"
OBJECTIVE = "slo:objective:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"
PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
PERIOD_BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"
INFO = "slo:info"

# Building blocks for the traffic-weighted long windows (an extension of the
# contract): per-second rates of bad and of all events over 5m, and their 1h
# averages from which the period ratio is summed.
ERROR_EVENTS = "slo:sli_error_events:rate{window}"
TOTAL_EVENTS = "slo:sli_total_events:rate{window}"

# The window every SLI is read from raw metrics at; everything longer is summed
# from series recorded at this window.
BASE_WINDOW_SECONDS = 300
# Granularity of the period sum (see compile/rules.py).
PERIOD_STEP_SECONDS = 3600

# Evaluation interval of the generated rule groups.
GROUP_INTERVAL = "1m"


def error_ratio(window: str) -> str:
    return ERROR_RATIO.format(window=window)


def error_events(window: str) -> str:
    return ERROR_EVENTS.format(window=window)


def total_events(window: str) -> str:
    return TOTAL_EVENTS.format(window=window)


def group_name(service: str, slo: str) -> str:
    return f"sloforge-{service}-{slo}"


def alert_name(service: str, slo: str) -> str:
    """CamelCase per the monitoring-mixins convention: checkout/availability ->
    CheckoutAvailabilityErrorBudgetBurn."""
    return f"{camel(service)}{camel(slo)}ErrorBudgetBurn"


def camel(name: str) -> str:
    parts = [p for p in _split_words(name) if p]
    return "".join(p[:1].upper() + p[1:] for p in parts)


def _split_words(name: str) -> list[str]:
    out, word = [], ""
    for ch in name:
        if ch.isalnum():
            word += ch
        else:
            out.append(word)
            word = ""
    out.append(word)
    return out


def rule_file(service: str) -> str:
    return f"prometheus/{service}.yml"


def kubernetes_rule_file(service: str) -> str:
    return f"kubernetes/prometheusrule-{service}.yml"


def selector(service: str, slo: str) -> str:
    """The label matchers that pick one SLO's recorded series."""
    return f'{LABEL_SERVICE}="{service}", {LABEL_SLO}="{slo}"'


def unit_test_file(service: str, target: str = "prometheus") -> str:
    """promtool unit tests. prometheus: in tests/ below the rule files they load;
    kubernetes: outside kubernetes/, so `kubectl apply -R` and GitOps tools that
    sync that folder never see a file that is not a Kubernetes object."""
    if target == "kubernetes":
        return f"kubernetes-tests/{service}.test.yml"
    return f"{target}/tests/{service}.test.yml"


def unit_test_rules_file(service: str) -> str:
    """kubernetes target: the PrometheusRule's groups as a plain file promtool can load."""
    return f"kubernetes-tests/{service}.rules.yml"
