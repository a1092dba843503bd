"""GitHub-flavoured Markdown from the templates: the environment and its escaping filters.

Markdown is not HTML, so Jinja2's autoescape does not apply; instead every piece of
user text goes through a filter that makes it literal:

* `inline`: text after other text on its line. Characters that start emphasis, code,
  links, HTML or end a table cell (`|`) are backslash-escaped; newlines become spaces.
* `md`: the same for text that may start a line (a paragraph, a list item), where `#`,
  `-`, `>` or `1.` would open a heading, a list or a quote.
* `cell`: `inline` inside a table cell, `-` when empty.
* `code`: an inline code span long enough that no run of backticks inside closes it.
* `fence`: the backtick fence of a code block longer than any run inside it.
* `link`: a link target in angle brackets (spaces and parentheses stay in it).
"""

from __future__ import annotations

import re
from functools import cache

import jinja2

from sloforge.render.templates import environment

# CommonMark's ASCII punctuation that can start markup mid-line; `#`, `+`, `-`, `=`, `>`
# and a digit's `.` only matter at the start of a line (escaped by `md`).
_ACTIVE = re.compile(r"([\\`*_{}\[\]<>|~!])")
_LINE_START = re.compile(r"^([#+\-=>]|\d+[.)])")


def md(text: object) -> str:
    """Escaped text that may start a line (a list item's): `1.` or `#` there is escaped too."""
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if len(m.group(1)) == 1
                           else m.group(1)[:-1] + "\\" + m.group(1)[-1], inline(text))


def inline(text: object) -> str:
    """Escaped text placed after other text on its line."""
    return _ACTIVE.sub(r"\\\1", " ".join(str(text).split()))


def cell(text: object) -> str:
    """A table cell: escaped text, or `-` for nothing (an empty cell reads as a mistake)."""
    escaped = inline(text)
    return escaped if escaped else "-"


def code(text: object) -> str:
    flat = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    # A `|` ends a table cell even inside a code span (GFM): escape it there too.
    body = flat.replace("|", "\\|")
    return f"{ticks}{pad}{body}{pad}{ticks}"


def fence(text: object) -> str:
    longest = max((len(run) for run in re.findall(r"`+", str(text))), default=0)
    return "`" * max(3, longest + 1)


def link(url: object) -> str:
    return "<" + str(url).replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("\n", "") + ">"


@cache
def markdown_environment() -> jinja2.Environment:
    env = environment().overlay(trim_blocks=True, lstrip_blocks=True)
    env.filters.update(md=md, inline=inline, cell=cell, code=code, fence=fence, link=link)
    return env


def render(template: str, **values: object) -> str:
    """A whole Markdown file: the template's text, ending in one newline."""
    text = markdown_environment().get_template(template).render(**values)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
