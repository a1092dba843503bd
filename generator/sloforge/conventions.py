"""Every metric, label, group and file name sloforge emits, in one place.

These names are a public contract: Alertmanager routes, Grafana dashboards and
users' own queries depend on them. Extend, never rename.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Labels carried by every generated series and alert.
LABEL_SERVICE = "slo_service"
LABEL_SLO = "slo_name"
LABEL_WINDOW = "slo_window"
# Alerts only.
LABEL_TIER = "slo_severity"  # "page" | "ticket": fixed, for routing and inhibition
LABEL_SEVERITY = "severity"  # user-facing, overridable per spec
LABEL_TEAM = "team"
LABEL_BUDGET_CONSUMED = "slo_budget_consumed"  # on budget alerts: "75%"
# On budget alerts of an `exhausts_within` policy: "3d" (the forecast horizon it fires within).
LABEL_BUDGET_EXHAUSTS_WITHIN = "slo_budget_exhausts_within"
# The kind of alert, on every alert: inhibition stays within one kind (a budget page that
# fires for weeks must not silence the same SLO's burn-rate tickets).
LABEL_ALERT_KIND = "slo_alert_kind"
ALERT_KIND_BURN_RATE = "burn-rate"  # multi-window burn-rate tiers (…ErrorBudgetBurn)
# budget policy: this much consumed (…ErrorBudgetConsumed), or runs out soon (…ErrorBudgetExhaustion)
ALERT_KIND_BUDGET = "budget"
ALERT_KIND_NO_DATA = "no-data"  # the SLI recorded nothing for `absent` (…SLINoData)
ALERT_KINDS = (ALERT_KIND_BURN_RATE, ALERT_KIND_BUDGET, ALERT_KIND_NO_DATA)
# Set by every alert itself (or by every budget alert): a page and a ticket of one SLO can differ in them.
ALERT_LABELS = frozenset({LABEL_SEVERITY, LABEL_TEAM, LABEL_TIER, LABEL_BUDGET_CONSUMED,
                          LABEL_BUDGET_EXHAUSTS_WITHIN, LABEL_ALERT_KIND})

TIERS = ("page", "ticket")
DEFAULT_SEVERITY = {"page": "critical", "ticket": "warning"}

# Recorded series of the contract.
ERROR_RATIO = "slo:sli_error:ratio_rate{window}"
OBJECTIVE = "slo:objective:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
CURRENT_BURN_RATE = "slo:current_burn_rate:ratio"
PERIOD_BURN_RATE = "slo:period_burn_rate:ratio"
PERIOD_BUDGET_REMAINING = "slo:period_error_budget_remaining:ratio"
# Seconds until the period's error budget runs out at the recent (1d) burn rate; absent when
# that burn cannot exhaust it, 0 once it is exhausted (compile/rules/forecast.py).
PERIOD_BUDGET_EXHAUSTION = "slo:period_error_budget_exhaustion:seconds"
INFO = "slo:info"

# User journeys (kind: Journey): the probability that every step succeeds, per window.
# Names of their own, so that queries and dashboards over the SLO series above never
# meet a journey's series; every journey series carries LABEL_JOURNEY (and, windowed,
# LABEL_WINDOW), every journey alert LABEL_JOURNEY and the alert labels above.
LABEL_JOURNEY = "slo_journey"
JOURNEY_ERROR_RATIO = "slo:journey_error:ratio_rate{window}"
JOURNEY_OBJECTIVE = "slo:journey_objective:ratio"
JOURNEY_ERROR_BUDGET = "slo:journey_error_budget:ratio"
JOURNEY_CURRENT_BURN_RATE = "slo:journey_current_burn_rate:ratio"
JOURNEY_PERIOD_BURN_RATE = "slo:journey_period_burn_rate:ratio"
JOURNEY_PERIOD_BUDGET_REMAINING = "slo:journey_period_error_budget_remaining:ratio"
JOURNEY_INFO = "slo:journey_info"  # one per step: slo_journey, slo_service, slo_name, slo_step (1, 2, ...)
LABEL_STEP = "slo_step"  # on slo:journey_info only: the step's position in the journey

# Building blocks for the traffic-weighted long windows (an extension of the
# contract): per-second rates of bad and of all events over 5m, and their 1h
# averages from which the period ratio is summed.
ERROR_EVENTS = "slo:sli_error_events:rate{window}"
TOTAL_EVENTS = "slo:sli_total_events:rate{window}"

# The window every SLI is read from raw metrics at; everything longer is summed
# from series recorded at this window.
BASE_WINDOW_SECONDS = 300
# The recent burn rate the exhaustion forecast extrapolates is read over this window (or the
# period, when shorter); see compile/rules/forecast.py for why a day.
FORECAST_WINDOW_SECONDS = 86400

# Granularity of the period sum (see compile/rules/recording.py).
PERIOD_STEP_SECONDS = 3600

# Evaluation interval of the generated rule groups.
GROUP_INTERVAL = "1m"
# Rules reading windows of this length or longer (1d, 3d, the period) run in a
# second group at a slower interval (see compile/rules/groups.py).
LONG_WINDOW_SECONDS = 86400
LONG_GROUP_INTERVAL = "3m"


def error_ratio(window: str) -> str:
    return ERROR_RATIO.format(window=window)


def journey_error_ratio(window: str) -> str:
    return JOURNEY_ERROR_RATIO.format(window=window)


def error_events(window: str) -> str:
    return ERROR_EVENTS.format(window=window)


def total_events(window: str) -> str:
    return TOTAL_EVENTS.format(window=window)


# Service and SLO names in file, group, uid and object names. A native name is used as it
# is; Sloth also allows capitals and dots (`Svc01`, `slo.02`), which keep their spelling in
# label values but become lowercase and "-" in names (two names that become one are an
# error when specs load).
_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


@lru_cache(maxsize=4096)
def file_name(name: str) -> str:
    """svc01 -> svc01, Svc01 -> svc01, slo.02 -> slo-02."""
    if _SAFE_NAME.fullmatch(name):
        return name
    return re.sub(r"[^a-z0-9_-]", "-", name.lower())


def group_name(service: str, slo: str) -> str:
    return f"sloforge-{file_name(service)}-{file_name(slo)}"


def long_group_name(service: str, slo: str) -> str:
    return f"{group_name(service, slo)}-long"


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
    return f"prometheus/{file_name(service)}.yml"


def kubernetes_rule_file(service: str) -> str:
    return f"kubernetes/prometheusrule-{file_name(service)}.yml"


# Grafana dashboards: stable uids (re-imports update in place) and file names.
DASHBOARD_UID_PREFIX = "slo-"
OVERVIEW_DASHBOARD_UID = "slo-overview"
DASHBOARD_UID_MAX = 40  # Grafana's limit


def dashboard_uid(service: str) -> str:
    """slo-<service>, or for names too long for a uid a prefix plus a hash of the name."""
    service = file_name(service)
    uid = DASHBOARD_UID_PREFIX + service
    if len(uid) <= DASHBOARD_UID_MAX:
        return uid
    import hashlib

    digest = hashlib.sha256(service.encode()).hexdigest()[:9]
    keep = DASHBOARD_UID_MAX - len(DASHBOARD_UID_PREFIX) - len(digest) - 1
    return f"{DASHBOARD_UID_PREFIX}{service[:keep]}-{digest}"


def dashboard_file(service: str) -> str:
    return f"grafana/{file_name(service)}.json"


def overview_dashboard_file() -> str:
    return "grafana/slo-overview.json"


def kubernetes_dashboard_file(uid: str) -> str:
    return f"kubernetes/grafana-dashboard-{uid}.yml"


# SLO documents (outputs/docs.py): one Markdown file per service and an index, the same
# for every --target (they are read by people on a code host, not loaded by a server).
DOCS_DIR = "docs"
DOCS_INDEX_FILE = f"{DOCS_DIR}/README.md"


def slo_document_file(service: str) -> str:
    return f"{DOCS_DIR}/{file_name(service)}.md"


def mimir_namespace(service: str) -> str:
    """One ruler namespace per service: `mimirtool rules load` replaces a namespace as a whole."""
    return f"sloforge-{file_name(service)}"


def mimir_rule_file(service: str) -> str:
    return f"mimir/{mimir_namespace(service)}.yml"


# A journey's rules, tests and objects are named as a service `journey-<name>` would be (its
# rule file prometheus/journey-<name>.yml, its PrometheusRule, its Mimir namespace): the loader
# refuses a service of that name, so the two never share a file.
JOURNEY_PREFIX = "journey-"


def journey_unit(journey: str) -> str:
    """checkout -> journey-checkout: the name a journey's files and objects are made from."""
    return f"{JOURNEY_PREFIX}{journey}"


