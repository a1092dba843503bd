"""The unit-test compiler reusing the alerting rules compiled for the rule groups writes
exactly what compiling them again writes, and the group split matches the PromQL scan."""

from __future__ import annotations

from pathlib import Path

import pytest
from sloforge import conventions as c
from sloforge.compile.rules.groups import compile_slo, longest_window, rule_groups
from sloforge.compile.rules.unit_tests import test_file as unit_test_file
from sloforge.pipeline import load_catalog

from tests.conftest import REPO

CATALOGS = ["specs", *sorted(str(p.relative_to(REPO)) for p in (REPO / "tests" / "golden").glob("*/input"))]


@pytest.mark.parametrize("path", CATALOGS)
def test_reused_alerting_rules_give_the_same_tests(path: str) -> None:
    catalog, problems = load_catalog([str(Path(REPO) / path)])
    assert catalog.services, problems
    for service in catalog.services:
        compiled = [compile_slo(slo) for slo in service.slos]
        groups = rule_groups(service, compiled)
        order = [str(g["name"]) for g in groups]
        reused = unit_test_file(service.slos, "x.yml", order, alerting=[a for _, a in compiled])
        assert reused == unit_test_file(service.slos, "x.yml", order)


@pytest.mark.parametrize("path", CATALOGS)
def test_groups_follow_the_longest_window_read(path: str) -> None:
    catalog, _ = load_catalog([str(Path(REPO) / path)])
    for service in catalog.services:
        for group in rule_groups(service):
            slow = str(group["name"]).endswith("-long")
            for rule in group["rules"]:  # type: ignore[attr-defined]
                assert (longest_window(rule) >= c.LONG_WINDOW_SECONDS) == slow, (group["name"], rule)
