"""Every spec under some paths -> one Catalog: documents go to the plugin that claims
them, formats produce services, overlays apply (load/base.py)."""

from __future__ import annotations

import os

from sloforge.errors import Problem, SpecError
from sloforge.incremental import specs as cached
from sloforge.incremental.cache import Cache
from sloforge.load import all_formats, all_kinds, all_overlays
from sloforge.load.base import DocumentKind, Draft
from sloforge.load.documents import Document
from sloforge.load.options import LoadOptions
from sloforge.model.catalog import Catalog, Service


def load_catalog(paths: list[str], load: LoadOptions | None = None,
                 store: Cache | None = None) -> tuple[Catalog, list[Problem]]:
    """Every spec under `paths` as one Catalog; raises SpecError with all problems.
    With `store`, unchanged native spec files are taken from the incremental cache."""
    documents, cached_services, cached_warnings, digests, problems = cached.load(paths, store)
    formats, overlays = all_formats(), all_overlays()
    kinds: list[DocumentKind] = [*formats.values(), *overlays.values()]
    claimed: dict[str, list[Document]] = {kind.NAME: [] for kind in kinds}
    unclaimed = []
    for document in documents:
        kind = next((k for k in kinds if k.claims(document)), None)
        if kind is None:
            unclaimed.append(document)
        else:
            claimed[kind.NAME].append(document)
    bases = _alertmanager_bases(documents)
    problems.extend(_unknown_document(d) for d in unclaimed if os.path.normpath(d.path) not in bases)
    services: list[Service] = list(cached_services)
    problems.extend(cached_warnings)
    options = load or LoadOptions()
    for name, format_ in formats.items():
        if claimed[name]:
            found, format_problems = format_.services_from(claimed[name], options)
            services.extend(found)
            problems.extend(format_problems)
    problems.extend(_cross_file_problems(services))
    draft = Draft(services, documents)
    for name, overlay in overlays.items():
        if claimed[name]:
            draft, overlay_problems = overlay.apply(claimed[name], draft)
            problems.extend(overlay_problems)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise SpecError(problems)
    cached.remember(store, digests, claimed, draft.services, problems)
    catalog = Catalog(services=tuple(sorted(draft.services, key=lambda s: s.name)), routing=draft.routing)
    return catalog, [p for p in problems if p.warning]


def _unknown_document(document: Document) -> Problem:
    data = document.data
    if not isinstance(data, dict):
        return document.problem((), "expected a mapping with apiVersion and kind at the top level")
    api, kind = data.get("apiVersion", data.get("version")), data.get("kind")
    expected = "; ".join(k.EXPECTED for k in all_kinds())
    if api is None:
        return document.problem((), f"document has no apiVersion; expected {expected}")
    return document.problem(("apiVersion",), f"unsupported document apiVersion {api!r} kind {kind!r}; "
                            f"expected {expected}")


def _alertmanager_bases(documents: list[Document]) -> set[str]:
    """The Alertmanager configs routing specs name (`alertmanager_base`): not specs, so a walk
    that meets one (`sloforge validate .` in a scaffolded repo) does not call it unknown."""
    bases = set()
    for document in documents:
        data = document.data
        if isinstance(data, dict) and data.get("kind") == "Routing" and isinstance(data.get("alertmanager_base"), str):
            bases.add(os.path.normpath(os.path.join(os.path.dirname(document.path), data["alertmanager_base"])))
    return bases


def _cross_file_problems(services: list[Service]) -> list[Problem]:
    problems = []
    first: dict[str, Service] = {}
    for service in services:
        if service.name in first:
            other = first[service.name]
            problems.append(Problem(service.source, None, "service",
                                    f"service '{service.name}' is already defined in {other.source}; "
                                    "service names must be unique across specs"))
        else:
            first[service.name] = service
    return problems
