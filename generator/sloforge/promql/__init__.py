"""PromQL helpers: window placeholders, parsing, safe string literals."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

# `{{ window }}` is sloforge's placeholder; `{{.window}}` is Sloth's, accepted so
# Sloth queries can be pasted unchanged.
WINDOW_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")
ANY_PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def has_window(query: str) -> bool:
    return bool(WINDOW_PLACEHOLDER.search(query))


def unknown_placeholders(query: str) -> list[str]:
    return [m.group(0) for m in ANY_PLACEHOLDER.finditer(WINDOW_PLACEHOLDER.sub("", query))]


def with_window(query: str, window: str) -> str:
    return WINDOW_PLACEHOLDER.sub(window, query)


def query_problem(query: str, windowed: bool, placeholder: str = "{{ window }}") -> str | None:
    """Why a user's SLI query is unusable (no window placeholder where one is needed, an
    unknown placeholder, not PromQL), or None. `placeholder` is how the format spells it."""
    if windowed and not has_window(query):
        return f"query has no {placeholder} placeholder (write e.g. rate(x[{placeholder}]))"
    unknown = unknown_placeholders(query)
    if unknown:
        return f"unknown placeholder {unknown[0]} (only {placeholder} is replaced)"
    error = parse_error(with_window(query, "5m"))
    return f"not valid PromQL: {error}" if error else None


@lru_cache(maxsize=256)
def parse(expr: str) -> Any:
    """promql-parser's AST of `expr`; raises on invalid PromQL.

    Memoised (and bounded): loading checks a query, then reads the same text's AST
    again for its grouped labels or selector shape. Callers only read the AST; an
    exception is not memoised, so an invalid query raises every time."""
    import promql_parser  # Rust-backed, ~20 µs per expression

    return promql_parser.parse(expr)


def parse_error(expr: str) -> str | None:
    """None when `expr` is valid PromQL, else the parser's message."""
    try:
        parse(expr)
    except (ValueError, TypeError) as exc:
        return str(exc) or "not valid PromQL"
    except BaseException as exc:  # the Rust extension can raise PanicException on odd input
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return f"not valid PromQL ({type(exc).__name__})"
    return None


def is_plain_selector(expr: str) -> bool:
    """True for `metric{...}` (something a range `[5m]` can be appended to)."""
    try:
        return type(parse(expr)).__name__ == "VectorSelector"
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return False


def string(value: str) -> str:
    """A PromQL double-quoted string literal (JSON escaping is a valid subset)."""
    return _JSON.encode(value)


# What json.dumps(value, ensure_ascii=False) uses, made once instead of per call.
_JSON = json.JSONEncoder(ensure_ascii=False)


def regex_escape(text: str) -> str:
    """RE2 escaping for a literal inside a `=~` matcher."""
    return re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", text)


def merge_selector(selector: str, extra: str) -> str:
    """`{job="x"}` + `le="0.3"` -> `{job="x", le="0.3"}`."""
    inner = selector.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1].strip().rstrip(",")
    parts = [p for p in (inner, extra) if p]
    return "{" + ", ".join(parts) + "}"
