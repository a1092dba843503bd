"""to_yaml builds YAML events itself (render/yaml.py explains why); its text must stay
byte-identical to yaml.dump with one str representer: the old one, kept here verbatim,
plus single quotes for the strings yaml_quote.needs_quotes names (issue 22). Where no
string is newly quoted the text is the old yaml.dump's exactly."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sloforge.render import yaml_text
from sloforge.render.yaml import _dump_slow, _represent, _via_events, to_yaml
from sloforge.render.yaml_quote import needs_quotes

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _OracleDumper(_BaseDumper):  # type: ignore[misc,valid-type]
    pass


def _oracle_str(dumper: _OracleDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and not any(ch in value for ch in "\t\r") and not value.endswith(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_OracleDumper.add_representer(str, _oracle_str)


class _QuotingOracleDumper(_BaseDumper):  # type: ignore[misc,valid-type]
    pass


def _quoting_oracle_str(dumper: _QuotingOracleDumper, value: str) -> yaml.ScalarNode:
    if "\n" not in value and needs_quotes(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return _oracle_str(dumper, value)


_QuotingOracleDumper.add_representer(str, _quoting_oracle_str)
_OPTIONS = {"sort_keys": False, "default_flow_style": False, "allow_unicode": True, "width": 1_000_000, "indent": 2}


def old_to_yaml(data: object) -> str:
    """render.to_yaml before the event-based version, and before issue 22's quoting."""
    return yaml.dump(data, Dumper=_OracleDumper, **_OPTIONS)


def oracle(data: object) -> str:
    """old_to_yaml, with single quotes for what needs_quotes names."""
    return yaml.dump(data, Dumper=_QuotingOracleDumper, **_OPTIONS)


_RESOLVER = yaml.resolver.Resolver()


def _newly_quoted(data: object, seen: set[int] | None = None) -> bool:
    """Some single-line str in `data` needs quotes that PyYAML's own resolver did not ask for."""
    seen = set() if seen is None else seen
    if id(data) in seen:
        return False
    seen.add(id(data))
    if type(data) is str:
        return ("\n" not in data and needs_quotes(data)
                and _RESOLVER.resolve(yaml.ScalarNode, data, (True, False)) == "tag:yaml.org,2002:str")
    if isinstance(data, dict):
        return any(_newly_quoted(k, seen) or _newly_quoted(v, seen) for k, v in data.items())
    if isinstance(data, list | tuple):
        return any(_newly_quoted(v, seen) for v in data)
    return False


def _check(data: object, text: str) -> None:
    assert text == oracle(data)
    if not _newly_quoted(data):
        assert text == old_to_yaml(data)


TRICKY = [
    "", " ", "  ", " a", "a ", " a ", "a: b", "a:b", "a:", ":", "::", "a #b", "#", "#a", "- ", "-", "--", "---",
    "- a", "?", "? a", "'", '"', "'a'", '"a"', "a'b", 'a"b', "\\", "yes", "no", "on", "off", "y", "n", "Yes", "NO",
    "true", "False", "TRUE", "null", "Null", "NULL", "~", "1", "-1", "+1", "01", "0o17", "0x1f", "0b101", "1_000",
    "1.0", "1.", ".5", "1e3", "1.0e3", "-1.5e-3", ".inf", "-.inf", ".Inf", ".NaN", ".nan", "2024-01-01",
    "2024-01-01T10:00:00Z", "2024-01-01 10:00:00", "12:30:45", "190:20:30", "*", "*a", "&", "&a", "!", "!a", "!!str",
    "%", "%YAML", "@", "`", "|", "|-", ">", ">-", "{", "}", "{}", "[", "]", "[]", ",", "a,b", "=", "<<", "a\nb",
    "a\n", "\n", "\na", "a\n\n", "a\n ", " a\nb", "a\tb", "\t", "a\rb", "\r\n", "a\n\tb", "é", "ünïcödé", "日本語",
    "😀", "a\u2028b", "\u0085", "\x00", "\x7f", "\ufeff", "x" * 200, "word " * 60, "sum(rate(x[5m])) > 0.5",
    'job="api"', "{{ $value }}", "a\nb\n" * 30,
]
FLOATS = [0.1, 1e-05, 14.4, -2.5, 0.0, -0.0, 1e17, 1e300, 123456789.0, float("inf"), float("-inf"), float("nan")]

