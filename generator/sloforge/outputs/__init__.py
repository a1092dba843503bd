"""The producers of output and the registry of them.

A *producer* is one kind of output (rule files, promtool tests, Alertmanager
config, dashboards): a module implementing `Producer` (outputs/base.py), which
asks the run's *packaging* (`--target`, sloforge/packaging/) how to package its
files. A new kind of output is one module and one entry in producers(); a new
packaging is one class in sloforge/packaging/ and one entry in its registry.

Outputs are produced service by service (`service_files`): a service is compiled
once (`Unit.groups`) and every producer packages that one result, so the caller
can check and keep each file's text as it comes (and skip services that have
not changed) instead of holding every intermediate structure.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from sloforge.outputs.base import Context, OutputFile, Producer, Settings, Unit

if TYPE_CHECKING:
    from sloforge.model.catalog import Catalog, Service

__all__ = ["Context", "OutputFile", "Producer", "Progress", "Settings", "Unit", "catalog_files",
           "catalog_producers", "files", "producers", "render_key", "service_files", "services"]


@cache
def producers() -> dict[str, Producer]:
    """Every producer by name. Imported on first use: the compilers pull in Jinja2 and the
    PromQL parser, which `sloforge validate` (the pre-commit path) never needs."""
    from sloforge.outputs import alertmanager, docs, grafana, rules, unit_tests

    return {"rules": rules, "grafana": grafana, "alertmanager": alertmanager, "unit_tests": unit_tests,
            "docs": docs}


Progress = Callable[[int, int], None]  # (services done, services in all)


def services(catalog: Catalog) -> list[Service]:
    """The services that get files of their own (never an empty rule file)."""
    return [s for s in catalog.services if s.slos]


def render_key(service_fingerprint: str, context: Context) -> tuple[str, ...]:
    """Everything a service's files depend on: the service's whole value (its fingerprint,
    see cache.py), the packaging and the settings (and sloforge's own code: cache.py)."""
    return ("service", context.packaging.name, repr(context.settings), service_fingerprint)


def service_files(service: Service, context: Context) -> list[OutputFile]:
    """Every producer's files for one service, compiled once."""
    unit = Unit.of(service, context)
    return [f for producer in producers().values() for f in producer.service_files(unit, context)]


def catalog_producers() -> list[tuple[str, bool]]:
    """(producer, whether its catalog files depend on the services alone) for each producer;
    only those that do can be skipped when no service changed."""
    return [(name, producer.CATALOG_FILES_FROM_SERVICES) for name, producer in producers().items()]


def catalog_files(catalog: Catalog, context: Context, producer: str | None = None) -> list[OutputFile]:
    """The files that span every service (the overview dashboard, Alertmanager routing),
    of every producer or only of `producer`."""
    return [f for name, module in producers().items() if producer in (None, name)
            for f in module.catalog_files(catalog, context)]


def files(catalog: Catalog, context: Context) -> list[OutputFile]:
    """Every output file, rendered afresh, by path."""
    out = [f for s in services(catalog) for f in service_files(s, context)]
    return sorted(out + catalog_files(catalog, context), key=lambda f: f.path)