def journey_group_name(journey: str) -> str:
    return f"sloforge-{journey_unit(file_name(journey))}"


def journey_long_group_name(journey: str) -> str:
    return f"{journey_group_name(journey)}-long"


def journey_alert_name(journey: str) -> str:
    """checkout -> CheckoutJourneyErrorBudgetBurn."""
    return f"{camel(journey)}JourneyErrorBudgetBurn"


def journey_selector(journey: str) -> str:
    return f'{LABEL_JOURNEY}="{journey}"'


def selector(service: str, slo: str) -> str:
    """The label matchers that pick one SLO's recorded series."""
    return f'{LABEL_SERVICE}="{service}", {LABEL_SLO}="{slo}"'


# JSON Schemas for editors, one per native document kind: kind -> (packaged schema, file name).
# `sloforge init` and `sloforge schema --write DIR` put them next to the specs, whose first line
# `# yaml-language-server: $schema=<file name>` points at them.
SCHEMA_FILES = {
    "ServiceLevels": ("native", "service-levels.schema.json"),
    "Routing": ("routing", "routing.schema.json"),
    "BudgetPolicy": ("budget_policy", "budget-policy.schema.json"),
    "Journey": ("journey", "journey.schema.json"),
}


def schema_comment(kind: str, prefix: str = "") -> str:
    """The first line of a spec of `kind` whose schema file is at `prefix` + its name."""
    return f"# yaml-language-server: $schema={prefix}{SCHEMA_FILES[kind][1]}"


