"""Shipped promtool unit tests: out/prometheus/tests/<service>.test.yml (other targets: <target>-tests/).

The prometheus target's tests load the rule file next to them (`../<service>.yml`).
A PrometheusRule manifest or a Mimir namespace file is not a file promtool can
load, so those targets also write the service's rule groups as
`<target>-tests/<service>.rules.yml` (the same groups the object carries) for
their tests to load.
"""

from __future__ import annotations

import posixpath
from functools import partial

from sloforge import conventions as c
from sloforge.cache import active
from sloforge.compile.groups import rule_groups
from sloforge.compile.unit_tests import test_file
from sloforge.model import Catalog, Service
from sloforge.render import yaml_file
from sloforge.targets import OutputFile, Settings


def files(catalog: Catalog, settings: Settings, target: str) -> list[OutputFile]:
    """Per service, reused from the incremental cache when the service is unchanged."""
    store = active()
    out: list[OutputFile] = []
    for service in catalog.services:
        if not service.slos:
            continue
        if store is None:
            out.extend(service_files(service, target))
        else:
            key = ("unit-tests", target, repr(service))
            out.extend(store.memo("rendered", key, partial(service_files, service, target)))
    return out


def service_files(service: Service, target: str) -> list[OutputFile]:
    out = []
    sources = [service.source]
    groups = rule_groups(service)
    test_path = c.unit_test_file(service.name, target)
    if target != "prometheus":
        rules_path = c.unit_test_rules_file(service.name, target)
        out.append(OutputFile(rules_path, yaml_file({"groups": groups}, sources), (service.source,)))
    else:
        rules_path = c.rule_file(service.name)
    relative = posixpath.relpath(rules_path, posixpath.dirname(test_path))
    order = [str(g["name"]) for g in groups]
    out.append(OutputFile(test_path, yaml_file(test_file(service.slos, relative, order), sources),
                          (service.source,)))
    return out
