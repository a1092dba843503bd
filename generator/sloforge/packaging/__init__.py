"""The packagings (`--target`), by name: how output is packaged for where it is deployed.

A new packaging is a class implementing `Packaging` (packaging/base.py) in a module
of its own here, and one entry in `_ALL`; `--target` offers it from this registry.
"""

from __future__ import annotations

from sloforge.packaging.base import Packaging
from sloforge.packaging.kubernetes import Kubernetes
from sloforge.packaging.mimir import Mimir
from sloforge.packaging.plain import Plain

__all__ = ["PACKAGINGS", "Packaging"]

_ALL: tuple[Packaging, ...] = (Plain(), Kubernetes(), Mimir())

PACKAGINGS: dict[str, Packaging] = {packaging.name: packaging for packaging in _ALL}
