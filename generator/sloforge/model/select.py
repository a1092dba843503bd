"""Pick SLOs from a catalog by `--slo NAME` (name, or service/name), for explain and report."""

from __future__ import annotations

from sloforge.errors import SloforgeError
from sloforge.model.catalog import Catalog, Slo


def select(catalog: Catalog, names: list[str]) -> list[Slo]:
    """Every SLO when no names are given; each name must match at least one SLO."""
    slos = list(catalog.slos)
    if not names:
        return slos
    chosen: list[Slo] = []
    for name in names:
        found = [s for s in slos if name in (s.name, f"{s.service}/{s.name}")]
        if not found:
            known = ", ".join(f"{s.service}/{s.name}" for s in slos) or "none"
            raise SloforgeError(f"--slo {name!r} matches no SLO in the specs (known: {known})")
        chosen.extend(s for s in found if s not in chosen)
    return chosen
