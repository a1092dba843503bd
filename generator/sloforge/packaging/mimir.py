"""Mimir/Cortex ruler namespace files (`--target mimir`): one mimirtool/cortextool
namespace file per service; dashboards and Alertmanager config as plain files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sloforge import conventions as c
from sloforge.packaging.base import RuleGroups
from sloforge.packaging.plain import Plain

if TYPE_CHECKING:
    from sloforge.outputs.base import Settings


class Mimir(Plain):
    name = "mimir"
    help = "mimirtool/cortextool namespace files: out/mimir/sloforge-<service>.yml (Mimir, Cortex rulers)"

    def rule_file(self, service: str) -> str:
        return c.mimir_rule_file(service)

    def wrap_rules(self, service: str, groups: RuleGroups, settings: Settings) -> dict[str, object] | None:
        return {"namespace": c.mimir_namespace(service), **groups}

    # A namespace file is not a file promtool can load: the tests load a plain copy,
    # outside the folder mimirtool syncs.
    def unit_test_file(self, service: str) -> str:
        return c.unit_test_file(service, c.MIMIR_TESTS_DIR)

    def unit_test_rules_file(self, service: str) -> str | None:
        return c.unit_test_rules_file(service, c.MIMIR_TESTS_DIR)

    def rule_groups(self, document: dict[str, object]) -> RuleGroups | None:
        if "groups" in document and "namespace" in document:
            return {k: v for k, v in document.items() if k != "namespace"}
        return None
