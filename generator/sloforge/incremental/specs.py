"""Spec loading through the incremental cache (incremental/cache.py)."""

from __future__ import annotations

import hashlib

from sloforge.errors import Problem
from sloforge.incremental.cache import Cache
from sloforge.load.documents import Document, discover, read_paths
from sloforge.model.catalog import Service

CACHEABLE_FORMAT = "sloforge/v1"  # native documents never refer to other files


def load(paths: list[str], cache: Cache | None) -> tuple[list[Document], list[Service], list[Problem],
                                                        dict[str, str], list[Problem]]:
    """(documents to read, services and warnings reused from the cache, digest per read file,
    problems of the files that could not be read: the others are still checked)."""
    if cache is None:
        read, unreadable = read_paths(paths)
        return read, [], [], {}, unreadable
    documents: list[Document] = []
    services: list[Service] = []
    warnings: list[Problem] = []
    digests: dict[str, str] = {}
    problems: list[Problem] = []
    for path in discover(paths):
        name = path.as_posix()
        try:
            raw = path.read_bytes()
        except OSError:
            raw = b""
        digest = hashlib.sha256(raw).hexdigest()
        hit = cache.get("spec", name, digest) if raw else None
        if hit is not None:
            services.extend(hit[0])
            warnings.extend(hit[1])
            for service, fingerprint in zip(hit[0], hit[2], strict=True):
                cache.knows(service, fingerprint)
            continue
        loaded, found = read_paths([name])
        problems.extend(found)
        if found:
            continue
        documents.extend(loaded)
        digests[name] = digest
    return documents, services, warnings, digests, problems


def remember(cache: Cache | None, digests: dict[str, str], claimed: dict[str, list[Document]],
             services: list[Service], problems: list[Problem]) -> None:
    """Store each read file whose documents are all native specs."""
    if cache is None:
        return
    native = {d.path for d in claimed.get(CACHEABLE_FORMAT, [])}
    other = {d.path for name, docs in claimed.items() if name != CACHEABLE_FORMAT for d in docs}
    # Grouped once: matching every file against every service is quadratic (1,000 files: 0.4 s).
    by_source: dict[str, list[Service]] = {}
    for service in services:
        by_source.setdefault(service.source, []).append(service)
    notes_by_source: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.warning:
            notes_by_source.setdefault(problem.path, []).append(problem)
    for path, digest in digests.items():
        if path in native and path not in other:
            mine = by_source.get(path, [])
            notes = notes_by_source.get(path, [])
            cache.put("spec", (mine, notes, [cache.fingerprint(s) for s in mine]), path, digest)
