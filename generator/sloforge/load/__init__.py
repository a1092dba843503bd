"""Input formats: each claims documents by apiVersion/kind and maps them into the model.

A format is a module with `NAME`, `claims(document) -> bool` and
`services_from(documents) -> (services, problems)`; adding one is one module and
one line in FORMATS.
"""

from __future__ import annotations

from types import ModuleType

from sloforge.load import native_format, routing

FORMATS: list[ModuleType] = [native_format, routing]
