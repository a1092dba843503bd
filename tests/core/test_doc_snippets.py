"""Command output shown in the docs is the real output.

A code block preceded by `<!-- snippet: sloforge ARGS -->` in README.md or docs/*.md holds
what `sloforge ARGS` prints when run in the repository root; this test runs it and compares,
so a doc cannot keep showing "3 groups" after the rules became 6. Update a block by pasting
the command's output (the failure message prints it).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO, require_tool, run_cli

MARKER = re.compile(r"<!-- snippet: sloforge (?P<args>[^>]*?) -->\n```[a-z]*\n(?P<body>.*?)```", re.S)


def _snippets() -> list[tuple[str, str, str]]:
    found = []
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for match in MARKER.finditer(page.read_text("utf-8")):
            found.append((page.relative_to(REPO).as_posix(), match["args"], match["body"]))
    return found


def test_the_docs_have_snippets() -> None:
    assert any(args == "check out" for _, args, _ in _snippets())


@pytest.mark.parametrize(("page", "args", "body"), _snippets(), ids=lambda v: str(v)[:40])
def test_snippet_is_the_real_output(page: str, args: str, body: str) -> None:
    if args.split()[0] in ("check", "generate"):
        require_tool("promtool")
        require_tool("amtool")
    result = run_cli(*shlex.split(args), cwd=Path(REPO))
    assert result.returncode == 0, result.stderr
    assert result.stdout == body, f"{page}: `sloforge {args}` now prints:\n{result.stdout}"