strings = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30),
                    st.lists(st.sampled_from(TRICKY), max_size=4).map("".join))
scalars = st.one_of(strings, st.integers(), st.sampled_from(FLOATS), st.floats(), st.booleans(), st.none())
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(strings, children, max_size=5)),
    max_leaves=40,
)


def _same(loaded: object, data: object) -> bool:
    """Equality with NaN == NaN."""
    if isinstance(data, float) and math.isnan(data):
        return isinstance(loaded, float) and math.isnan(loaded)
    if isinstance(data, dict):
        return (isinstance(loaded, dict) and list(loaded) == list(data)
                and all(_same(loaded[k], v) for k, v in data.items()))
    if isinstance(data, list):
        return (isinstance(loaded, list) and len(loaded) == len(data)
                and all(_same(a, b) for a, b in zip(loaded, data, strict=True)))
    return type(loaded) is type(data) and loaded == data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_identical_to_yaml_dump(data: object) -> None:
    text = to_yaml(data)
    _check(data, text)
    assert _same(yaml.safe_load(text), data)
    assert _dump_slow(data) == text
    assert _via_events(data) == text  # the emitter path, whether or not yaml_text took this one


# Shaped like sloforge's output (a mapping at the top, text and numbers inside), so that
# yaml_text's direct writer, not its fallback, meets most of them.
plain_strings = st.one_of(st.sampled_from(TRICKY), st.from_regex(r"[a-z_:{}=\"(). \[\]#,'-]{0,12}", fullmatch=True),
                          st.lists(st.sampled_from(["a", "b c", "x: y", "#", "'", "\n", "\n\n", " "]), max_size=5)
                          .map("".join))
shaped = st.recursive(
    st.one_of(plain_strings, st.integers(), st.sampled_from(FLOATS), st.booleans(), st.none()),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(plain_strings, children, max_size=4)),
    max_leaves=30,
).map(lambda value: {"k": value})


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shaped)
def test_direct_writer_identical_to_yaml_dump(data: object) -> None:
    try:
        text = yaml_text.document(data, _represent)
    except yaml_text.Unsupported:
        return
    _check(data, text)


def test_direct_writer_takes_sloforge_shapes() -> None:
    data = {"groups": [{"name": "g", "interval": "1m", "rules": [
        {"record": "slo:x:rate5m", "expr": 'sum(rate(x{job="a"}[5m]))', "labels": {"slo_name": "a-b", "n": 1}},
        {"alert": "X", "expr": "max(\n  a\n) > 1\n", "for": "2m", "labels": {},
         "annotations": {"summary": "svc a: burning", "description": "it's {{ $value }} # here"}}]}],
        "tests": [{"values": ["1+0x10", "0.5"], "exp_samples": [], "eval_time": 65, "x": [[1, 2.5, None, True]]}]}
    text = yaml_text.document(data, _represent)
    assert text == oracle(data)
    assert "      'n': 1\n" in text  # YAML 1.1's false


def test_every_tricky_scalar_alone_and_in_context() -> None:
    for value in [*TRICKY, *FLOATS, 0, -7, 10**30, True, False, None]:
        for data in (value, [value], {"k": value}, {str(value): [value, {"n": value}]}, {"a": {"b": [[value]]}}):
            _check(data, to_yaml(data))
            assert _via_events(data) == _dump_slow(data) == to_yaml(data), repr(data)


def test_empty_containers_and_non_str_keys() -> None:
    data: object
    for data in ({}, [], {"a": {}, "b": []}, [[], {}], {1: "a", None: "b", False: "c", 1.5: "d", -2: {}}):
        _check(data, to_yaml(data))


def test_shared_and_unusual_values_fall_back_to_yaml_dump() -> None:
    shared = {"x": 1}
    empty: list[object] = []
    loop: list[object] = []
    loop.append(loop)
    for data in ({"a": shared, "b": shared}, [empty, empty], loop, {"t": (1, "a")}, {"s": {1, 2}},
                 {("k", 1): "v"}):
        _check(data, to_yaml(data))
    assert "&id001" in to_yaml({"a": shared, "b": shared})
    with pytest.raises(yaml.representer.RepresenterError):  # as before: the safe dumper refuses str subclasses
        to_yaml({"sub": type("S", (str,), {})("text")})
