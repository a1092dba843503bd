"""Rule files: one per service and one per journey (named as a service `journey-<name>`
would be: conventions.journey_unit), packaged as the packaging says (a plain Prometheus
rule file, a PrometheusRule object, a Mimir namespace file)."""

from __future__ import annotations

from sloforge import conventions as c
from sloforge.model.catalog import Catalog
from sloforge.model.journey import Journey
from sloforge.outputs.base import Context, OutputFile, Unit
from sloforge.render.files import yaml_file

# Journeys' rule files are the catalog files: they depend on the services and the journeys
# alone (incremental/produce.py keys them on both).
CATALOG_FILES_FROM_SERVICES = True


def files(catalog: Catalog, context: Context) -> list[OutputFile]:
    """Every rule file of the catalog, rendered afresh."""
    return ([f for s in catalog.services if s.slos for f in service_files(Unit.of(s, context), context)]
            + catalog_files(catalog, context))


def service_files(unit: Unit, context: Context) -> list[OutputFile]:
    service = unit.service
    groups: dict[str, object] = {"groups": unit.groups}
    sources = [service.source]
    plain = yaml_file(groups, sources)
    packaging = context.packaging
    wrapped = packaging.wrap_rules(service.name, groups, context.settings)
    text = plain if wrapped is None else yaml_file(wrapped, sources)
    return [OutputFile(packaging.rule_file(service.name), text, (service.source,), rules_text=plain)]


def catalog_files(catalog: Catalog, context: Context) -> list[OutputFile]:
    """One rule file per journey."""
    out = []
    for journey in catalog.journeys:
        groups: dict[str, object] = {"groups": journey_groups(journey, catalog, context)}
        out.append(_packaged(c.journey_unit(journey.name), groups, journey.source, context))
    return out


def journey_groups(journey: Journey, catalog: Catalog, context: Context) -> list[dict[str, object]]:
    from sloforge.compile.rules.journeys import compile_journey, rule_groups, steps_of

    labels = context.packaging.alert_labels(context.settings)
    return rule_groups(journey, compile_journey(journey, steps_of(journey, catalog), labels))


def _packaged(name: str, groups: dict[str, object], source: str, context: Context) -> OutputFile:
    sources = [source]
    plain = yaml_file(groups, sources)
    packaging = context.packaging
    wrapped = packaging.wrap_rules(name, groups, context.settings)
    text = plain if wrapped is None else yaml_file(wrapped, sources)
    return OutputFile(packaging.rule_file(name), text, (source,), rules_text=plain)
