"""Property-based tests (Hypothesis).

1. Random valid specs always compile to rule files that pass `promtool check rules`
   (all examples batched into one promtool call), and a sample of them also pass
   their own shipped `promtool test rules`.
2. Random mutations of valid specs (wrong types, deleted or unknown fields, junk
   values, corrupted YAML text) always give either located problems or output that
   passes promtool: never any other exception.

The CI run is sized to stay well under a minute; `pytest -m slow` runs a long one.
"""

from __future__ import annotations

import string
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sloforge.errors import SpecError
from sloforge.pipeline import Options, build, load_catalog

NAME = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)
LABEL = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,15}", fullmatch=True).filter(
    lambda k: not k.startswith("__") and k not in {"slo_service", "slo_name", "slo_window", "slo_severity"})
# Anything a user might type, including what breaks naive YAML, PromQL or Go templates.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40) | \
    st.sampled_from(['{{ $labels.x }}', '{{', '}}', '$value', '"', "'", "\n---\n", "...", "\\", "{{ }}"])
PERIOD = st.sampled_from(["7d", "14d", "28d", "30d", "4w", "90d", "2160h"])
METRIC = st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True)
VALUE = st.text(string.ascii_letters + string.digits + " -_/.", max_size=12)


@st.composite
def selectors(draw: Any) -> str:
    matchers = draw(st.lists(st.tuples(LABEL, st.sampled_from(["=", "!=", "=~", "!~"]), VALUE),
                             max_size=3, unique_by=lambda m: m[0]))
    return "{" + ", ".join(f'{k}{op}"{v}"' for k, op, v in matchers) + "}"


@st.composite
def slis(draw: Any) -> dict[str, Any]:
    metric = draw(METRIC)
    kind = draw(st.sampled_from(["events", "ratio", "latency", "probe"]))
    group = draw(st.lists(LABEL, max_size=2, unique=True))
    by = f" by ({', '.join(group)})" if group else ""
    if kind == "events":
        body: dict[str, Any] = {
            "errors": f'sum{by}(rate({metric}_total{{code=~"5.."}}[{{{{ window }}}}]))',
            "total": f"sum{by}(rate({metric}_total[{{{{ window }}}}]))"}
        if draw(st.booleans()):
            body["errors"] += " or vector(0)"
        return {"events": body}
    if kind == "ratio":
        return {"ratio": f"1 - avg(avg_over_time({metric}[{{{{ window }}}}]))"}
    if kind == "latency":
        return {"latency": {"metric": metric, "selector": draw(selectors()),
                            "threshold": draw(st.sampled_from(["100ms", "300ms", "1s", "2.5s", "250ms", "5s"]))}}
    return {"probe": f"{metric}{draw(selectors())}" if draw(st.booleans()) else {"query": f"min({metric})"}}


