"""Shipped promtool unit tests, where the packaging puts them.

Plain rule files: out/prometheus/tests/<service>.test.yml, loading the rule file
next to them (`../<service>.yml`). A PrometheusRule manifest or a Mimir namespace
file is not a file promtool can load, so those packagings also write the
service's rule groups as `<packaging>-tests/<service>.rules.yml` (the same groups
the object carries) for their tests, in `<packaging>-tests/`, to load.
"""

from __future__ import annotations

import posixpath

from sloforge.compile.rules.unit_tests import test_file
from sloforge.model.catalog import Catalog
from sloforge.outputs.base import Context, OutputFile, Unit
from sloforge.render.files import yaml_file

# Journeys' tests are the catalog files: they depend on the services and journeys alone.
CATALOG_FILES_FROM_SERVICES = True


def service_files(unit: Unit, context: Context) -> list[OutputFile]:
    service = unit.service
    packaging = context.packaging
    out = []
    sources = [service.source]
    groups = unit.groups
    test_path = packaging.unit_test_file(service.name)
    rules_path = packaging.unit_test_rules_file(service.name)
    if rules_path is not None:
        out.append(OutputFile(rules_path, yaml_file({"groups": groups}, sources), (service.source,)))
    else:
        rules_path = packaging.rule_file(service.name)
    relative = posixpath.relpath(rules_path, posixpath.dirname(test_path))
    order = [str(g["name"]) for g in groups]
    out.append(OutputFile(test_path, yaml_file(test_file(service.slos, relative, order, unit.alerting), sources),
                          (service.source,)))
    return out


def catalog_files(catalog: Catalog, context: Context) -> list[OutputFile]:
    """One test file per journey, beside (or with a plain copy of) the journey's rule file."""
    from sloforge import conventions as c
    from sloforge.compile.rules.journey_tests import journey_test_file
    from sloforge.compile.rules.journeys import steps_of
    from sloforge.outputs.rules import journey_groups

    packaging = context.packaging
    out = []
    for journey in catalog.journeys:
        unit, sources = c.journey_unit(journey.name), [journey.source]
        groups = journey_groups(journey, catalog, context)
        test_path = packaging.unit_test_file(unit)
        rules_path = packaging.unit_test_rules_file(unit)
        if rules_path is not None:
            out.append(OutputFile(rules_path, yaml_file({"groups": groups}, sources), (journey.source,)))
        else:
            rules_path = packaging.rule_file(unit)
        relative = posixpath.relpath(rules_path, posixpath.dirname(test_path))
        order = [str(g["name"]) for g in groups]
        test = journey_test_file(journey, steps_of(journey, catalog), relative, order)
        out.append(OutputFile(test_path, yaml_file(test, sources), (journey.source,)))
    return out
