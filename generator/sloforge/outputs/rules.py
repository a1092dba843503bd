"""Rule files: one per service, packaged as the packaging says (a plain Prometheus rule
file, a PrometheusRule object, a Mimir namespace file)."""

from __future__ import annotations

from sloforge.model.catalog import Catalog
from sloforge.outputs.base import Context, OutputFile, Unit
from sloforge.render.files import yaml_file

# Rule files are per service only: no catalog files, nothing to redo when no service changed.
CATALOG_FILES_FROM_SERVICES = True


def files(catalog: Catalog, context: Context) -> list[OutputFile]:
    """Every rule file of the catalog, rendered afresh."""
    return [f for s in catalog.services if s.slos for f in service_files(Unit.of(s, context), context)]


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
    return []