@st.composite
def alertings(draw: Any, time_based: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not time_based and draw(st.booleans()):
        out["min_events"] = draw(st.integers(1, 100_000))
    if draw(st.booleans()):
        out["absent"] = draw(st.sampled_from(["5m", "10m", "15m", "1h"]))
    for tier in ("page", "ticket"):
        if draw(st.booleans()):
            spec: dict[str, Any] = {"for": draw(st.sampled_from(["1m", "2m", "5m", "15m", "30s"]))}
            if draw(st.booleans()):
                spec["labels"] = draw(st.dictionaries(LABEL, TEXT, max_size=2))
            if draw(st.booleans()):
                spec["annotations"] = draw(st.dictionaries(LABEL, TEXT, max_size=2))
            if draw(st.integers(0, 5)) == 0:
                spec["disable"] = True
            out[tier] = spec
    if draw(st.booleans()):
        # a share consumed, or a forecast horizon (exhausts_within), each threshold once
        out["budget"] = draw(st.lists(st.one_of(
            st.fixed_dictionaries({"consumed": st.sampled_from([25, 50, "75%", "90%", 100]),
                                   "severity": st.sampled_from(["page", "ticket"])}, optional={"action": TEXT}),
            st.fixed_dictionaries({"exhausts_within": st.sampled_from(["6h", "1d", "3d"]),
                                   "severity": st.sampled_from(["page", "ticket"])}, optional={"action": TEXT})),
            max_size=3, unique_by=lambda b: str(b.get("consumed", b.get("exhausts_within"))).rstrip("%")))
    return out


@st.composite
def valid_specs(draw: Any) -> dict[str, Any]:
    slos = []
    for name in draw(st.lists(NAME, min_size=1, max_size=3, unique=True)):
        sli = draw(slis())
        slo: dict[str, Any] = {"name": name, "objective": draw(st.sampled_from(
            [90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999])) if draw(st.booleans())
            else draw(st.floats(90, 99.999).map(lambda x: round(x, 3))),
            "window": draw(PERIOD), "sli": sli}
        if draw(st.booleans()):
            slo["description"] = draw(TEXT)
        if draw(st.booleans()):
            slo["labels"] = draw(st.dictionaries(LABEL, TEXT, max_size=2))
        slo["alerting"] = draw(alertings("ratio" in sli))
        slos.append(slo)
    spec: dict[str, Any] = {"apiVersion": "sloforge/v1", "kind": "ServiceLevels", "service": draw(NAME),
                            "slos": slos}
    if draw(st.booleans()):
        spec["owner"] = draw(NAME)
    if draw(st.booleans()):
        spec["labels"] = draw(st.dictionaries(LABEL, TEXT, max_size=3))
    if draw(st.booleans()):
        spec["links"] = {"runbook": "https://runbooks.example.com/{{ service }}/{{ slo }}?" + draw(TEXT)}
    return spec


def _compile(directory: Path, text: str, index: int) -> dict[str, str]:
    """The in-process pipeline on one spec file: {output path: rules text}; SpecError passes up."""
    path = directory / f"spec{index:05d}.yml"
    path.write_text(text, encoding="utf-8")
    catalog, _ = load_catalog([str(path)])
    files = build(catalog, Options(paths=[str(path)]))
    return {f.path: f.content for f in files}


def _promtool_check(promtool: str, directory: Path, texts: dict[str, str]) -> None:
    paths = []
    for index, text in enumerate(texts.values()):
        path = directory / f"rules{index:05d}.yml"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    if paths:
        result = subprocess.run([promtool, "check", "rules", "--lint-fatal", *paths], capture_output=True,
                                text=True, timeout=600, check=False)
        assert result.returncode == 0, result.stderr[-5000:]


def _size(request: pytest.FixtureRequest, ci: int, long: int) -> int:
    return long if "slow" in (request.config.getoption("markexpr") or "") else ci


@pytest.mark.parametrize("long_run", [pytest.param(False, id="ci"),
                                      pytest.param(True, id="long", marks=pytest.mark.slow)])
def test_random_valid_specs_pass_promtool(tmp_path: Path, promtool: str, long_run: bool,
                                          request: pytest.FixtureRequest) -> None:
    if long_run and "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("long run: pytest -m slow")
    rules: dict[str, str] = {}
    unit: list[tuple[str, str]] = []
    count = [0]

    @settings(max_examples=2000 if long_run else 100, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(valid_specs())
    def one(spec: dict[str, Any]) -> None:
        count[0] += 1
        try:
            files = _compile(tmp_path, yaml.safe_dump(spec, allow_unicode=True), count[0])
        except SpecError as exc:
            raise AssertionError(f"a valid spec was rejected: {exc}\n{yaml.safe_dump(spec)}") from None
        for path, content in files.items():
            if path.startswith("prometheus/") and "/tests/" not in path:
                rules[f"{count[0]}:{path}"] = content
                if count[0] % 10 == 0:
                    test = files["prometheus/tests/" + path.split("/")[-1].replace(".yml", ".test.yml")]
                    unit.append((content, test))

    one()
    assert len(rules) >= 50
    _promtool_check(promtool, tmp_path, rules)
    for index, (content, test) in enumerate(unit):  # their own unit tests, too
        folder = tmp_path / f"unit{index}"
        (folder / "tests").mkdir(parents=True)
        test_data = yaml.safe_load(test)
        (folder / test_data["rule_files"][0].replace("../", "")).write_text(content)
        (folder / "tests" / "t.test.yml").write_text(test)
    if unit:
        tests = [str(p) for p in sorted(tmp_path.glob("unit*/tests/t.test.yml"))]
        result = subprocess.run([promtool, "test", "rules", *tests], capture_output=True, text=True,
                                timeout=600, check=False)
        assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                 TEXT, st.lists(st.integers(), max_size=2), st.dictionaries(TEXT, TEXT, max_size=2),
                 st.sampled_from(["0d", "-1", "1e309", "100%", "../x", "{{ window }}", "", " "]))


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.extend(_paths(value, (*prefix, index)))
    return out


@st.composite
def mutated(draw: Any) -> str:
    spec = draw(valid_specs())
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(spec) if p]
        if not paths:
            break
        where = draw(st.sampled_from(paths))
        parent: Any = spec
        for part in where[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "unknown"]))
        if action == "delete":
            del parent[where[-1]]
        elif action == "unknown" and isinstance(parent, dict):
            parent[draw(TEXT) or "x"] = draw(JUNK)
        else:
            parent[where[-1]] = draw(JUNK)
    text = yaml.safe_dump(spec, allow_unicode=True)
    if draw(st.integers(0, 4)) == 0:  # corrupt the text itself
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["\t", ":", "- ", "{", "&a", "*a", "!!python/name:x", "'", "\n  "])) \
            + text[at:]
    return text


