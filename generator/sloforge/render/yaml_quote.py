"""Which strings must be quoted so that every YAML reader reads them back as strings.

PyYAML quotes what its own YAML 1.1 resolver would misread; kubectl, Helm and Argo CD
read our files with other resolvers (Go's yaml.v2/v3, YAML 1.2 schemas), and a label
`cost_center: 0815` reaches a Kubernetes CRD as the number 815. needs_quotes() is the
one rule all three writers in render/ (yaml_text, the event path, yaml.dump) apply: a
str it accepts is written single-quoted, which every YAML reader reads as that string.

A plain scalar is misread when it matches, in full, any of (the union of the YAML 1.1
type regexes at yaml.org/type, the YAML 1.2 core and JSON schemas, PyYAML's, ruamel's,
Go yaml.v2/v3's resolve() and Ruby Psych's scalar scanner):
- a null/bool/merge/value word: "" ~ null y n yes no true false on off (any letter case,
  as Psych compares them), = <<;
- a number, after an optional sign: 0b/0o/0x (either case, Go) with binary/octal/hex
  digits; digits (leading zeros: octal in 1.1 and Go, decimal in 1.2); digits with
  ":NN" sexagesimal groups (1.1), optionally followed by a fraction; floats with a dot
  anywhere in a run of digits and dots ("1.", ".5", and, as the 1.1 spec's regex reads,
  "1.2.3" and "."); an exponent, with or without a sign and with or without a dot
  ("1e3", 1.2 and Go); .inf and .nan in any case. "_" may stand among the digits
  (1.1, ruamel, Go, which drops every "_" before parsing, so the test is also made
  without them) and "," too (Psych reads "1,000" as 1000);
- a timestamp: yyyy-m-d, optionally followed by T/t or blanks and h:m:s[.frac][ zone].

Cheap for the common case: a string whose first character cannot start any of these
("checkout", "sum(rate(...))", "slo:...") is decided by one set lookup; the others
are cached (label values and names repeat across files).
"""

from __future__ import annotations

import re

# The words, compared lowercased (Psych: /^(yes|true|on)$/i ...; the others list
# their case variants, all of which lowercase to these).
_WORDS = frozenset({"~", "null", "y", "n", "yes", "no", "true", "false", "on", "off", "=", "<<"})
_WORD_START = frozenset("~nNyYtTfFoO=<")
_NUMBER_START = frozenset("0123456789+-.")
_FIRST = _WORD_START | _NUMBER_START

_DIGITS = r"[0-9_][0-9_,]*"  # a run of digits; "_" (1.1, Go, ruamel) and "," (Psych) among them
_NUMBER = re.compile(
    r"[-+]?(?:"
    r"0[bB][01_,]+|0[oO][0-7_,]+|0[xX][0-9a-fA-F_,]+"  # 1.1/Go binary, 1.2/Go octal, hex
    rf"|{_DIGITS}(?::[0-5]?[0-9])+(?:\.[0-9_,]*)?"  # 1.1 sexagesimal int and float
    rf"|(?:{_DIGITS})?\.[0-9_.,]*(?:[eE][-+]?[0-9_]+)?"  # floats with a dot ("1.2.3": 1.1's [0-9.]*)
    rf"|{_DIGITS}(?:[eE][-+]?[0-9_]+)?"  # ints; floats with an exponent only (1.2, Go)
    r"|\.(?:[iI][nN][fF]|[nN][aA][nN])"  # .inf, .nan (any case: Psych)
    r")"
)
_TIMESTAMP = re.compile(
    r"-?[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?"
)

_SEEN: dict[str, bool] = {}
_MAX_SEEN = 100_000


def needs_quotes(text: str) -> bool:
    """True when some YAML 1.1/1.2 reader would read `text`, written plain, as anything but this string."""
    if not text:
        return True
    if text[0] not in _FIRST:
        return False
    found = _SEEN.get(text)
    if found is None:
        if len(_SEEN) > _MAX_SEEN:
            _SEEN.clear()
        found = _SEEN[text] = _misread(text)
    return found


def _misread(text: str) -> bool:
    if len(text) <= 5 and text.lower() in _WORDS:
        return True
    if text[0] not in _NUMBER_START:
        return False
    if _NUMBER.fullmatch(text) or _TIMESTAMP.fullmatch(text):
        return True
    # Go's yaml.v2/v3 drop every "_" before parsing a number ("0_x1F" is 31).
    return "_" in text and _NUMBER.fullmatch(text.replace("_", "")) is not None
