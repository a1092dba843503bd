"""What an input plugin is: a Format produces services from the documents it claims;
an Overlay claims documents that hold no services and applies once every format has
produced its services (the routing spec, budget policies).

Plugins are modules (mypy checks a module against a Protocol where it is used as
one: the registries in load/__init__.py are typed `dict[str, Format]` and
`dict[str, Overlay]`). load/catalog.py runs them in two phases:

1. every document goes to the one plugin whose `claims` is true; each format's
   `services_from` turns its documents into services;
2. each overlay that claimed documents gets them with the Draft so far and returns
   the Draft it changed (services, routing) and its problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sloforge.errors import Problem
from sloforge.load.documents import Document
from sloforge.load.options import LoadOptions
from sloforge.model.catalog import Service
from sloforge.model.journey import Journey
from sloforge.model.routing import Routing


class DocumentKind(Protocol):
    @property
    def NAME(self) -> str:
        """Registry key, unique among formats and overlays (e.g. "sloforge/v1")."""

    @property
    def EXPECTED(self) -> str:
        """One line on the documents it reads, for the message about a document no plugin claims."""

    @property
    def TITLE(self) -> str:
        """The format in words ("Sloth", "OpenSLO", "Pyrra", "sloforge"), for that message too."""

    @property
    def API_GROUPS(self) -> tuple[str, ...]:
        """The apiVersion groups (before the "/") it reads: a document of one of these groups
        that no plugin claims is told only about the kinds of its own group."""

    def claims(self, document: Document) -> bool:
        """True for the documents this plugin reads (by apiVersion/kind); no two plugins claim one."""


class Format(DocumentKind, Protocol):
    def services_from(self, documents: list[Document],
                      options: LoadOptions) -> tuple[list[Service], list[Problem]]:
        """The services in the documents it claimed (never empty), and every problem found.
        A service may be partial (its valid parts) when a problem is an error: the overlays
        still check it, so every stage reports in one run; no catalog is built from it."""


@dataclass(frozen=True, slots=True)
class Draft:
    """The catalog while overlays apply: what the formats produced, changed by each overlay in turn."""

    services: list[Service]
    documents: list[Document]  # every document read this run (to locate a service's fields)
    routing: Routing | None = None
    journeys: tuple[Journey, ...] = ()  # kind: Journey documents (load/overlays/journey.py)


class Overlay(DocumentKind, Protocol):
    def apply(self, documents: list[Document], draft: Draft) -> tuple[Draft, list[Problem]]:
        """The draft with this overlay's documents (never empty) applied, and every problem found."""