@pytest.mark.parametrize("long_run", [pytest.param(False, id="ci"),
                                      pytest.param(True, id="long", marks=pytest.mark.slow)])
def test_random_mutations_give_a_clean_error_or_valid_output(tmp_path: Path, promtool: str, long_run: bool,
                                                             request: pytest.FixtureRequest) -> None:
    if long_run and "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("long run: pytest -m slow")
    accepted: dict[str, str] = {}
    outcomes = {"error": 0, "ok": 0}
    count = [0]

    @settings(max_examples=20_000 if long_run else 600, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutated())
    def one(text: str) -> None:
        count[0] += 1
        try:
            files = _compile(tmp_path, text, count[0] % 50)
        except SpecError as exc:
            outcomes["error"] += 1
            assert exc.problems
            for problem in exc.problems:
                line = str(problem)
                assert line.startswith(str(tmp_path)), line  # located in the file
                assert "Traceback" not in line
            return
        outcomes["ok"] += 1
        for path, content in files.items():
            if path.startswith("prometheus/") and "/tests/" not in path and len(accepted) < 400:
                accepted[f"{count[0]}:{path}"] = content

    one()
    assert outcomes["error"] > 100, outcomes  # the mutations do break things...
    _promtool_check(promtool, tmp_path, accepted)  # ...and whatever is accepted is valid


def _fixture_documents() -> list[list[Any]]:
    from tests.conftest import FIXTURES

    found = []
    for path in sorted([*FIXTURES.glob("sloth/**/*.y*ml"), *FIXTURES.glob("openslo/**/*.y*ml")]):
        try:
            found.append(list(yaml.safe_load_all(path.read_text("utf-8"))))
        except (OSError, yaml.YAMLError):
            continue
    return found


@st.composite
def mutated_imports(draw: Any, documents: list[list[Any]]) -> str:
    import copy

    docs = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(docs) - 1))
        paths = [p for p in _paths(docs[index]) if p]
        if not paths:
            continue
        where = draw(st.sampled_from(paths))
        parent: Any = docs[index]
        for part in where[:-1]:
            parent = parent[part]
        if draw(st.booleans()):
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(JUNK)
    return yaml.safe_dump_all(docs, allow_unicode=True)


def test_mutated_sloth_and_openslo_specs_give_a_clean_error_or_a_catalog(tmp_path: Path) -> None:
    """Users switch from Sloth and OpenSLO by pointing sloforge at the files they have: the
    importers must meet broken input with located problems too (this found seven crashes)."""
    documents = _fixture_documents()
    if not documents:
        pytest.skip("Sloth/OpenSLO fixtures not found")
    count = [0]

    @settings(max_examples=600, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutated_imports(documents))
    def one(text: str) -> None:
        count[0] += 1
        path = tmp_path / f"import{count[0] % 20}.yml"
        path.write_text(text, encoding="utf-8")
        try:
            load_catalog([str(path)])
        except SpecError as exc:
            assert exc.problems and all(str(p).startswith(str(path)) for p in exc.problems)

    one()
