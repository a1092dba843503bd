"""OpenSLO objects found in documents: single objects, multi-document files and
lists of objects, indexed by kind and name so that references resolve across files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sloforge.errors import Problem
from sloforge.load.documents import Document, FieldPath
from sloforge.load.reader import Reader

KINDS = {
    "openslo/v1": {"Service", "SLO", "SLI", "DataSource", "AlertPolicy", "AlertCondition",
                   "AlertNotificationTarget"},
    "openslo/v1alpha": {"Service", "SLO"},
}


@dataclass(frozen=True)
class Obj:
    doc: Document
    prefix: FieldPath  # where the object sits in its document: () or (index,) in a list
    api: str
    kind: str
    name: str
    data: dict[str, Any]

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    def where(self) -> str:
        line = self.doc.line(self.prefix)
        return f"{self.doc.path}:{line}" if line else self.doc.path


@dataclass
class ObjReader(Reader):
    """A Reader whose messages name the object they are about."""

    obj: Obj | None = None
    source_reported: bool = field(default=False)

    @classmethod
    def of(cls, obj: Obj) -> ObjReader:
        return cls(obj.doc, obj.prefix, obj=obj)

    def _text(self, message: str) -> str:
        return f"{self.obj.kind} '{self.obj.name}': {message}" if self.obj else message

    def fail(self, path: FieldPath, message: str) -> None:
        super().fail(path, self._text(message))

    def warn(self, path: FieldPath, message: str) -> None:
        super().warn(path, self._text(message))

    def prometheus(self, kind: object, path: FieldPath) -> bool:
        """True for a Prometheus source; one error per object for any other."""
        if isinstance(kind, str) and kind.lower() == "prometheus":
            return True
        if not self.source_reported:
            self.source_reported = True
            if kind is None:
                self.fail(path, "metric source has no type; sloforge compiles type: Prometheus sources")
            else:
                self.fail(path, f"metric source type {kind!r} cannot be compiled into Prometheus rules; "
                          "sloforge reads only Prometheus sources (type: Prometheus with spec.query)")
        return False


def is_openslo(data: object) -> bool:
    # isinstance first: a list or mapping as apiVersion is not hashable (found by Hypothesis)
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and data["apiVersion"] in KINDS


def claims(document: Document) -> bool:
    data = document.data
    if isinstance(data, list):
        return bool(data) and all(is_openslo(item) for item in data)
    return is_openslo(data)


def collect(documents: list[Document]) -> tuple[dict[tuple[str, str], Obj], list[Problem]]:
    """Every object by (kind, name); duplicates and unknown kinds are problems."""
    index: dict[tuple[str, str], Obj] = {}
    problems: list[Problem] = []
    for document in documents:
        items = document.data if isinstance(document.data, list) else [document.data]
        for position, item in enumerate(items):
            prefix: FieldPath = (position,) if isinstance(document.data, list) else ()
            obj = _object(document, prefix, item, problems)
            if obj is None:
                continue
            key = (obj.kind, obj.name)
            if key in index:
                problems.append(document.problem(prefix + ("metadata", "name"), f"{obj.kind} '{obj.name}' is "
                                                 f"already defined at {index[key].where()}; names must be "
                                                 "unique per kind"))
                continue
            index[key] = obj
    return index, problems


def inline(parent: Obj, path: FieldPath, data: dict[str, Any], kind: str) -> Obj:
    """An object written inside another (inline SLI, AlertPolicy, AlertCondition, target)."""
    raw = data.get("metadata")
    metadata: dict[str, Any] = raw if isinstance(raw, dict) else {}
    given = metadata.get("name")
    name = given if isinstance(given, str) else f"{parent.name} (inline)"
    return Obj(parent.doc, parent.prefix + path, parent.api, kind, name, data)


def _object(document: Document, prefix: FieldPath, item: dict[str, Any], problems: list[Problem]) -> Obj | None:
    api, kind = item["apiVersion"], item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS[api]:
        problems.append(document.problem(prefix + ("kind",), f"{api} kind {kind!r} is not supported; "
                                         f"expected one of {', '.join(sorted(KINDS[api]))}"))
        return None
    metadata = item.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        problems.append(document.problem(prefix + ("metadata",), f"{kind} needs metadata.name"))
        return None
    if not isinstance(item.get("spec"), dict):
        problems.append(document.problem(prefix + ("spec",), f"{kind} '{name}': missing spec mapping"))
        return None
    return Obj(document, prefix, api, kind, name, item)
