"""jsonschema-rs's yes/no (schema/validate.py's fast path) must be jsonschema's, or
validate.py would let an invalid document past the located messages (or send a
valid one to jsonschema for nothing). jsonschema is the oracle: every spec in the
repo, then random edits of valid documents."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from sloforge.schema.validate import schema

from tests.conftest import REPO

BUDGET_POLICY = """
apiVersion: sloforge/v1
kind: BudgetPolicy
name: platform
teams: [payments, search]
budget:
  - {consumed: 50%, severity: ticket, for: 1h, action: freeze features}
  - {consumed: 90, severity: page}
"""


def _fast(name: str) -> Any:
    return jsonschema_rs.Draft202012Validator(schema(name))


class _TextDates(yaml.SafeLoader):
    """As sloforge reads specs (load/values.py): an unquoted date (`review.last: 2026-10-01`)
    is the text it was written as, not a datetime neither validator can take."""


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _documents(kind: str) -> list[Any]:
    found = []
    for path in sorted(REPO.glob("**/*.y*ml")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        try:
            docs = list(yaml.load_all(path.read_text("utf-8"), Loader=_TextDates))  # noqa: S506
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            continue
        found += [d for d in docs if isinstance(d, dict) and d.get("kind") == kind]
    return found


NATIVE = _documents("ServiceLevels")
VALID_NATIVE = [d for d in NATIVE if Draft202012Validator(schema("native")).is_valid(d)]


@pytest.mark.parametrize(("name", "kind"), [("native", "ServiceLevels"), ("budget_policy", "BudgetPolicy"),
                                          ("routing", "Routing")])
def test_agrees_with_jsonschema_on_every_spec_in_the_repo(name: str, kind: str) -> None:
    fast, oracle = _fast(name), Draft202012Validator(schema(name))
    documents = _documents(kind) + ([yaml.safe_load(BUDGET_POLICY)] if kind == "BudgetPolicy" else [])
    assert documents
    for data in documents:
        assert fast.is_valid(data) == oracle.is_valid(data), data
    assert len(VALID_NATIVE) > 10


# Values that sit on the edges of the schemas' keywords.
EDGE_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 0.0, 1.0, 99.9, 100, 100.0, 100.5, 1e300, 7, "", " ", "x", "a" * 64, "a" * 2001,
    "api", "API", "-api", "api_v2", "a b", "5m", "1h30m", "30d", "300ms", "5", "5x", "75%", "75.5%", "%", "75",
    "page", "ticket", "sloforge/v1", "ServiceLevels", "BudgetPolicy", "rate(x[{{ window }}])", "le", "__name__",
    "route", "9route", [], {}, ["route"], ["route", "route"], ["a", 1], [1, 1.0], [True, 1], {"a": "b"}, {"a": 1},
    {"9": "x"}, {"query": "x"}, {"query": "x", "group_by": ["a"]}, {"query": ""}, [{"long": "1h", "severity": "page"}],
    {"errors": "e", "total": "t"}, {"metric": "m", "threshold": "300ms"}, {"metric": "m", "threshold": 0},
    {"ratio": "x"}, {"probe": "x", "ratio": "y"}, [{"consumed": "50%", "severity": "page"}],
]
FIELD_NAMES = ["name", "objective", "window", "sli", "alerting", "labels", "description", "ratio", "events", "probe",
               "latency", "query", "group_by", "windows", "budget", "page", "ticket", "for", "disable", "absent",
               "min_events", "annotations", "short", "long", "factor", "severity", "consumed", "action", "owner",
               "links", "runbook", "dashboard", "selector", "threshold", "metric", "errors", "total", "typo"]


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if isinstance(value, (dict, list)) else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        found += _containers(item, path + (key,))
    return found


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


@st.composite
def edited_documents(draw: st.DrawFn) -> Any:
    """A valid document with a few random edits: replace, delete or add a field or item."""
    data = copy.deepcopy(draw(st.sampled_from([*VALID_NATIVE, yaml.safe_load(BUDGET_POLICY)])))
    for _ in range(draw(st.integers(1, 3))):
        target = _at(data, draw(st.sampled_from(_containers(data))))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        new = copy.deepcopy(draw(st.sampled_from(EDGE_VALUES)))
        if action == "add" or not keys:
            if isinstance(target, dict):
                target[draw(st.sampled_from(FIELD_NAMES))] = new
            else:
                target.append(new)
        elif action == "delete":
            del target[draw(st.sampled_from(keys))]
        else:
            target[draw(st.sampled_from(keys))] = new
    return data


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_documents())
def test_agrees_with_jsonschema_on_edited_documents(data: Any) -> None:
    name = "budget_policy" if data.get("kind") == "BudgetPolicy" else "native"
    assert _fast(name).is_valid(data) == Draft202012Validator(schema(name)).is_valid(data)


def test_validate_still_reports_through_jsonschema(tmp_path: Path) -> None:
    from sloforge.load.documents import load_text
    from sloforge.schema.validate import validate

    text = "apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: API\nslos: []\n"
    problems = validate(load_text(text, "x.yml")[0])
    assert [(p.line, p.field) for p in problems] == [(3, "service"), (4, "slos")]


def test_agrees_on_every_single_edit_of_the_richest_document() -> None:
    data = copy.deepcopy(max(VALID_NATIVE, key=lambda d: len(_containers(d))))
    fast, oracle = _fast("native"), Draft202012Validator(schema("native"))
    for path in _containers(data):
        target = _at(data, path)
        for key in list(target) if isinstance(target, dict) else range(len(target)):
            original = target[key]
            for value in EDGE_VALUES:
                target[key] = value  # edited in place (a deep copy each time doubles the test's time)
                assert fast.is_valid(data) == oracle.is_valid(data), (path, key, value)
            target[key] = original
