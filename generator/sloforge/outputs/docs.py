"""SLO documents: out/docs/<service>.md per service and the index out/docs/README.md.

GitHub-flavoured Markdown from templates/slo_document.md.j2 and slo_index.md.j2, the
same for every --target. A document also says what other parts of the catalog mean for
its service (the receivers of the Routing spec, the journeys its SLOs are steps of, the
objectives of its dependencies), so the documents are catalog files, skipped when no
service, the routing and the journeys changed since the last run (incremental/produce.py
keys catalog files on all three); when something did, each document is still taken from
the cache unless what it shows changed (`_facts`).
"""

from __future__ import annotations

import hashlib

from sloforge import conventions as c
from sloforge.model.catalog import Catalog, Service
from sloforge.outputs.base import Context, OutputFile, Unit

# The incremental cache (Context.shapes: get/put by key, kept between runs) holds each rendered
# document under the digest of everything it shows: a run where one service changed renders
# that service's document (and those naming it), not all of them (~1 ms per SLO).
CACHE_KIND = "slo-document"


def _facts(service: Service, catalog: Catalog, by_name: dict[str, Service], routing: str) -> str:
    """A digest of what service_doc reads: the service, the routing, the journeys with a step in
    it, its dependencies' SLOs and objectives, and the services that depend on it."""
    journeys = [j for j in catalog.journeys if any(step.service == service.name for step in j.steps)]
    dependencies = [(d.service, [(s.name, s.objective) for s in by_name[d.service].slos])
                    for d in service.dependencies if d.service in by_name]
    dependents = [s.name for s in catalog.services if any(d.service == service.name for d in s.dependencies)]
    text = repr((service, routing, journeys, dependencies, dependents))
    return hashlib.sha256(text.encode()).hexdigest()


def service_files(unit: Unit, context: Context) -> list[OutputFile]:
    return []


CATALOG_FILES_FROM_SERVICES = True


def catalog_files(catalog: Catalog, context: Context) -> list[OutputFile]:
    services = [s for s in catalog.services if s.slos]
    if not services:
        return []
    from sloforge.compile.docs.document import journey_docs, service_doc
    from sloforge.graph.draw import has_relations, mermaid
    from sloforge.render.markdown import render

    routing = repr(catalog.routing)
    by_name = {s.name: s for s in catalog.services}
    docs, files = [], []
    for service in services:
        facts = _facts(service, catalog, by_name, routing)
        kept = context.shapes.get(CACHE_KIND, facts) if context.shapes is not None else None
        if kept is None:
            doc = service_doc(service, catalog)
            kept = (doc, render("slo_document.md.j2", doc=doc))
            if context.shapes is not None:
                context.shapes.put(CACHE_KIND, kept, facts)
        docs.append(kept[0])
        files.append(OutputFile(c.slo_document_file(service.name), kept[1], (service.source,)))
    graph = mermaid(catalog).rstrip("\n") if has_relations(catalog) else ""
    index = render("slo_index.md.j2", services=docs, journeys=journey_docs(catalog), graph=graph)
    sources = tuple(sorted({s.source for s in services}))
    return [*files, OutputFile(c.DOCS_INDEX_FILE, index, sources)]
