"""Input formats: each claims documents by apiVersion/kind and maps them into the model.

A format is a module with `NAME`, `EXPECTED`, `claims(document) -> bool` and
`services_from(documents) -> (services, problems)`; adding one is one module and
one line in FORMATS (module paths, imported on first use).
"""

from __future__ import annotations

import importlib
from types import ModuleType

FORMATS: list[str] = [
    "sloforge.load.native_format",
    "sloforge.load.routing",
    "sloforge.load.sloth",
    "sloforge.load.openslo",
]


def formats() -> list[ModuleType]:
    return [importlib.import_module(name) for name in FORMATS]
