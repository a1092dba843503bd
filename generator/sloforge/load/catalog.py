"""Every spec under some paths -> one Catalog: documents go to the plugin that claims
them, formats produce services, overlays apply (load/base.py)."""

from __future__ import annotations

import os

from sloforge import conventions
from sloforge.errors import Problem, SpecError
from sloforge.incremental import specs as cached
from sloforge.incremental.cache import Cache
from sloforge.load import all_formats, all_kinds, all_overlays, relations
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
    problems.extend(_cross_file_problems(services, documents))
    problems.extend(_file_name_problems(services, documents))
    draft = Draft(services, documents)
    for name, overlay in overlays.items():
        if claimed[name]:
            draft, overlay_problems = overlay.apply(claimed[name], draft)
            problems.extend(overlay_problems)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise SpecError(problems)
    cached.remember(store, digests, claimed, draft.services, problems)
    # After remember(): these depend on other files and on the date, never cached with one spec.
    # After the errors: an unread service is not an unknown one.
    problems.extend(relations.dependency_problems(draft.services))
    if any(not p.warning for p in problems):
        raise SpecError(problems)
    problems.extend(relations.review_problems(draft.services, options.today))
    catalog = Catalog(services=tuple(sorted(draft.services, key=lambda s: s.name)), routing=draft.routing,
                      journeys=draft.journeys)
    return catalog, [p for p in problems if p.warning]


def _unknown_document(document: Document) -> Problem:
    data: object = document.data
    at: tuple[int, ...] = ()
    if isinstance(data, list):
        # A list of objects (OpenSLO writes them so): speak about its first unsupported item.
        at = next(((i,) for i, item in enumerate(data)
                   if isinstance(item, dict) and not any(k.claims(_item(document, item)) for k in all_kinds())),
                  ())
        data = data[at[0]] if at else data
    if not isinstance(data, dict):
        return document.problem(at, "expected a mapping with apiVersion and kind at the top level")
    api, kind = data.get("apiVersion", data.get("version")), data.get("kind")
    if api is None:
        return document.problem(at, f"document has no apiVersion; {_formats_read()}")
    group = str(api).split("/", 1)[0]
    same = [k for k in all_kinds() if group in k.API_GROUPS]
    if same:
        expected = f"{same[0].TITLE} documents are " + "; ".join(k.EXPECTED for k in same)
    else:
        expected = _formats_read()
    return document.problem(at + ("apiVersion",), f"unsupported document apiVersion {api!r} kind {kind!r}; "
                            f"{expected}")


def _item(document: Document, item: object) -> Document:
    return Document(document.path, document.index, item)


def _formats_read() -> str:
    """Every format in words, with its apiVersion groups (short: it does not list every kind)."""
    by_title: dict[str, list[str]] = {}
    for kind in all_kinds():
        groups = by_title.setdefault(kind.TITLE, [])
        groups.extend(g for g in kind.API_GROUPS if g not in groups)
    named = [f"{'its own' if title == 'sloforge' else title} ({', '.join(g + '/...' for g in groups)})"
             for title, groups in by_title.items()]
    return f"sloforge reads {', '.join(named[:-1])} and {named[-1]} documents"


def _alertmanager_bases(documents: list[Document]) -> set[str]:
    """The Alertmanager configs routing specs name (`alertmanager_base`): not specs, so a walk
    that meets one (`sloforge validate .` in a scaffolded repo) does not call it unknown."""
    bases = set()
    for document in documents:
        data = document.data
        if isinstance(data, dict) and data.get("kind") == "Routing" and isinstance(data.get("alertmanager_base"), str):
            bases.add(os.path.normpath(os.path.join(os.path.dirname(document.path), data["alertmanager_base"])))
    return bases


def _cross_file_problems(services: list[Service], documents: list[Document]) -> list[Problem]:
    problems = []
    first: dict[str, tuple[Service, int | None]] = {}
    taken: set[tuple[str, int]] = set()  # (file, line) already given to a service: two in one file
    for service in services:
        line = _service_line(documents, service, taken)
        if service.name in first:
            other, where = first[service.name]
            problems.append(Problem(service.source, line, "service",
                                    f"service '{service.name}' is already defined in "
                                    f"{other.source}{f':{where}' if where else ''}; "
                                    "service names must be unique across specs"))
        else:
            first[service.name] = (service, line)
    return problems


def _file_name_problems(services: list[Service], documents: list[Document]) -> list[Problem]:
    """Sloth names may hold capitals and dots; file, group and uid names use conventions.file_name,
    so two names that become one (`Svc01`, `svc01`) would overwrite each other's files."""
    problems = []
    taken: set[tuple[str, int]] = set()
    services_by_file: dict[str, Service] = {}
    for service in services:
        other = services_by_file.setdefault(conventions.file_name(service.name), service)
        if other.name != service.name:
            problems.append(Problem(service.source, _service_line(documents, service, taken), "service",
                                    f"service '{service.name}' and service '{other.name}' (in {other.source}) "
                                    f"both become the file name '{conventions.file_name(service.name)}'; "
                                    "rename one"))
        slos_by_name: dict[str, str] = {}
        for slo in service.slos:
            first = slos_by_name.setdefault(conventions.file_name(slo.name), slo.name)
            if first != slo.name:
                found = sorted((document.problem(path, "") for document in documents if document.path == slo.source
                                for _, path in _naming_lines(document, document.data, (), slo.name, ("name",))),
                               key=lambda p: p.line or 0)
                line, field = (found[0].line, found[0].field) if found else (None, "name")
                group = conventions.group_name(service.name, slo.name)
                problems.append(Problem(slo.source, line, field, f"SLO '{slo.name}' and SLO '{first}' of service "
                                        f"'{service.name}' both become the rule group name '{group}'; rename one"))
    return problems


def _service_line(documents: list[Document], service: Service, taken: set[tuple[str, int]]) -> int | None:
    """The first line of `service`'s file that names it (a `service:` field, or a Pyrra
    namespace) and names no earlier service; else where its owner is written (a cached
    spec's file is not read again)."""
    lines = sorted(line for document in documents if document.path == service.source
                   for line, _ in _naming_lines(document, document.data, (), service.name)
                   if (service.source, line) not in taken)
    if not lines:
        return service.owner_line
    taken.add((service.source, lines[0]))
    return lines[0]


def _naming_lines(document: Document, data: object, path: tuple[str | int, ...], name: str,
                  keys: tuple[str, ...] = ("service", "namespace")) -> list[tuple[int, tuple[str | int, ...]]]:
    """(line, field path) of every `keys` field whose value is `name`."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in keys and value == name:
                line = document.lines.get((*path, key))
                if line is not None:
                    found.append((line, (*path, key)))
            elif isinstance(value, (dict, list)):
                found.extend(_naming_lines(document, value, (*path, key), name, keys))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_naming_lines(document, value, (*path, index), name, keys))
    return found
