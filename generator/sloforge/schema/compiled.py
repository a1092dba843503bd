"""A compiled yes/no check for the JSON Schema subset sloforge's schemas use.

jsonschema walks the schema for every value of every document, with a $ref
lookup and a validator copy per step: about 3 ms per spec, the largest part of
loading a big catalog. Nearly every document is valid, so validate.py first
asks this check, compiled once into closures; only a document it does not
accept goes through jsonschema, which stays the reference and writes every
message. So the check must agree with jsonschema exactly (oneOf counts
matches: "not sure" cannot simply count as "invalid"):
- a schema using a keyword outside the subset compiles to None (jsonschema
  for every document of that kind);
- a value it cannot judge exactly raises Unsure (jsonschema for that document).
tests/core/test_schema_compiled.py holds it against jsonschema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[object], bool]

_ANNOTATIONS = {"title", "description", "$comment", "default", "examples"}
_ROOT_ONLY = {"$schema", "$id", "$defs"}
_DEFS = "#/$defs/"


class Unsupported(Exception):
    """The schema uses something this module does not implement."""


class Unsure(Exception):
    """This value needs jsonschema's own judgement (e.g. uniqueItems on numbers)."""


def compile_schema(schema: object) -> Check | None:
    """A function that says whether a value is valid, or None when the schema is outside the subset."""
    try:
        return _Compiler(schema).check(schema, root=True)
    except Unsupported:
        return None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    # jsonschema's draft 6+ type checker: 1.0 is an integer, True is not.
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}


