"""Block-style YAML text for the common shapes, written without the emitter.

render.to_yaml's event path still spends half its time handing ~3,600 events
per rule file to libyaml's emitter one by one. For what sloforge writes (block
mappings and sequences, `{}`/`[]` when empty, single-line scalars and `|`
literals of plain text) the emitter's choices are few and are reproduced here
from libyaml's emitter.c (yaml_emitter_analyze_scalar, select_scalar_style,
write_literal_scalar; indent 2, width 1,000,000, allow_unicode):
- a mapping's keys at its indent, a nested mapping 2 deeper, a sequence that
  is a mapping value at the mapping's own indent ("indentless"), items "- ";
- a scalar is plain when its tag resolves implicitly and nothing in it reads as
  YAML syntax, else single-quoted; a str is also single-quoted when another YAML
  reader would misread it (yaml_quote.needs_quotes, the style render._str_style
  asks the emitter for);
- a `|` literal's lines sit 2 deeper than its key or dash, `|-` when the text
  does not end in a line break.
Anything else (double quotes, tags, complex keys, `|+`, indentation hints,
control or astral characters, shared containers, ...) raises Unsupported and
render/yaml.py takes the event path for the whole document, so the text stays
byte-identical. tests/core/test_render_yaml.py checks both against yaml.dump.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from sloforge.render.yaml_quote import needs_quotes


class Unsupported(Exception):
    pass


# What libyaml calls printable (0x0A, 0x20-0x7E, 0xA0-0xD7FF, 0xE000-0xFFFD but not
# the BOM), without the line breaks \u2028 and \u2029: strings made only of these
# need no escapes. Line feeds are allowed only in `|` literals.
_SAFE = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*")
# What rules out the plain style for single-line printable text (libyaml's
# block_plain_allowed): leading or trailing space, "---"/"..." at the start, an
# indicator as first character ("-", "?", ":" only before a space or alone), and
# ": " / " #" (or a final ":") anywhere.
_NOT_PLAIN_START = re.compile(r"[-?:](?: |$)|[#,\[\]{}&*!|>'\"%@`]|---|\.\.\.| ")
_STR_TAG = "tag:yaml.org,2002:str"
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers  # the safe dumper's, by first character
assert not yaml.resolver.Resolver.yaml_implicit_resolvers.get(None)  # no resolver for every character

# Single-line str -> its text. Shared by all calls (label names and values, rule
# names and expressions repeat across files) and bounded.
_TEXTS: dict[str, str] = {}
_MAX_TEXTS = 100_000
_KEY_BYTES = 128  # a longer key is written as "? key" (libyaml's check_simple_key)

Represent = Callable[[object], tuple[str, str]]  # int/float/bool/None -> (tag, text), as the representer does


def document(data: object, represent: Represent) -> str:
    """The YAML text of `data`; raises Unsupported when it needs what this module leaves to the emitter."""
    if len(_TEXTS) > _MAX_TEXTS:
        _TEXTS.clear()
    return _Writer(represent).document(data)


class _Writer:
    def __init__(self, represent: Represent):
        self.represent = represent
        self.seen: set[int] = set()
        self.out: list[str] = []

    def document(self, data: object) -> str:
        if type(data) is dict and data:
            self.mapping(data, 0, "")
        elif type(data) is list and data:
            self.sequence(data, 0, "")
        elif type(data) is dict or type(data) is list:
            self.out.append("{}\n" if type(data) is dict else "[]\n")
        else:
            raise Unsupported  # a lone scalar ends with "..." and friends
        return "".join(self.out)

    def once(self, value: object) -> None:
        if id(value) in self.seen:
            raise Unsupported  # yaml.dump writes an anchor and an alias
        self.seen.add(id(value))

    def mapping(self, value: dict[object, object], indent: int, first: str) -> None:
        """Keys at `indent`; the first one after `first` ("- " or nothing) when that is not ""."""
        if id(value) in self.seen:
            raise Unsupported  # yaml.dump writes an anchor and an alias
        self.seen.add(id(value))
        out, texts = self.out, _TEXTS
        pad = " " * indent
        for key, item in value.items():
            key_text = texts.get(key) if type(key) is str else None  # type: ignore[arg-type]
            if key_text is None:
                key_text = self.scalar(key)
            if len(key_text) > _KEY_BYTES // 3 and len(self.value_text(key).encode("utf-8")) > _KEY_BYTES:
                raise Unsupported  # written as "? key" (libyaml's check_simple_key counts the value's bytes)
            line = (first or pad) + key_text + ":"
            first = ""
            text = texts.get(item) if type(item) is str else None  # type: ignore[arg-type]
            if text is not None:
                out.append(line + " " + text + "\n")
            elif type(item) is dict and item:
                out.append(line + "\n")
                self.mapping(item, indent + 2, "")
            elif type(item) is list and item:
                out.append(line + "\n")
                self.sequence(item, indent, "")  # indentless under a mapping key
            else:
                out.append(line + " " + self.leaf(item, indent + 2) + "\n")

    def sequence(self, value: list[object], indent: int, first: str) -> None:
        self.once(value)
        out = self.out
        dash = " " * indent + "- "
        for item in value:
            start = first + "- " if first else dash
            first = ""
            if type(item) is dict and item:
                self.mapping(item, indent + 2, start)
            elif type(item) is list and item:
                self.sequence(item, indent + 2, start)
            else:
                out.append(start + self.leaf(item, indent + 2) + "\n")

    def leaf(self, value: object, indent: int) -> str:
        """An empty container or a scalar; a literal's lines sit at `indent`."""
        if type(value) is dict or type(value) is list:
            self.once(value)
            return "{}" if type(value) is dict else "[]"
        if type(value) is str and "\n" in value:
            return _literal(value, indent)
        return self.scalar(value)

    def value_text(self, value: object) -> str:
        return value if type(value) is str else self.tagged(value)[1]  # type: ignore[return-value]

    def tagged(self, value: object) -> tuple[str, str]:
        if type(value) is str:
            return _STR_TAG, value  # type: ignore[return-value]
        if type(value) in (int, float, bool) or value is None:
            return self.represent(value)
        raise Unsupported

    def scalar(self, value: object) -> str:
        """A single-line scalar: plain when that reads back the same, else single-quoted."""
        tag, text = self.tagged(value)
        if not _SAFE.fullmatch(text):
            raise Unsupported  # line breaks (a multi-line key or quoted text), escapes
        if text and _plain_implicit(text, tag) and _plain_allowed(text) and not (tag == _STR_TAG
                                                                                and needs_quotes(text)):
            found = text
        elif tag == _STR_TAG:  # a quoted scalar resolves to str: no tag needed
            found = "'" + text.replace("'", "''") + "'"
        else:
            raise Unsupported  # a non-str whose text does not read back needs a tag
        if type(value) is str:
            _TEXTS[value] = found
        return found


