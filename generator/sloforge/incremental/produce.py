"""Render what changed, service by service, and check rule files while the next render.

A service whose render key (its model value, the packaging and settings, sloforge's
own code) and files in OUT are unchanged since the last run is not rendered, read
or compared at all (incremental/cache.py). Each rendered rule file that differs
from OUT goes to promtool at once, to be checked in the background while the next
services render (check/tools.py RuleChecker).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sloforge import outputs, write
from sloforge.check.tools import RuleChecker
from sloforge.errors import Problem
from sloforge.incremental.cache import Cache
from sloforge.model.catalog import Catalog
from sloforge.outputs import Context, OutputFile, Progress


@dataclass
class Produced:
    files: list[OutputFile] = field(default_factory=list)  # rendered this run
    kept: list[str] = field(default_factory=list)  # not rendered: OUT holds them unchanged
    same: set[str] = field(default_factory=set)  # rendered and found identical in OUT
    keys: dict[str, str] = field(default_factory=dict)  # path -> its service's render key
    problems: list[Problem] = field(default_factory=list)  # promtool's


def produce(catalog: Catalog, context: Context, out: Path, store: Cache | None, checker: RuleChecker | None,
            progress: Progress | None = None) -> Produced:
    """Every output file that is not kept unchanged in `out`; promtool's problems with them."""
    produced = Produced()

    def take(output: OutputFile, key: str | None) -> None:
        produced.files.append(output)
        if write.holds(out, output.path, output.content):
            produced.same.add(output.path)  # and checked by promtool when it was written
            if store is not None and key is not None:
                store.outputs.holds(out, output.path, key)
        else:
            if key is not None:
                produced.keys[output.path] = key
            if checker is not None and output.rules_text is not None:
                checker.add(output.path, output.rules_text)

    services = outputs.services(catalog)
    with _fewer_collections():
        for done, service in enumerate(services, start=1):
            key = kept = None
            if store is not None:
                key = store.key(*outputs.render_key(store.fingerprint(service), context))
                kept = store.outputs.unchanged(out, key)
            if kept is not None:
                produced.kept.extend(kept)
            else:
                files = outputs.service_files(service, context)
                if store is not None and key is not None:
                    store.outputs.produced(key, [f.path for f in files])
                for output in files:
                    take(output, key)
            if progress is not None:
                progress(done, len(services))
        for producer, from_services in outputs.catalog_producers():
            key = kept = None
            if store is not None and from_services:
                # The routing and the journeys too: the SLO documents show receivers and journeys.
                key = store.key("catalog", producer, context.packaging.name, repr(context.settings),
                                repr(catalog.routing), repr(catalog.journeys),
                                *(store.fingerprint(s) for s in catalog.services))
                kept = store.outputs.unchanged(out, key)
            if kept is not None:
                produced.kept.extend(kept)
                continue
            files = outputs.catalog_files(catalog, context, producer)
            if store is not None and key is not None:
                store.outputs.produced(key, [f.path for f in files])
            for output in files:
                take(output, key)
    produced.problems = checker.problems() if checker is not None else []
    produced.files.sort(key=lambda f: f.path)
    return produced


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Rendering allocates millions of short-lived dicts and strings and makes no cycles
    worth collecting early, while each full collection walks the whole loaded catalog:
    freezing what is loaded and collecting the young generation less often saves a
    quarter of the rendering time of a big catalog."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