# The list of files sloforge wrote into a folder (write.py): a folder holding one is
# sloforge's, so spec discovery never reads it (load/documents.py).
MANIFEST_FILE = ".sloforge-manifest.json"


# Alertmanager output (issue 8): file names and receiver names are a contract too
# (users' dashboards and silences refer to receivers).
ALERTMANAGER_FILE = "alertmanager/alertmanager.yml"
RECEIVER_PREFIX = "sloforge-"


def kubernetes_alertmanager_file(team: str) -> str:
    return f"kubernetes/alertmanagerconfig-{team}.yml"


def receiver_name(team: str, tier: str, override: str | None = None) -> str:
    """sloforge-payments-page, sloforge-payments-checkout-ticket."""
    middle = f"{team}-{override}" if override else team
    return f"{RECEIVER_PREFIX}{middle}-{tier}"


# promtool unit tests: below the plain rule files they load, or, beside rule files promtool
# cannot load (Kubernetes objects, Mimir namespace files), in a folder of their own with a
# plain copy of the groups, outside the folder that `kubectl apply -R`, GitOps tools or
# mimirtool sync. Which applies is the packaging's (sloforge/packaging/).
PROMETHEUS_TESTS_DIR = "prometheus/tests"
KUBERNETES_TESTS_DIR = "kubernetes-tests"
MIMIR_TESTS_DIR = "mimir-tests"


def unit_test_file(service: str, folder: str = PROMETHEUS_TESTS_DIR) -> str:
    return f"{folder}/{file_name(service)}.test.yml"


def unit_test_rules_file(service: str, folder: str) -> str:
    """The service's rule groups as a plain file promtool can load, for its tests."""
    return f"{folder}/{file_name(service)}.rules.yml"