def _plain_allowed(text: str) -> bool:
    return not (_NOT_PLAIN_START.match(text) or text[-1] in " :" or ": " in text or " #" in text)


def _plain_implicit(text: str, tag: str) -> bool:
    """The serializer's implicit[0]: plain `text` reads back as `tag` (Resolver.resolve, minus
    the path resolvers the safe dumper does not have)."""
    for resolved, pattern in _IMPLICIT.get(text[0], ()):
        if pattern.match(text):
            return resolved == tag  # type: ignore[no-any-return]
    return tag == _STR_TAG


def _literal(text: str, indent: int) -> str:
    """A `|` or `|-` block, the style render._str_style gives text with a line feed."""
    if text[0] in " \n" or text[-1] == " " or " \n" in text or not _SAFE.fullmatch(text.replace("\n", "")):
        # An indentation hint; quoted instead (str_style, or a space before a break
        # rules the block style out); tabs, carriage returns and others need escapes.
        raise Unsupported
    if text.endswith("\n"):
        if text.endswith("\n\n"):
            raise Unsupported  # "|+" keeps trailing breaks and leaves the document open-ended
        header, body = "|", text[:-1]
    else:
        header, body = "|-", text
    pad = " " * indent
    return header + "\n" + "\n".join(pad + line if line else "" for line in body.split("\n"))