def _all(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(check(v) for check in checks)


class _Compiler:
    def __init__(self, root: object):
        self.root = root
        self.defs: dict[str, Check | None] = {}

    def check(self, schema: object, root: bool = False) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise Unsupported(schema)
        checks = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or (root and keyword in _ROOT_ONLY):
                continue
            if keyword in ("properties", "additionalProperties"):
                if keyword == "additionalProperties" or "additionalProperties" not in schema:
                    checks.append(self.object_keys(schema))  # one check for both keywords
                continue
            build = _KEYWORDS.get(keyword)
            if build is None:
                raise Unsupported(keyword)
            checks.append(build(self, value))
        return _all(checks) if checks else (lambda v: True)

    def kw_ref(self, ref: object) -> Check:
        if not isinstance(ref, str) or not ref.startswith(_DEFS) or any(c in ref[len(_DEFS):] for c in "/~%"):
            raise Unsupported(ref)
        name = ref[len(_DEFS):]
        defs = self.root.get("$defs", {}) if isinstance(self.root, dict) else {}
        if name not in defs:
            raise Unsupported(ref)
        if name not in self.defs:
            self.defs[name] = None  # marks a definition being compiled
            self.defs[name] = self.check(defs[name])
        found = self.defs[name]
        if found is None:
            raise Unsupported(f"recursive {ref}")  # sloforge's schemas have none
        return found

    def kw_type(self, names: object) -> Check:
        wanted = names if isinstance(names, list) else [names]
        if not all(isinstance(n, str) and n in _TYPES for n in wanted):
            raise Unsupported(names)
        tests = [_TYPES[n] for n in wanted]  # type: ignore[index]
        return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))

    def kw_const(self, const: object) -> Check:
        return self.kw_enum([const])

    def kw_enum(self, values: object) -> Check:
        # jsonschema's equality keeps True apart from 1 and compares containers deeply;
        # for text, booleans and null it is plain == / `is`, which is all sloforge's schemas use.
        if not isinstance(values, list) or not all(v is None or isinstance(v, (str, bool)) for v in values):
            raise Unsupported(values)
        texts = {v for v in values if isinstance(v, str)}
        others = [v for v in values if not isinstance(v, str)]
        return lambda v: (isinstance(v, str) and v in texts) or any(v is o for o in others)

    def kw_pattern(self, pattern: object) -> Check:
        if not isinstance(pattern, str):
            raise Unsupported(pattern)
        search = re.compile(pattern).search  # jsonschema: re.search, not fullmatch
        return lambda v: not isinstance(v, str) or search(v) is not None

    def kw_maxLength(self, limit: Any) -> Check:
        return lambda v: not isinstance(v, str) or len(v) <= limit

    def kw_minLength(self, limit: Any) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= limit

    def kw_minimum(self, limit: Any) -> Check:
        return lambda v: not _is_number(v) or v >= limit

    def kw_maximum(self, limit: Any) -> Check:
        return lambda v: not _is_number(v) or v <= limit

    def kw_exclusiveMinimum(self, limit: Any) -> Check:
        return lambda v: not _is_number(v) or v > limit

    def kw_exclusiveMaximum(self, limit: Any) -> Check:
        return lambda v: not _is_number(v) or v < limit

    def kw_required(self, names: Any) -> Check:
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)

    def kw_minProperties(self, limit: Any) -> Check:
        return lambda v: not isinstance(v, dict) or len(v) >= limit

    def kw_maxProperties(self, limit: Any) -> Check:
        return lambda v: not isinstance(v, dict) or len(v) <= limit

    def kw_minItems(self, limit: Any) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= limit

    def kw_maxItems(self, limit: Any) -> Check:
        return lambda v: not isinstance(v, list) or len(v) <= limit

    def object_keys(self, schema: dict[str, Any]) -> Check:
        """properties and additionalProperties (the latter needs the former's names)."""
        if "patternProperties" in schema or not isinstance(schema.get("properties", {}), dict):
            raise Unsupported("patternProperties")
        known = {key: self.check(sub) for key, sub in schema.get("properties", {}).items()}
        extra = self.check(schema["additionalProperties"]) if "additionalProperties" in schema else None

        def check(v: object) -> bool:
            if not isinstance(v, dict):
                return True
            for key, item in v.items():
                test = known.get(key, extra)
                if test is not None and not test(item):
                    return False
            return True

        return check

    def kw_propertyNames(self, schema: object) -> Check:
        test = self.check(schema)
        return lambda v: not isinstance(v, dict) or all(test(key) for key in v)

    def kw_items(self, schema: object) -> Check:
        test = self.check(schema)
        return lambda v: not isinstance(v, list) or all(test(item) for item in v)

    def kw_uniqueItems(self, unique: object) -> Check:
        if unique is not True:
            raise Unsupported(unique)
        return _unique

    def kw_oneOf(self, schemas: object) -> Check:
        tests = self.many(schemas)
        return lambda v: sum(1 for t in tests if t(v)) == 1

    def kw_anyOf(self, schemas: object) -> Check:
        tests = self.many(schemas)
        return lambda v: any(t(v) for t in tests)

    def kw_allOf(self, schemas: object) -> Check:
        tests = self.many(schemas)
        return lambda v: all(t(v) for t in tests)

    def many(self, schemas: object) -> list[Check]:
        if not isinstance(schemas, list) or not schemas:
            raise Unsupported(schemas)
        return [self.check(s) for s in schemas]


_KEYWORDS: dict[str, Callable[[_Compiler, Any], Check]] = {
    "$ref": _Compiler.kw_ref, "type": _Compiler.kw_type, "const": _Compiler.kw_const, "enum": _Compiler.kw_enum,
    "pattern": _Compiler.kw_pattern, "maxLength": _Compiler.kw_maxLength, "minLength": _Compiler.kw_minLength,
    "minimum": _Compiler.kw_minimum, "maximum": _Compiler.kw_maximum,
    "exclusiveMinimum": _Compiler.kw_exclusiveMinimum, "exclusiveMaximum": _Compiler.kw_exclusiveMaximum,
    "required": _Compiler.kw_required, "minProperties": _Compiler.kw_minProperties,
    "maxProperties": _Compiler.kw_maxProperties, "propertyNames": _Compiler.kw_propertyNames,
    "minItems": _Compiler.kw_minItems, "maxItems": _Compiler.kw_maxItems, "items": _Compiler.kw_items,
    "uniqueItems": _Compiler.kw_uniqueItems, "oneOf": _Compiler.kw_oneOf, "anyOf": _Compiler.kw_anyOf,
    "allOf": _Compiler.kw_allOf,
}


def _unique(value: object) -> bool:
    if not isinstance(value, list):
        return True
    if not all(isinstance(item, str) for item in value):
        raise Unsure  # jsonschema's uniq: 1 and True differ, 1 and 1.0 do not, lists compare deeply
    return len(set(value)) == len(value)
