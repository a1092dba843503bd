"""Where an SLO's fields are written, so a live finding points at the spec line to change.

The model keeps no line numbers per field; the spec files are read again (only those of
SLOs with findings). Native specs get the exact field (`slos[1].sli.latency.threshold`);
SLOs from other formats get their file and the SLO's name.
"""

from __future__ import annotations

from sloforge.errors import Problem, SpecError
from sloforge.load.documents import Document, FieldPath, load_paths
from sloforge.model.catalog import Slo


class Locator:
    def __init__(self) -> None:
        self._documents: dict[str, list[Document]] = {}

    def problem(self, slo: Slo, field: tuple[str, ...], message: str, warning: bool = False) -> Problem:
        """A located problem at `field` of the SLO's `sli` (or of the SLO itself when the
        field starts with "slo")."""
        found = self._native(slo)
        if found is None:
            where = f"{slo.name}.{'.'.join(field)}" if field else slo.name
            return Problem(slo.source, None, where, message, warning)
        document, index = found
        kind = slo.sli.kind
        path: FieldPath = ("slos", index, *field) if field[:1] == ("name",) else ("slos", index, "sli", kind, *field)
        if not isinstance(_get(document.data, path[:4]), dict):  # `probe: <query>` and `ratio: <query>`
            path = path[:4]
        return document.problem(path, message, warning)

    def _native(self, slo: Slo) -> tuple[Document, int] | None:
        if slo.source not in self._documents:
            try:
                self._documents[slo.source] = load_paths([slo.source])
            except SpecError:
                self._documents[slo.source] = []
        for document in self._documents[slo.source]:
            data = document.data
            if not isinstance(data, dict) or data.get("apiVersion") != "sloforge/v1" \
                    or data.get("service") != slo.service:
                continue
            for index, item in enumerate(data.get("slos") or []):
                if isinstance(item, dict) and item.get("name") == slo.name:
                    return document, index
        return None


def _get(data: object, path: FieldPath) -> object:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data
