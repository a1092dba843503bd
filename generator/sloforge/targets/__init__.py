"""Output targets: how generated objects are packaged into files.

A target is a module with `NAME`, `HELP` and `files(catalog, settings) -> list[OutputFile]`;
the CLI's --target choices come from TARGETS, so a new target is one module and one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str  # relative to the output directory, always with forward slashes
    content: str
    sources: tuple[str, ...] = ()
    # Plain Prometheus rule-file text for `promtool check rules`, where this file
    # holds rules (for Kubernetes objects: the unwrapped spec.groups).
    rules_text: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    namespace: str | None = None
    object_labels: dict[str, str] = field(default_factory=dict)


def registry() -> dict[str, ModuleType]:
    from sloforge.targets import kubernetes, prometheus

    return {module.NAME: module for module in (prometheus, kubernetes)}
