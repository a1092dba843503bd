"""Kubernetes objects as the API server and the Prometheus Operator read them.

`object_problems` checks one object: its metadata by the API server's rules (names,
namespace, labels), and PrometheusRule / AlertmanagerConfig objects against the operator
CRDs' schemas shipped in `crds/` (see crds/NOTICE: where they come from, and how they are
tightened). `size_note` says when a client-side `kubectl apply` cannot apply an object.
In-process and fast: `sloforge check` runs it on every object in OUT.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from sloforge.packaging.kubernetes import (
    LAST_APPLIED_LIMIT,
    label_problem,
    namespace_problem,
    valid_object_name,
)

CRDS = Path(__file__).parent / "crds"
SCHEMAS = {("monitoring.coreos.com/v1", "PrometheusRule"): "prometheusrule-v1.json",
           ("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig"): "alertmanagerconfig-v1alpha1.json"}
MAX_ERRORS = 20


def is_object(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str) \
        and isinstance(data.get("metadata"), dict)


@cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads((CRDS / name).read_text("utf-8"))
    return Draft202012Validator(schema)


def object_problems(data: dict[str, Any]) -> list[str]:
    """What the API server or the operator would refuse in this object, one line each."""
    problems = _metadata_problems(data["metadata"])
    schema = SCHEMAS.get((data["apiVersion"], data["kind"]))
    if schema is not None:
        errors = sorted(_validator(schema).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        problems += [f"{_where(e.absolute_path)}: {e.message}" for e in errors[:MAX_ERRORS]]
        if len(errors) > MAX_ERRORS:
            problems.append(f"... and {len(errors) - MAX_ERRORS} more schema errors")
    return problems


def size_note(path: str, text: str) -> str | None:
    size = len(text.encode())
    if size <= LAST_APPLIED_LIMIT:
        return None
    return (f"{path} is {size // 1024} KiB, over the 256 KiB a client-side `kubectl apply` can keep in its "
            "last-applied annotation: use `kubectl apply --server-side` (or split the spec)")


def _metadata_problems(metadata: dict[str, Any]) -> list[str]:
    out = []
    name = metadata.get("name")
    if not isinstance(name, str) or not valid_object_name(name):
        out.append(f"metadata.name: {name!r} is not a valid object name (a DNS-1123 subdomain)")
    namespace = metadata.get("namespace")
    if namespace is not None:
        problem = namespace_problem(str(namespace))
        if problem:
            out.append(f"metadata.namespace: {problem.removeprefix('--namespace ')}")
    labels = metadata.get("labels") or {}
    for key, value in labels.items() if isinstance(labels, dict) else ():
        problem = label_problem(str(key), value if isinstance(value, str) else repr(value))
        if problem or not isinstance(value, str):
            out.append(f"metadata.labels.{key}: " + (problem or "a label value must be a string")
                       .removeprefix("--label "))
    return out


def _where(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "(object)"
