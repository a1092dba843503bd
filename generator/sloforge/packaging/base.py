"""What a packaging is: how output is packaged for where it is deployed (`--target`).

The producers (sloforge/outputs/) make the content; a packaging decides the file
each part goes to and what wraps it: plain files for Prometheus and friends,
Kubernetes objects for the operators, namespace files for Mimir's ruler. It also
reads its own files back (`rule_groups`) for `sloforge check`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sloforge.compile.alertmanager.routes import AlertScope
    from sloforge.errors import Problem
    from sloforge.load.alertmanager_base import BaseConfig
    from sloforge.model.catalog import Catalog
    from sloforge.model.routing import Routing
    from sloforge.outputs.base import OutputFile, Settings

RuleGroups = dict[str, object]  # a plain Prometheus rule file: {"groups": [...]}


class Packaging(Protocol):
    @property
    def name(self) -> str:
        """The `--target` name."""
        ...

    @property
    def help(self) -> str:
        """One line for the user: what the files are and what reads them."""
        ...

    @property
    def uses_alertmanager_base(self) -> bool:
        """Whether the Alertmanager output merges into the user's alertmanager.yml, which
        is then read before producing and handed to `alertmanager_files`."""
        ...

    def rule_file(self, service: str) -> str:
        """Where the service's rule file goes."""
        ...

    def wrap_rules(self, service: str, groups: RuleGroups, settings: Settings) -> dict[str, object] | None:
        """The document that carries the service's rule groups, or None: the plain rule file itself."""
        ...

    def alert_labels(self, settings: Settings) -> dict[str, str]:
        """Labels this packaging sets on every alert (and the unit tests expect), such as the
        namespace the Prometheus Operator's AlertmanagerConfig routes match."""
        ...

    def catalog_problems(self, catalog: Catalog, settings: Settings) -> list[Problem]:
        """What this packaging cannot package in the catalog (names two services would share);
        raises UsageError for settings it cannot work without."""
        ...

    def file_notes(self, files: list[OutputFile]) -> list[str]:
        """Notes for the user on the rendered files (an object too big to apply, say)."""
        ...

    def unit_test_file(self, service: str) -> str:
        """Where the service's promtool unit tests go."""
        ...

    def unit_test_rules_file(self, service: str) -> str | None:
        """Where a plain copy of the service's rule groups goes for its unit tests to load,
        or None: the tests load `rule_file` itself."""
        ...

    def dashboard_file(self, name: str, uid: str, text: str, sources: tuple[str, ...],
                       settings: Settings) -> tuple[str, str]:
        """(path, content) of a dashboard: `text` is its JSON, `name` its plain file name."""
        ...

    def alertmanager_files(self, routing: Routing, scope: AlertScope, settings: Settings,
                           base: BaseConfig | None) -> list[OutputFile]:
        """The routing's Alertmanager files (`base`: the user's alertmanager.yml, read,
        when `uses_alertmanager_base` and one is named)."""
        ...

    def alertmanager_notes(self, settings: Settings) -> list[str]:
        """Notes for the user on how the settings apply to the Alertmanager output."""
        ...

    def rule_groups(self, document: dict[str, object]) -> RuleGroups | None:
        """The plain rule file a document of this packaging stands for (`document`
        itself when it is one), or None when it is not one of its rule files."""
        ...
