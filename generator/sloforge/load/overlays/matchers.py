"""Alertmanager label matchers (`name="value"`, `name=~"regex"`) parsed and checked."""

from __future__ import annotations

import re

from sloforge.model.routing import Matcher

_MATCHER = re.compile(r'^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$', re.DOTALL)
_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"$', re.DOTALL)


_NOT_RE2 = re.compile(r"\(\?<?[=!]|\\[1-9]")


class MatcherError(ValueError):
    pass


def parse(text: str) -> Matcher:
    """`team="payments"` -> Matcher. Raises MatcherError with what to write instead."""
    match = _MATCHER.match(text)
    if not match:
        raise MatcherError(f"{text!r} is not a matcher; write it like name=\"value\" "
                           "(operators =, !=, =~, !~)")
    name, op, raw = match.groups()
    if raw.startswith('"'):
        quoted = _QUOTED.match(raw)
        if not quoted:
            raise MatcherError(f"{text!r}: the value's quotes are unbalanced")
        value = re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), quoted.group(1))
    else:
        if any(ch in raw for ch in '"{},'):
            raise MatcherError(f"{text!r}: quote the value, e.g. {name}{op}\"...\"")
        value = raw
    if op in ("=~", "!~"):
        if _NOT_RE2.search(value):
            raise MatcherError(f"{text!r}: Alertmanager's regular expressions (Go RE2) have no "
                               "lookaround or backreferences")
        try:
            re.compile(value)
        except re.error as exc:
            raise MatcherError(f"{text!r}: invalid regular expression: {exc}") from None
    return Matcher(name, op, value)
