"""Shipped promtool unit tests: out/prometheus/tests/<service>.test.yml (other targets: <target>-tests/).

The prometheus target's tests load the rule file next to them (`../<service>.yml`).
A PrometheusRule manifest or a Mimir namespace file is not a file promtool can
load, so those targets also write the service's rule groups as
`<target>-tests/<service>.rules.yml` (the same groups the object carries) for
their tests to load.
"""

from __future__ import annotations

import posixpath

from sloforge import conventions as c
from sloforge.compile.rules.unit_tests import test_file
from sloforge.outputs import OutputFile, Settings, Unit
from sloforge.render.files import yaml_file


def service_files(unit: Unit, settings: Settings, target: str) -> list[OutputFile]:
    service = unit.service
    out = []
    sources = [service.source]
    groups = unit.groups
    test_path = c.unit_test_file(service.name, target)
    if target != "prometheus":
        rules_path = c.unit_test_rules_file(service.name, target)
        out.append(OutputFile(rules_path, yaml_file({"groups": groups}, sources), (service.source,)))
    else:
        rules_path = c.rule_file(service.name)
    relative = posixpath.relpath(rules_path, posixpath.dirname(test_path))
    order = [str(g["name"]) for g in groups]
    out.append(OutputFile(test_path, yaml_file(test_file(service.slos, relative, order, unit.alerting), sources),
                          (service.source,)))
    return out
