"""Input formats: each claims documents by apiVersion/kind and maps them into the model.

A format is a module with `NAME`, `EXPECTED`, `claims(document) -> bool` and
`services_from(documents) -> (services, problems)`; adding one is one module and
one line in FORMATS (module paths, imported on first use). A format may also
define `transform(documents, services) -> (services, problems)`, run after every
format has produced its services (e.g. BudgetPolicy documents that fill in the
budget policy of a team's SLOs).
"""

from __future__ import annotations

import importlib
from types import ModuleType

FORMATS: list[str] = [
    "sloforge.load.formats.native_format",
    "sloforge.load.overlays.routing",
    "sloforge.load.overlays.budget_policy",
    "sloforge.load.formats.sloth",
    "sloforge.load.formats.openslo.slos",
]


def all_formats() -> list[ModuleType]:
    return [importlib.import_module(name) for name in FORMATS]
