"""Grouped SLOs are refused when a query or a fixed label would merge the groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.scale.conftest import GROUPED_SPEC


@pytest.mark.parametrize(("old", "new", "message"), [
    pytest.param('errors: sum by (route)', "errors: sum", "slos[0].sli.events.errors: the query drops the "
                 "grouped label(s) route", id="errors query without by"),
    pytest.param('total: sum by (route)', "total: sum without (route)", "slos[0].sli.events.total: the "
                 "query drops the grouped label(s) route", id="total query drops the label"),
    pytest.param("group_by: [route]", "group_by: [slo_name]", "cannot group by 'slo_name'",
                 id="reserved label"),
    pytest.param("group_by: [route]\n", "group_by: [route]\n    labels: {route: x}\n",
                 "label 'route' is also in the SLI's group_by", id="fixed label clashes"),
    pytest.param("threshold: 300ms\n        group_by: [route]", "threshold: 300ms\n        group_by: [le]",
                 "cannot group by 'le'", id="latency grouped by le"),
    # every alert sets these itself: a page and a ticket of one group would differ in them
    pytest.param("group_by: [route]", "group_by: [severity]", "cannot group by 'severity'",
                 id="alert label severity"),
    pytest.param("group_by: [route]", "group_by: [team]", "cannot group by 'team'", id="alert label team"),
])
def test_grouped_slo_problems(grouped_spec: Path, tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GROUPED_SPEC
    grouped_spec.write_text(GROUPED_SPEC.replace(old, new, 1), encoding="utf-8")
    result = run_cli("validate", str(grouped_spec))
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_grouped_spec_is_valid(grouped_spec: Path) -> None:
    result = run_cli("validate", str(grouped_spec))
    assert result.returncode == 0, result.stderr


def test_a_query_without_the_group_label_is_refused_naming_both_label_sets(grouped_spec: Path) -> None:
    # Other labels are summed away (issue 14); a missing group label cannot be made up.
    grouped_spec.write_text(GROUPED_SPEC.replace("errors: sum by (route)", "errors: sum by (status)", 1),
                            encoding="utf-8")
    result = run_cli("validate", str(grouped_spec))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"{grouped_spec}:10: slos[0].sli.events.errors: the query drops the grouped label(s) route (its "
        "result has labels {status}, the group needs labels {route}); aggregate with `by (route)` (or leave "
        "them out of `without`) so each group keeps its labels")


@pytest.mark.parametrize("errors", [
    pytest.param('sum by (route, status) (rate(http_requests_total{job="api",code=~"5.."}[{{ window }}]))',
                 id="an extra label"),
    pytest.param('rate(http_requests_total{job="api",code=~"5.."}[{{ window }}])', id="a bare rate"),
    pytest.param('label_replace(sum by (path) (rate(http_requests_total{code=~"5.."}[{{ window }}])), '
                 '"route", "$1", "path", "(.*)")', id="label_replace sets the label"),
    pytest.param('sum by (route) (rate(http_requests_total{code=~"5.."}[{{ window }}])) or vector(0)',
                 id="or vector(0)"),
])
def test_queries_that_keep_the_group_label_are_accepted(grouped_spec: Path, errors: str) -> None:
    old = 'sum by (route) (rate(http_requests_total{job="api",code=~"5.."}[{{ window }}]))'
    assert old in GROUPED_SPEC
    grouped_spec.write_text(GROUPED_SPEC.replace(old, errors, 1), encoding="utf-8")
    result = run_cli("validate", str(grouped_spec))
    assert result.returncode == 0, result.stderr
