"""Plain files (`--target prometheus`): rule files Prometheus, Thanos and vmalert load
as they are, dashboard JSON, one alertmanager.yml (merged into the user's, if any)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sloforge import conventions as c
from sloforge.packaging.base import RuleGroups

if TYPE_CHECKING:
    from sloforge.compile.alertmanager.routes import AlertScope
    from sloforge.errors import Problem
    from sloforge.load.alertmanager_base import BaseConfig
    from sloforge.model.catalog import Catalog
    from sloforge.model.routing import Routing
    from sloforge.outputs.base import OutputFile, Settings


class Plain:
    name = "prometheus"
    help = "plain files: out/prometheus/<service>.yml rule files (Prometheus, Thanos, vmalert)"
    uses_alertmanager_base = True

    def rule_file(self, service: str) -> str:
        return c.rule_file(service)

    def wrap_rules(self, service: str, groups: RuleGroups, settings: Settings) -> dict[str, object] | None:
        return None

    def unit_test_file(self, service: str) -> str:
        return c.unit_test_file(service)

    def alert_labels(self, settings: Settings) -> dict[str, str]:
        return {}

    def catalog_problems(self, catalog: Catalog, settings: Settings) -> list[Problem]:
        return []

    def file_notes(self, files: list[OutputFile]) -> list[str]:
        return []

    def unit_test_rules_file(self, service: str) -> str | None:
        return None  # the tests load the rule file next to them

    def dashboard_file(self, name: str, uid: str, text: str, sources: tuple[str, ...],
                       settings: Settings) -> tuple[str, str]:
        return name, text

    def alertmanager_files(self, routing: Routing, scope: AlertScope, settings: Settings,
                           base: BaseConfig | None) -> list[OutputFile]:
        return alertmanager_yml(routing, scope, base)

    def alertmanager_notes(self, settings: Settings) -> list[str]:
        return []

    def rule_groups(self, document: dict[str, object]) -> RuleGroups | None:
        return document if "groups" in document else None


def alertmanager_yml(routing: Routing, scope: AlertScope, base: BaseConfig | None) -> list[OutputFile]:
    """out/alertmanager/alertmanager.yml: sloforge's routes merged into `base`, or on their own."""
    from sloforge.compile.alertmanager.config import merged, standalone
    from sloforge.outputs.base import OutputFile
    from sloforge.render.files import yaml_file

    if base is not None:
        config, sources = merged(routing, base, scope), [routing.source, base.path]
    else:
        config, sources = standalone(routing, scope=scope), [routing.source]
    text = yaml_file(json.loads(json.dumps(config)), sources)
    return [OutputFile(c.ALERTMANAGER_FILE, text, tuple(sorted(sources)), alertmanager_text=text)]
