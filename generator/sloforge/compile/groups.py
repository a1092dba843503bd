"""Rule groups: one per SLO, so rulers can evaluate (and shard) SLOs in parallel."""

from __future__ import annotations

from sloforge import conventions as c
from sloforge.compile.alerts import alerting_rules
from sloforge.compile.rules import recording_rules
from sloforge.model import Service


def rule_groups(service: Service) -> list[dict[str, object]]:
    return [
        {
            "name": c.group_name(slo.service, slo.name),
            "interval": c.GROUP_INTERVAL,
            "rules": recording_rules(slo) + alerting_rules(slo),
        }
        for slo in service.slos
    ]
