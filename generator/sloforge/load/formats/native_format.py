"""The native format's entry in the format registry."""

from __future__ import annotations

from sloforge.errors import Problem
from sloforge.load.documents import Document
from sloforge.load.formats.native import claims, service_from_document
from sloforge.model.catalog import Service

NAME = "sloforge/v1"
EXPECTED = "apiVersion: sloforge/v1, kind: ServiceLevels"

__all__ = ["EXPECTED", "NAME", "claims", "services_from"]


def services_from(documents: list[Document]) -> tuple[list[Service], list[Problem]]:
    services, problems = [], []
    for document in documents:
        service, found = service_from_document(document)
        problems.extend(found)
        if service is not None:
            services.append(service)
    return services, problems
