"""JSON Schema validation that speaks the spec's language.

jsonschema's own messages ("Additional properties are not allowed ...") are
rewritten into one located line per problem, with a did-you-mean for typos.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

from sloforge.errors import Problem
from sloforge.load.documents import Document, FieldPath

_PATTERN_HINTS = {
    "^[a-z0-9][a-z0-9_-]*$": "must start with a lowercase letter or digit and hold only a-z, 0-9, - and _",
    "^[a-zA-Z_][a-zA-Z0-9_]*$": "must be a Prometheus label name (letters, digits, _; not starting with a digit)",
    "^([0-9]+(ms|[smhdw]))+$": "is not a duration (write it like 5m, 1h or 30d)",
    "^[a-zA-Z_:][a-zA-Z0-9_:]*$": "must be a Prometheus metric name",
}
_TYPE_NAMES = {"string": "text", "object": "a mapping", "array": "a list", "number": "a number",
               "integer": "a whole number", "boolean": "true or false"}


@cache
def schema(name: str = "native") -> dict[str, Any]:
    text = resources.files("sloforge.schema").joinpath(f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator  # imported late: ~60 ms the CLI often skips

    return Draft202012Validator(schema(name))


@cache
def _fast_validator(name: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(schema(name))


def _plainly_valid(data: object, name: str) -> bool:
    """jsonschema-rs's yes/no (Rust, ~150x faster than jsonschema on a spec) lets the
    valid documents, nearly all of them, skip jsonschema; jsonschema stays the
    reference for everything else and writes every message (tests/core/
    test_schema_fast_path.py holds the two to the same verdicts)."""
    return bool(_fast_validator(name).is_valid(data))


def validate(document: Document, name: str = "native") -> list[Problem]:
    return check(document, name)[0]


def check(document: Document, name: str = "native") -> tuple[list[Problem], set[FieldPath], set[FieldPath]]:
    """(every problem, the paths of the values the schema rejected, the paths of the mappings
    that miss a required key or hold an unknown one).

    A mapping with a missing or unknown key keeps its other values valid; a reader that
    reads it with care for the missing keys may still check them (see load/formats/native.py)."""
    if _plainly_valid(document.data, name):
        return [], set(), set()
    problems = []
    invalid: set[FieldPath] = set()
    keys: set[FieldPath] = set()
    for error in _validator(name).iter_errors(document.data):
        path: FieldPath = tuple(error.absolute_path)
        problems.extend(_problems(document, path, error))
        (keys if error.validator in ("required", "additionalProperties") else invalid).add(path)
    unique = {(p.line, p.field, p.message): p for p in problems}
    return sorted(unique.values(), key=Problem.sort_key), invalid, keys


def _problems(document: Document, path: FieldPath, error: Any) -> list[Problem]:
    kind, value, limit = error.validator, error.instance, error.validator_value
    if kind == "additionalProperties" and isinstance(value, dict):
        known = sorted(error.schema.get("properties", {}))
        out = []
        for key in sorted(set(value) - set(known)):
            if not error.schema.get("properties") and isinstance(error.schema.get("additionalProperties"), dict):
                continue
            hint = difflib.get_close_matches(key, known, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; known fields: {', '.join(known)}"
            out.append(document.problem(path + (key,), f"unknown field{suggestion}"))
        return out
    if kind == "required":
        missing = [k for k in limit if isinstance(value, dict) and k not in value]
        return [document.problem(path, f"missing required field '{k}'") for k in missing]
    field_hint = _FIELD_HINTS.get(str(path[-1]) if path else "")
    message = field_hint(value) if field_hint else None
    return [document.problem(path, message or _message(kind, value, limit, error))]


def _objective_hint(value: Any) -> str | None:
    """0.999 is a fraction where a percentage belongs (the OpenSLO/Sloth habit)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1:
        return (f"{value:g} is a fraction, but objective is a percentage; "
                f"did you mean {round(value * 100, 6):g}?")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 1:
        return f"{value:g} must be a percentage of at least 1, such as 99.9"
    return None


def _threshold_hint(value: Any) -> str | None:
    """A bare number would be a number of seconds: 250 meant as milliseconds is 250 seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g} has no unit; write {value:g}ms or {value:g}s"
    return None


# Value-aware messages for the classic mistakes in a field, by its name.
_FIELD_HINTS = {"objective": _objective_hint, "threshold": _threshold_hint}


def _message(kind: str, value: Any, limit: Any, error: Any) -> str:
    shown = json.dumps(value) if not isinstance(value, (dict, list)) else type(value).__name__
    custom = error.schema.get("errorMessage")  # also shown by yaml-language-server
    if custom and kind not in ("required", "additionalProperties"):
        return f"{shown} {custom}"
    if kind == "type":
        expected = limit if isinstance(limit, list) else [limit]
        return f"{shown} must be {' or '.join(_TYPE_NAMES.get(t, str(t)) for t in expected)}"
    if kind == "pattern":
        return f"{shown} {_PATTERN_HINTS.get(limit, f'must match {limit}')}"
    if kind == "exclusiveMaximum":
        return f"{shown} must be below {limit}"
    if kind == "exclusiveMinimum":
        return f"{shown} must be above {limit}"
    if kind == "maximum":
        return f"{shown} must be at most {limit}"
    if kind == "minimum":
        return f"{shown} must be at least {limit}"
    if kind == "const":
        return f"{shown} must be {json.dumps(limit)}"
    if kind == "enum":
        return f"{shown} must be one of {', '.join(json.dumps(v) for v in limit)}"
    if kind == "minItems":
        return "must not be empty" if limit == 1 else f"needs at least {limit} entries"
    if kind in ("minProperties", "maxProperties"):
        names = ", ".join(error.schema.get("properties", {}))
        return f"must have exactly one of: {names}"
    if kind == "maxLength":
        return f"is longer than {limit} characters"
    if kind == "minLength":
        return "must not be empty"
    if kind == "uniqueItems":
        return "has duplicate entries"
    if kind == "oneOf" and all(set(branch) == {"required"} for branch in limit):
        # "exactly one of these keys" (an SLI's kind beside its definition and exclusions)
        return f"must have exactly one of: {', '.join(k for branch in limit for k in branch['required'])}"
    if kind == "oneOf":
        description = error.schema.get("description")
        if description:
            return f"{shown} is not valid: {description}"
        return f"{shown} is not valid here"
    return str(error.message)
