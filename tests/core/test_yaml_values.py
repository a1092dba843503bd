"""load/values.py has two builders: straight from parse events (files without anchors,
aliases or merge keys) and from composed nodes (the rest). They must give the same
values, lines and problems; the node builder is the older one, so it is the oracle."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sloforge.errors import SpecError
from sloforge.load import values
from sloforge.load.documents import _Loader, _plain

from tests.conftest import REPO
from tests.core.test_render_yaml import FLOATS, TRICKY


def _outcome(build: object) -> object:
    try:
        return list(build)  # type: ignore[call-overload]
    except SpecError as exc:
        return [(p.path, p.line, p.field, p.message) for p in exc.problems]


def _both(text: str) -> tuple[object, object] | None:
    """(from events, from nodes), or None when the text is not YAML or needs the node builder."""
    try:
        events = list(yaml.parse(text, Loader=_Loader))
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except (yaml.YAMLError, RecursionError):
        return None
    if not _plain(events):
        return None
    return _outcome(values.from_events(events, "x.yml")), _outcome(values.from_nodes(nodes, "x.yml"))


def test_same_on_every_yaml_file_in_the_repo() -> None:
    compared = 0
    for path in sorted(REPO.glob("**/*.y*ml")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        both = _both(text)
        if both is not None:
            assert both[0] == both[1], path
            compared += 1
    assert compared > 50


HOSTILE = [
    "a: 1\na: 2\n", "? [a, b]\n: c\n", "? {a: 1}\n: c\n", "1: a\n1.5: b\nnull: c\ntrue: d\n~: e\n",
    "a: .inf\n", "a: -.nan\n", "a: 2024-01-01\n", "a: 2024-01-01 10:00:00\n", "a: !!binary aGVsbG8=\n",
    "a: !!int 12\n", "a: !!int x\n", "a: !!float 1\n", "a: !custom x\n", "a: ! 12\n", "a: !!str 12\n",
    "a: =\n", "a: " + "9" * 5000 + "\n", "---\n", "--- 1\n--- [a]\n---\n--- {a: b}\n", "[]\n", "{}\n",
    "- - - - - x\n", "a:\n  - b: c\n    d: [1, 2, {e: f}]\n", "!!set {a, b}\n", "!!omap [a: 1]\n",
    "a: 0o17\nb: 0x1f\nc: 1_000\nd: +1\ne: 012\nf: 1e3\ng: 1.0e3\nh: yes\ni: On\n", "'a': \"b\"\n",
    "a: |\n  x\n  y\nb: >\n  z\n", "a: 1\n---\na: 1\na: 2\n",
]


def test_same_on_hostile_snippets() -> None:
    for text in HOSTILE:
        both = _both(text)
        assert both is not None, text
        assert both[0] == both[1], text


keys = st.one_of(st.sampled_from(TRICKY), st.text(max_size=8), st.integers(), st.booleans())
scalars = st.one_of(st.sampled_from(TRICKY), st.text(max_size=20), st.integers(), st.sampled_from(FLOATS),
                    st.booleans(), st.none())
data = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=4),
                                                        st.dictionaries(keys, children, max_size=4)),
                    max_leaves=25)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(data, min_size=1, max_size=3), st.sampled_from([None, True, False]), st.booleans())
def test_same_on_random_documents(documents: list[object], flow: bool | None, canonical: bool) -> None:
    text = yaml.safe_dump_all(documents, default_flow_style=flow, canonical=canonical, allow_unicode=True)
    both = _both(text)
    if both is not None:
        assert both[0] == both[1], text
