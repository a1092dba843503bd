"""Input plugins: formats turn the documents they claim into services; overlays claim
documents that hold no services and apply after every format (see load/base.py).

Adding one is one module and one line in a registry below. Registries are functions
so that plugins are imported on first use, not when a command starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sloforge.load.base import DocumentKind, Format, Overlay


def all_formats() -> dict[str, Format]:
    """Every input format by NAME."""
    from sloforge.load.formats import native, pyrra, sloth
    from sloforge.load.formats.openslo import slos as openslo

    return {native.NAME: native, sloth.NAME: sloth, openslo.NAME: openslo, pyrra.NAME: pyrra}


def all_overlays() -> dict[str, Overlay]:
    """Every overlay by NAME, in the order they apply: budget policies fill in SLOs
    before routing checks their owners; journeys come last (they read the SLOs, the
    budget policies and the routing's teams)."""
    from sloforge.load.overlays import budget_policy, journey, routing

    return {budget_policy.NAME: budget_policy, routing.NAME: routing, journey.NAME: journey}


def all_kinds() -> list[DocumentKind]:
    """Every plugin, in the order a document none of them claims is told what is expected:
    sloforge's own kinds first, then the imported formats."""
    from sloforge.load.formats import native, pyrra, sloth
    from sloforge.load.formats.openslo import slos as openslo
    from sloforge.load.overlays import budget_policy, journey, routing

    return [native, routing, budget_policy, journey, sloth, openslo, pyrra]
