"""Issue 22, point 2: every str sloforge writes reads back as that str in every YAML reader.

PyYAML only quoted what its own YAML 1.1 resolver misreads; kubectl, Helm and Argo CD
read with Go's yaml.v2/v3 or YAML 1.2 resolvers, and `cost_center: 0815` reached a
Kubernetes CRD as the number 815. Checked here against real readers (ruamel.yaml as a
YAML 1.2 and as a YAML 1.1 reader, PyYAML) and against the published resolution rules
(YAML 1.1 types, YAML 1.2 core and JSON schemas, Go yaml.v2/v3's resolve()) restated
below independently of render/yaml_quote.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from sloforge.render.yaml import _dump_slow, _via_events, to_yaml
from sloforge.render.yaml_quote import needs_quotes

from tests.conftest import run_cli
from tests.core.test_render_yaml import TRICKY


def _ruamel(version: tuple[int, int]) -> YAML:
    reader = YAML(typ="safe", pure=True)
    reader.version = version
    return reader


READERS = {
    "ruamel YAML 1.2": _ruamel((1, 2)).load,
    "ruamel YAML 1.1": _ruamel((1, 1)).load,
    "PyYAML": yaml.safe_load,
}

# The resolution rules as published, for the plain scalars left in the text.
_YAML11 = [  # yaml.org/type/{bool,null,int,float,timestamp,merge,value}.html, verbatim
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
    r"~|null|Null|NULL|",
    r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+",
    r"[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
    r"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\.[0-9]*)?"
    r"(([ \t]*)Z|[-+][0-9][0-9]?(:[0-9][0-9])?)?",
    r"<<",
    r"=",
]
_YAML12_CORE = [  # YAML 1.2.2, 10.3.2
    r"null|Null|NULL|~|", r"true|True|TRUE|false|False|FALSE",
    r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+",
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?(\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN",
]
_JSON = [r"null|true|false", r"-?(0|[1-9][0-9]*)", r"-?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]+)?"]  # 10.2.2
_RULES = {name: re.compile("|".join(f"(?:{p})" for p in patterns))
          for name, patterns in (("YAML 1.1", _YAML11), ("YAML 1.2 core", _YAML12_CORE), ("JSON schema", _JSON))}

_GO_WORDS = {  # yaml.v2's resolve table (yaml.v3 has a subset), plus the merge key
    "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF",
    "true", "True", "TRUE", "false", "False", "FALSE", "", "~", "null", "Null", "NULL", "<<",
    *(sign + dot for sign in ("", "+", "-") for dot in (".inf", ".Inf", ".INF")), ".nan", ".NaN", ".NAN",
}
_GO_INT = re.compile(r"[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")  # ParseInt(s, 0, 64)
_GO_UINT = re.compile(r"\+?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_GO_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")  # yamlStyleFloat
_GO_TIME = re.compile(  # parseTimestamp's layouts: 2006-1-2T15:4:5.999999999Z07:00, ...t..., "... 15:4:5.9", 2006-1-2
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})"
    r"| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?")


def go_resolves_non_str(text: str) -> bool:
    """Go yaml.v2/v3 resolve() on a plain scalar, not giving a string."""
    if text in _GO_WORDS:
        return True
    if text[:1] == ".":
        return re.fullmatch(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?", text) is not None  # strconv.ParseFloat
    if text[:1] in tuple("+-0123456789"):
        if _GO_TIME.fullmatch(text):
            return True
        plain = text.replace("_", "")
        return bool(_GO_INT.fullmatch(plain) or _GO_UINT.fullmatch(plain) or _GO_FLOAT.fullmatch(plain)
                    or re.fullmatch(r"-?0b[01]+", plain))
    return False


def _plain_scalars(text: str) -> list[str]:
    return [event.value for event in yaml.parse(text, Loader=yaml.SafeLoader)
            if isinstance(event, yaml.ScalarEvent) and event.style is None]


def assert_reads_back(data: object) -> None:
    text = to_yaml(data)
    assert _via_events(data) == text == _dump_slow(data)
    for name, load in READERS.items():
        assert load(text) == data, (name, text)
    for value in _plain_scalars(text):
        for name, rule in _RULES.items():
            assert not rule.fullmatch(value), (name, value)
        assert not go_resolves_non_str(value), ("Go yaml.v2/v3", value)


MUST_QUOTE = [
    "0815", "y", "Y", "n", "N", "1e3", "on", "Off", "~", "0x1F", "0X1F", "1:20", "+12", ".5", "1_000", "null",
    "NULL", "Null", "2026-01-01", "2026-1-2", "2026-01-01T10:00:00Z", "2026-01-01 10:00:00", "=", "<<", "0o17",
    "0b101", "0B101", ".NaN", ".nan", ".inf", "-.Inf", "+.INF", "-1", "1.", "1.0e3", "017", "08:00", "0_x1F",
    "yes", "True", "FALSE", "", "1,000", "1.2.3", ".",
]
STAY_PLAIN = ["checkout", "payments-team", "0.5x", "v1", "5m", "1h30m", "99.9%", "team-0815", "yes-please", "nope",
              "e3", "x1F", "onward", "Nullable", "2026-01-01x", "a:b", "slo:sli_error:ratio_rate5m",
              "sum(rate(x[5m]))", "https://example.com/x"]


@pytest.mark.parametrize("text", MUST_QUOTE)
def test_misreadable_strings_are_single_quoted(text: str) -> None:
    assert needs_quotes(text)
    quoted = "'" + text + "'"
    assert to_yaml({"k": text}) == f"k: {quoted}\n"
    assert to_yaml({text: ["x"]}) == f"{quoted}:\n- x\n"
    assert to_yaml([text]) == f"- {quoted}\n"
    assert_reads_back({text: text, "list": [text]})


@pytest.mark.parametrize("text", STAY_PLAIN)
def test_unambiguous_strings_stay_plain(text: str) -> None:
    assert not needs_quotes(text)
    assert to_yaml({"k": text}) == f"k: {text}\n"
    assert to_yaml({text: 1}) == f"{text}: 1\n"
    assert_reads_back({text: text})


# Text near numbers, bools, nulls and dates, to find the edges of each reader's rules.
_near = st.one_of(
    st.text(alphabet="0123456789_.,:+-eExXoObBaAfF", min_size=1, max_size=8),
    st.from_regex(r"[-+]?(0[xobXOB])?[0-9_]{0,4}(\.[0-9_]{0,3})?([eE][-+]?[0-9]{0,2})?", fullmatch=True),
    st.from_regex(r"[-+]?0[0-9_]{1,4}", fullmatch=True),  # octal in YAML 1.1 and Go, decimal in 1.2
    st.from_regex(r"[0-9]{1,3}(:[0-9]{1,2}){1,2}(\.[0-9]*)?", fullmatch=True),
    st.from_regex(r"-?[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
                  r"([Tt ][0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?( ?Z|[-+][0-9]{2}(:[0-9]{2})?)?)?", fullmatch=True),
    st.text(alphabet="yYeEsSnNoOtTrRuUfFaAlLNn~", min_size=1, max_size=5),
    st.sampled_from(MUST_QUOTE + STAY_PLAIN),
)
_strings = st.one_of(_near, _near, st.sampled_from(TRICKY), st.text(max_size=12))
_documents = st.recursive(
    _strings,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_strings, children, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_documents)
def test_every_reader_reads_the_same_strings_back(data: object) -> None:
    assert_reads_back(data)


def test_kubernetes_prometheusrule_labels_are_strings(tmp_path: Path) -> None:
    specs = tmp_path / "input"
    specs.mkdir()
    (specs / "checkout.yml").write_text("""\
apiVersion: sloforge/v1
kind: ServiceLevels
service: checkout
owner: payments
labels: {cost_center: "0815", flag: "y", big: "1e3"}
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      events:
        errors: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total{job="checkout"}[{{ window }}]))
""")
    out = tmp_path / "out"
    result = run_cli("generate", str(specs), "--out", str(out), "--target", "kubernetes", "--namespace", "monitoring")
    assert result.returncode == 0, result.stderr
    text = (out / "kubernetes" / "prometheusrule-checkout.yml").read_text("utf-8")
    for version in ((1, 2), (1, 1)):
        rule = _ruamel(version).load(text)
        assert rule["kind"] == "PrometheusRule"
        labelled = [r["labels"] for group in rule["spec"]["groups"] for r in group["rules"] if "labels" in r]
        assert labelled
        for labels in labelled:
            assert (labels["cost_center"], labels["flag"], labels["big"]) == ("0815", "y", "1e3"), version
