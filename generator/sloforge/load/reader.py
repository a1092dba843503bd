"""The one Reader every input plugin reads a document with: located problems
(`path:line: field: message`) and typed field access.

Native specs and the routing spec are checked by a JSON Schema first, so their
readers use only fail/warn/duration; foreign formats have several spellings of one
shape (Sloth's snake_case file and camelCase CRD, OpenSLO v1 and v1alpha), so their
importers read fields through `get`/`known`/`labels`, which record a Problem for
every missing, mistyped or unknown field instead of raising on the first.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from sloforge import durations, promql
from sloforge.errors import Problem
from sloforge.load.documents import Document, FieldPath
from sloforge.model.catalog import Slo

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")
ALERT_NAME_PATTERN = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_TYPE_NAMES = {str: "text", dict: "a mapping", list: "a list", float: "a number", int: "a whole number",
               bool: "true or false"}


@dataclass
class Reader:
    """Reads one document (or one object inside a list document) at `prefix`."""

    doc: Document
    prefix: FieldPath = ()
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(not p.warning for p in self.problems)

    def fail(self, path: FieldPath, message: str) -> None:
        self.problems.append(self.doc.problem(self.prefix + path, message))

    def warn(self, path: FieldPath, message: str) -> None:
        self.problems.append(self.doc.problem(self.prefix + path, message, warning=True))

    def get(self, data: object, path: FieldPath, key: str, kind: type | tuple[type, ...],
            required: bool = False, default: Any = None) -> Any:
        """data[key] if it has the right type; records a problem otherwise."""
        if not isinstance(data, dict) or key not in data or data[key] is None:
            if required:
                self.fail(path, f"missing required field '{key}'")
            return default
        value = data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        numeric = float in kinds and isinstance(value, int) and not isinstance(value, bool)
        if not numeric and (not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool))):
            names = " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)
            self.fail(path + (key,), f"{_show(value)} must be {names}")
            return default
        return float(value) if numeric else value

    def known(self, data: object, path: FieldPath, keys: set[str], what: str = "") -> None:
        """Report fields that are not in `keys`, with a did-you-mean."""
        if not isinstance(data, dict):
            return
        for key in sorted(set(data) - keys):
            hint = difflib.get_close_matches(key, sorted(keys), n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else f"known fields: {', '.join(sorted(keys))}"
            self.fail(path + (key,), f"unknown field{' of ' + what if what else ''}; {suggestion}")

    def labels(self, data: object, path: FieldPath, reserved: set[str]) -> dict[str, str]:
        """A label map; values are printed the way Go's YAML reads them into strings."""
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.fail(path, f"{_show(data)} must be a mapping of label names to values")
            return {}
        out = {}
        for key, value in data.items():
            if not is_label_name(key):
                self.fail(path + (key,), f"'{key}' is not a Prometheus label name")
            elif key in reserved or key.startswith("__"):
                self.fail(path + (key,), f"label '{key}' is set by sloforge itself; choose another name")
            elif isinstance(value, (dict, list)) or value is None:
                self.fail(path + (key,), f"{_show(value)} must be text")
            else:
                out[key] = scalar_text(value)
        return dict(sorted(out.items()))

    def name(self, value: object, path: FieldPath, what: str) -> str | None:
        """A service or SLO name: sloforge uses it in file, group and label names."""
        if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value) or len(value) > 63:
            self.fail(path, f"{what} {_show(value)} must be 1-63 characters of a-z, 0-9, - and _, "
                      "starting with a letter or digit (sloforge uses it in file and rule names)")
            return None
        return value

    def duration(self, value: object, path: FieldPath) -> int | None:
        try:
            return durations.parse(value)
        except durations.DurationError as exc:
            self.fail(path, str(exc))
            return None

    def query(self, query: str, path: FieldPath, windowed: bool) -> bool:
        """A PromQL query with (or, when not `windowed`, optionally without) a window placeholder."""
        problem = promql.query_problem(query, windowed, placeholder="{{.window}}")
        if problem:
            self.fail(path, problem)
        return problem is None


def percent(value: object) -> float:
    """75 or "75%" -> 0.75 (the schema has checked the shape)."""
    if isinstance(value, str):
        value = float(value.rstrip("%"))
    return float(value) / 100  # type: ignore[arg-type]


def scalar_text(value: object) -> str:
    """true -> "true", 0.2 -> "0.2", 90 -> "90" (as Go's YAML decoder spells them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_label_name(key: object) -> bool:
    return isinstance(key, str) and re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", key) is not None


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def agreed_owner(slos: list[Slo], where: tuple[str, int | None], field: str, group: str, hint: str,
                 problems: list[Problem]) -> str | None:
    """The team an imported service's SLOs agree on. A service routes to one team (routing
    checks and overrides go by service), so SLOs naming different teams get none, and say so."""
    owners = {slo.owner for slo in slos}
    if len(owners) == 1:
        return owners.pop()
    named = ", ".join(f"{slo.name}: {slo.owner or 'none'}" for slo in slos)
    problems.append(Problem(where[0], where[1], field, f"the SLOs of {group} name different teams ({named}); "
                            f"a service has one owner, so none is set: {hint}", warning=True))
    return None
