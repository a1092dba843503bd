"""SLO documents: out/docs/<service>.md per service and the index out/docs/README.md.

GitHub-flavoured Markdown from templates/slo_document.md.j2 and slo_index.md.j2, the
same for every --target. A document also says what other parts of the catalog mean for
its service (the receivers of the Routing spec, the journeys its SLOs are steps of, the
objectives of its dependencies), so the documents are catalog files: rendered together,
and skipped when no service, the routing and the journeys are unchanged since the last
run (incremental/produce.py keys catalog files on all three).
"""

from __future__ import annotations

from sloforge import conventions as c
from sloforge.model.catalog import Catalog
from sloforge.outputs.base import Context, OutputFile, Unit


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

    docs = [service_doc(service, catalog) for service in services]
    files = [OutputFile(c.slo_document_file(s.name), render("slo_document.md.j2", doc=doc), (s.source,))
             for s, doc in zip(services, docs, strict=True)]
    graph = mermaid(catalog).rstrip("\n") if has_relations(catalog) else ""
    index = render("slo_index.md.j2", services=docs, journeys=journey_docs(catalog), graph=graph)
    sources = tuple(sorted({s.source for s in services}))
    return [*files, OutputFile(c.DOCS_INDEX_FILE, index, sources)]
