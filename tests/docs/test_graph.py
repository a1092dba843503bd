"""`sloforge graph`: Mermaid read by Mermaid's own parser, DOT by Graphviz, and the
drawing says what the catalog says (hard solid, soft dashed, journey steps thick)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sloforge.graph.draw import dot, mermaid

from tests.conftest import REPO, require_tool, run_cli
from tests.docs.test_documents import GOLDEN_DOCS, _journey_catalog

MODULES = REPO / ".tools" / "node_modules"


def _mermaid_parser() -> list[str]:
    node = require_tool("node")
    if not (MODULES / "mermaid").is_dir() or not (MODULES / "jsdom").is_dir():
        if os.environ.get("CI"):
            pytest.fail("mermaid and jsdom are required in CI (make tools installs them into .tools/)")
        pytest.skip("mermaid and jsdom not in .tools/ (make tools installs them)")
    return [node, str(Path(__file__).with_name("mermaid_parse.mjs"))]


def _parse_mermaid(tmp_path: Path, texts: dict[str, str]) -> subprocess.CompletedProcess[str]:
    paths = []
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    # ESM resolves packages from the script's folder upwards, not NODE_PATH: link them next to it.
    link = tmp_path / "node_modules"
    if not link.exists():
        link.symlink_to(MODULES)
    script = tmp_path / "parse.mjs"
    shutil.copy(_mermaid_parser()[1], script)
    return subprocess.run([_mermaid_parser()[0], str(script), *paths], capture_output=True, text=True,
                          timeout=120, check=False)


def test_cli_draws_the_golden_catalog() -> None:
    result = run_cli("graph", str(GOLDEN_DOCS / "input"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "flowchart LR\n"
        '  s0["pay<br/>availability 99.95%<br/>latency 99%"]\n'
        '  s1["search<br/>availability 99.9%"]\n'
        '  s2["shop<br/>availability 99.9%<br/>latency 99%"]\n'
        '  s2 -->|"hard"| s0\n'
        '  s2 -.->|"soft: latency"| s0\n'
        '  s2 -->|"hard"| s1\n')
    dot_text = run_cli("graph", str(GOLDEN_DOCS / "input"), "--format", "dot").stdout
    assert 's2 -> s0 [label="soft: latency", style=dashed];' in dot_text
    assert 's2 -> s1 [label="hard", style=solid];' in dot_text
    bad = run_cli("graph", str(GOLDEN_DOCS / "input"), "--format", "png")
    assert bad.returncode == 2 and "choose one of mermaid, dot" in bad.stderr


def test_journeys_are_drawn() -> None:
    text = mermaid(_journey_catalog())
    assert '  j0(["journey browse<br/>99.9%"])' in text
    assert [line.strip() for line in text.splitlines() if line.strip().startswith("j1 ")] == [
        'j1 ==>|"step 1: availability"| s1', 'j1 ==>|"step 2: availability"| s2',
        'j1 ==>|"step 3: availability"| s0']


def test_mermaid_parses(tmp_path: Path) -> None:
    """Mermaid's parser accepts the graphs (and the index's, in README.md), and rejects a
    broken one, so the check can fail."""
    index = (GOLDEN_DOCS / "expected" / "docs" / "README.md").read_text()
    embedded = re.search(r"```mermaid\n(.*?)```", index, re.DOTALL)
    assert embedded is not None
    texts = {"journeys.mmd": mermaid(_journey_catalog()), "index.mmd": embedded.group(1),
             "broken.mmd": 'flowchart LR\n  a -->|"x| b\n'}
    result = _parse_mermaid(tmp_path, texts)
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert lines[str(tmp_path / "journeys.mmd")] == "ok: flowchart-v2", result.stdout + result.stderr
    assert lines[str(tmp_path / "index.mmd")] == "ok: flowchart-v2"
    assert lines[str(tmp_path / "broken.mmd")].startswith("error: Parse error")


def test_dot_renders_with_graphviz(tmp_path: Path) -> None:
    """Graphviz lays the DOT out: one node per service and journey, one edge per dependency and
    step, soft ones dashed."""
    svg = subprocess.run([require_tool("dot"), "-Tsvg"], input=dot(_journey_catalog()), capture_output=True,
                         text=True, check=True).stdout
    assert svg.count('class="node"') == 5 and svg.count('class="edge"') == 7
    assert svg.count('stroke-dasharray="5,2"') == 1
