"""Rule groups: two per SLO, so rulers can evaluate (and shard) SLOs in parallel.

`sloforge-<service>-<slo>` runs every minute: the raw 5m rates, the short
windows, the hourly averages and every alert that reads only those.
`sloforge-<service>-<slo>-long` runs every 3 minutes: the windows of a day or
more, the period ratio, the series built on them, and the alerts that read
them (by default the ticket tier and the budget policy). A 1d or 3d window is
the bulk of an SLO's evaluation cost (thousands of samples per run) and moves
by well under 0.3% in 3 minutes, so evaluating it a third as often costs the
alerts that read it at most one extra interval of detection time (3m), while
the page tier keeps its 1m evaluation. 3m divides the ticket tier's 15m `for`,
and stays under Prometheus' 5m lookback, so the long series never go stale.
Splitting also keeps each group under Mimir's default 20 rules per group.

Rules in one group run in order; a group only ever reads its own earlier
results or the fast group's series, which are at most a minute old.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from sloforge import conventions as c
from sloforge import durations
from sloforge.compile.rules.alerts import alerting_rules
from sloforge.compile.rules.recording import BASE, recording_rules
from sloforge.compile.rules.rule import AlertingRule, RecordingRule, Rule
from sloforge.errors import Problem, SpecError
from sloforge.model.catalog import Service, Slo

# A window named in a recorded-series matcher, or the range after one. The range
# pattern starts with the literal `slo:` and checks the word boundary before it
# afterwards: a leading \b keeps `re` from skipping ahead to candidate matches (10x slower).
_WINDOW_MATCHER = re.compile(rf'{c.LABEL_WINDOW}="([0-9a-z]+)"')
_RECORDED_RANGE = re.compile(r'slo:(?<!\wslo:)[a-zA-Z0-9_:]+\{[^}]*\}\[([0-9a-z]+)[]:]')


CompiledSlo = tuple[list[RecordingRule], list[AlertingRule]]  # (recording rules, alerting rules) of one SLO


def compile_slo(slo: Slo) -> CompiledSlo:
    return recording_rules(slo), alerting_rules(slo)


def with_alert_labels(service: Service, compiled: list[CompiledSlo],
                      extra: Mapping[str, str]) -> list[CompiledSlo]:
    """`compiled` with `extra` set on every alert (the packaging's own labels, such as the
    namespace the Prometheus Operator matches). An SLO whose alerts carry one of these labels
    already (a spec label, or a label its SLI groups by) is a SpecError: overwriting it would
    merge alerts, or send them where the spec did not say."""
    problems = []
    out: list[CompiledSlo] = []
    for index, (slo, (recording, alerting)) in enumerate(zip(service.slos, compiled, strict=True)):
        for name, value in extra.items():
            own = {rule.labels[name] for rule in alerting if name in rule.labels} - {value}
            if name in slo.sli.group_by or own:
                why = (f"its SLI groups by '{name}'" if name in slo.sli.group_by
                       else f"its alerts set {name}={sorted(own)[0]!r}")
                problems.append(Problem(service.source, None, f"slos[{index}]", f"SLO '{slo.name}': {why}, "
                                        f"but this target sets {name}={value!r} on every alert (see "
                                        f"docs/routing.md, Kubernetes); rename that label (label_replace "
                                        f"in the SLI, or another label name)"))
        out.append((recording, [replace(rule, labels=dict(sorted({**rule.labels, **extra}.items())))
                                for rule in alerting]))
    if problems:
        raise SpecError(problems)
    return out


def rule_groups(service: Service, compiled: list[CompiledSlo] | None = None) -> list[dict[str, object]]:
    """`compiled`: compile_slo() of each of the service's SLOs, when the caller has them."""
    if compiled is None:
        compiled = [compile_slo(slo) for slo in service.slos]
    groups: list[dict[str, object]] = []
    for slo, (recording, alerting) in zip(service.slos, compiled, strict=True):
        fast, slow = split([r.as_dict() for r in recording] + [r.as_dict() for r in alerting])
        groups.append({"name": c.group_name(slo.service, slo.name), "interval": c.GROUP_INTERVAL,
                       "rules": fast})
        if slow:
            groups.append({"name": c.long_group_name(slo.service, slo.name),
                           "interval": c.LONG_GROUP_INTERVAL, "rules": slow})
    return groups


def split(rules: list[Rule]) -> tuple[list[Rule], list[Rule]]:
    """(fast, slow): a rule is slow when the longest window it reads is a day or more."""
    fast: list[Rule] = []
    slow: list[Rule] = []
    for rule in rules:
        (slow if _reads(rule) >= c.LONG_WINDOW_SECONDS else fast).append(rule)
    return fast, slow


def interval_seconds(rule: Rule) -> int:
    """How often the rule is evaluated: the interval of the group split() puts it in."""
    slow = _reads(rule) >= c.LONG_WINDOW_SECONDS
    return durations.parse(c.LONG_GROUP_INTERVAL if slow else c.GROUP_INTERVAL)


def _reads(rule: Rule) -> int:
    """longest_window(rule), without scanning the PromQL of recording rules.

    A recording rule reads nothing longer than the window it records: a 1d ratio
    sums 5m rates over [1d], the period ratio sums 1h averages over [30d:1h], and
    the ones without a window are constants (objective, budget, info). The scan
    cost more than compiling the rules; tests/scale checks every generated rule's
    group against it."""
    if "record" in rule:
        own = rule["labels"].get(c.LABEL_WINDOW)  # type: ignore[attr-defined]
        return durations.parse(own) if own is not None else 0
    return longest_window(rule)


def longest_window(rule: Rule) -> int:
    labels = rule.get("labels", {})
    own = labels.get(c.LABEL_WINDOW) if isinstance(labels, dict) and "record" in rule else None
    if own is not None and durations.parse(own) <= BASE:
        return durations.parse(own)  # read from raw metrics: always in the fast group
    expr = str(rule["expr"])
    windows = _WINDOW_MATCHER.findall(expr) + _RECORDED_RANGE.findall(expr) + ([own] if own else [])
    return max((durations.parse(w) for w in windows), default=0)

