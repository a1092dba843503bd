"""Hostile and broken input: a clear located error, exit 1, out/ untouched, no traceback.

Every case starts from an out/ that a good run wrote (plus a user's README), adds
one bad spec file next to the good one, and runs the real CLI.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from sloforge.cli import app
from typer.testing import CliRunner

from tests.conftest import REPO
from tests.workflow.conftest import service_spec, snapshot, write_spec

GOOD = service_spec("checkout")


def _replace(old: str, new: str, count: int = 1) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, count)


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# (id, content of bad.yml, the located message it must produce)
CASES: list[tuple[str, str | bytes, str]] = [
    # -- YAML -------------------------------------------------------------------
    ("yaml syntax error has line and column", "apiVersion: sloforge/v1\nslos: [\n  - name: a\n",
     "bad.yml:3: YAML syntax error, column 3: did not find expected node content"),
    ("unclosed quote", 'service: "checkout\nslos: []\n', "bad.yml:3: YAML syntax error, column 1:"),
    ("duplicate key", _replace("owner: payments", "owner: payments\nowner: other"),
     "bad.yml:5: owner: duplicate key (YAML would silently keep only the last)"),
    ("billion laughs", _billion_laughs(), "document expands to more than 200000 values"),
    ("deep nesting", "a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than 64 levels deep"),
    ("non-UTF-8 bytes", GOOD.encode().replace(b"payments", b"pay\xe9ments"),
     "bad.yml:4: file is not valid UTF-8 text"),
    ("empty file", "", "bad.yml: file holds no YAML document"),
    ("only comments", "# nothing here\n", "bad.yml: file holds no YAML document"),
    ("tab indentation", _replace("  - name: availability", "\t- name: availability"),
     "YAML is indented with spaces, not tabs"),
    ("not a mapping", "- just\n- a list\n", "bad.yml:1: expected a mapping with apiVersion and kind"),
    ("unknown apiVersion", _replace("sloforge/v1", "sloforge/v2"),
     "bad.yml:1: apiVersion: unsupported document apiVersion 'sloforge/v2'"),
    ("python tag is not constructed", _replace("owner: payments", "owner: !!python/object/apply:os.system [id]"),
     "bad.yml:4: owner:"),
    ("custom tag", _replace("owner: payments", "owner: !vault secret"),
     "bad.yml:4: owner: invalid value: could not determine a constructor for the tag '!vault'"),
    ("a date where a number belongs", _replace("objective: 99.9", "objective: 2024-01-01"),
     'bad.yml:7: slos[0].objective: "2024-01-01" must be a number'),
    ("NaN objective", _replace("objective: 99.9", "objective: .nan"),
     "bad.yml:7: slos[0].objective: .nan is not a finite number"),
    ("a 5,000-digit number", _replace("objective: 99.9", "objective: 1" + "0" * 5000),
     "bad.yml:7: slos[0].objective: invalid value"),
    # -- fields: type, range, format ------------------------------------------
    ("service not text", _replace("service: checkout", "service: 42"), "bad.yml:3: service: 42 must be text"),
    ("owner a list", _replace("owner: payments", "owner: [a]"), "bad.yml:4: owner: list must be text"),
    ("slos empty", GOOD[: GOOD.index("  - name: availability")].replace("slos:", "slos: []"),
     "bad.yml:5: slos: must not be empty"),
    ("slos a mapping", GOOD[: GOOD.index("  - name: availability")].replace("slos:", "slos: {a: 1}"),
     "bad.yml:5: slos: dict must be a list"),
    ("objective 100", _replace("objective: 99.9", "objective: 100"),
     "bad.yml:7: slos[0].objective: 100 must be below 100"),
    ("objective 0", _replace("objective: 99.9", "objective: 0"),
     "bad.yml:7: slos[0].objective: 0 must be a percentage of at least 1, such as 99.9"),
    ("objective negative", _replace("objective: 99.9", "objective: -5"),
     "slos[0].objective: -5 must be a percentage of at least 1, such as 99.9"),
    ("objective a fraction", _replace("objective: 99.9", "objective: 0.995"),
     "bad.yml:7: slos[0].objective: 0.995 is a fraction, but objective is a percentage; did you mean 99.5?"),
    ("objective text", _replace("objective: 99.9", "objective: high"),
     'bad.yml:7: slos[0].objective: "high" must be a number'),
    ("window not a duration", _replace("objective: 99.9", "objective: 99.9\n    window: 30 days"),
     'bad.yml:8: slos[0].window: "30 days" is not a duration'),
    ("window zero", _replace("objective: 99.9", "objective: 99.9\n    window: 0d"),
     "bad.yml:8: slos[0].window: '0d' must be longer than zero"),
    ("window of a trillion days", _replace("objective: 99.9", "objective: 99.9\n    window: 999999999999d"),
     "bad.yml:8: slos[0].window: 999999999999d is outside 7d..90d"),
    ("window shorter than the alert windows", _replace("objective: 99.9", "objective: 99.9\n    window: 1h"),
     "bad.yml:8: slos[0].window: 1h is outside 7d..90d"),
    ("threshold not a duration", _replace("threshold: 300ms", "threshold: fast"),
     "slos[1].sli.latency.threshold:"),
    ("label name invalid", _replace("owner: payments", "owner: payments\nlabels: {0bad: x}"),
     "bad.yml:5: labels:"),
    ("label value a mapping", _replace("owner: payments", "owner: payments\nlabels: {a: {b: c}}"),
     "bad.yml:5: labels.a: dict must be text"),
    ("reserved label", _replace("owner: payments", "owner: payments\nlabels: {slo_name: x}"),
     "bad.yml:5: labels.slo_name: label 'slo_name' is set by sloforge itself"),
    ("two SLI kinds", _replace("      latency:", "      probe: up\n      latency:"),
     "slos[1].sli: must have exactly one of: events, ratio, latency, probe"),
    ("budget above 100%", _replace("objective: 99.9", "objective: 99.9\n    alerting:\n      budget: "
                                   "[{consumed: 150, severity: page}]"),
     "slos[0].alerting.budget[0].consumed"),
    ("severity unknown", _replace("objective: 99.9", "objective: 99.9\n    alerting:\n      budget: "
                                  "[{consumed: 50, severity: urgent}]"),
     'bad.yml:9: slos[0].alerting.budget[0].severity: "urgent" must be one of "page", "ticket"'),
    # -- unknown fields ---------------------------------------------------------
    ("unknown top-level field", _replace("owner: payments", "owner: payments\nownr: x"),
     "bad.yml:5: ownr: unknown field; did you mean 'owner'?"),
    ("unknown SLO field", _replace("objective: 99.9", "objective: 99.9\n    objectiv: 99"),
     "bad.yml:8: slos[0].objectiv: unknown field; did you mean 'objective'?"),
    # -- names that would become paths --------------------------------------------
    ("service with ../", _replace("service: checkout", "service: ../../etc/cron.d/x"),
     'bad.yml:3: service: "../../etc/cron.d/x" must start with a lowercase letter or digit'),
    ("service with a slash", _replace("service: checkout", "service: a/b"), 'service: "a/b" must start'),
    ("service with spaces", _replace("service: checkout", 'service: "check out"'), 'service: "check out" must'),
    ("service absolute path", _replace("service: checkout", "service: /tmp/x"), 'service: "/tmp/x" must'),
    ("service with a Cyrillic e", _replace("service: checkout", "service: ch\u0435ckout"),
     'bad.yml:3: service: "ch\\u0435ckout" must start with a lowercase letter'),
    ("SLO name with ../", _replace("- name: availability", "- name: ../x"), 'slos[0].name: "../x" must'),
    ("empty service name", _replace("service: checkout", 'service: ""'), 'service: "" must start'),
    # -- duplicates ---------------------------------------------------------------
    ("service defined in two files", GOOD,
     "bad.yml:3: service: service 'checkout' is already defined in"),
    ("SLO twice in a service", _replace("- name: latency", "- name: availability"),
     "bad.yml:12: slos[1].name: SLO 'availability' is defined twice in this service"),
    # -- queries ----------------------------------------------------------------------
    ("query is SQL", _replace('sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{ window }}]))',
                              "SELECT count(*) FROM errors WHERE t > [{{ window }}]"),
     "bad.yml:10: slos[0].sli.events.errors: not valid PromQL"),
    ("query lacks the placeholder", _replace('code=~"5.."}[{{ window }}]', 'code=~"5.."}[5m]'),
     "bad.yml:10: slos[0].sli.events.errors: query has no {{ window }} placeholder"),
    ("query with an unknown placeholder", _replace('code=~"5.."}[{{ window }}]))',
                                                   'code=~"5..",x="{{ service }}"}[{{ window }}]))'),
     "bad.yml:10: slos[0].sli.events.errors: unknown placeholder {{ service }}"),
    ("latency selector injection", _replace("selector: '{job=\"checkout\"}'",
                                            "selector: '{job=\"checkout\"}) or vector(1) or (x{'"),
     "slos[1].sli.latency.selector:"),
    ("latency selector smuggling a second query", _replace("selector: '{job=\"checkout\"}'",
                                                           "selector: '{job=\"checkout\"} or up{a=\"b\"}'"),
     ("bad.yml:17: slos[1].sli.latency.selector: '{job=\"checkout\"} or up{a=\"b\"}' is not a valid label "
     "selector: it must be only label matchers in braces")),
    ("latency metric name invalid", _replace("metric: http_request_duration_seconds",
                                             "metric: 'http_duration{job=\"x\"}'"),
     "slos[1].sli.latency.metric:"),
]


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    """specs/ with one good spec; out/ as a good run left it, plus a user's README."""
    specs, out = tmp_path / "specs", tmp_path / "out"
    write_spec(specs, "payments.yml", service_spec("payments"))
    out.mkdir()
    (out / "README.md").write_text("ours\n")
    result = CliRunner().invoke(app, ["generate", str(specs), "--out", str(out), "--no-promtool"])
    assert result.exit_code == 0, result.output
    return specs, out


@pytest.mark.parametrize(("content", "message"), [pytest.param(c, m, id=i) for i, c, m in CASES])
def test_bad_input_is_rejected_cleanly(world: tuple[Path, Path], content: str | bytes, message: str) -> None:
    specs, out = world
    bad = specs / "bad.yml"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content, encoding="utf-8")
    if "already defined" in message:
        write_spec(specs, "bad-twin.yml", GOOD)
    before = snapshot(out)
    for command in (["validate", str(specs)], ["generate", str(specs), "--out", str(out), "--no-promtool"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 1, (result.exit_code, result.output)
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.output
        assert "internal error" not in result.stderr
    assert snapshot(out) == before


def test_resource_attacks_are_fast_and_bounded_in_a_real_process(tmp_path: Path) -> None:
    """The billion laughs, 100,000 nested brackets and a 50 MB file, as a user would hit them."""
    specs = tmp_path / "specs"
    write_spec(specs, "laughs.yml", _billion_laughs())
    write_spec(specs, "deep.yml", "a: " + "[" * 200_000 + "]" * 200_000 + "\n")
    (specs / "huge.yml").write_text("# " + "x" * (50 * 1024 * 1024) + "\n")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, "
         "(1 << 30, 1 << 30)); from sloforge.cli import main; sys.argv[0] = 'sloforge'; main()"),
         "validate", str(specs)], cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr  # not a crash (-11), not a MemoryError (3)
    assert "document expands to more than 200000 values" in result.stderr
    assert "nested more than 64 levels deep" in result.stderr
    assert "huge.yml: file is 50 MiB; spec files are limited to 10 MiB" in result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 10


INJECTED = {
    "quote": "say \"hi\" and 'bye' and back\\slash",
    "lines": "line one\nline two\n---\n...\n# not a comment",
    "template": "{{ $labels.instance }} {{ }} $value {{ .Labels.x }} }} {{",
}
DESCRIPTION = ("Injected {{ $labels.instance }} and {{ $value | humanize }} and {{ }} and $value;\n"
               "\"quotes\" 'single' \\backslash\n---\n...\n{{- end }}{{ template \"x\" }}")


def test_injection_is_rendered_as_literal_text(tmp_path: Path, promtool: str) -> None:
    """User text is data: YAML stays one document, PromQL is untouched, and Prometheus renders
    annotations and alert labels back to the user's exact text (proved by promtool test rules,
    whose expectations are the literal text)."""
    specs, out = tmp_path / "specs", tmp_path / "out"
    spec = {
        "apiVersion": "sloforge/v1", "kind": "ServiceLevels", "service": "evil", "owner": "red-team",
        "labels": INJECTED,
        "links": {"runbook": "https://runbooks.example.com/{{ slo }}/{{ $labels.job }}?q=\"x\""},
        "slos": [{
            "name": "availability", "description": DESCRIPTION, "objective": 99.9,
            "sli": {"events": {"errors": 'sum(rate(http_requests_total{job="evil",code=~"5.."}[{{ window }}]))',
                               "total": 'sum(rate(http_requests_total{job="evil"}[{{ window }}]))'}},
            "alerting": {"absent": "10m", "min_events": 10,
                         "page": {"labels": {"extra": "{{ $value }}"}, "annotations": {"note": INJECTED["template"]}},
                         "budget": [{"consumed": "50%", "severity": "ticket", "action": "{{ $labels.team }}\n---"}]},
        }],
    }
    write_spec(specs, "evil.yml", yaml.safe_dump(spec, sort_keys=False))
    result = CliRunner().invoke(app, ["generate", str(specs), "--out", str(out)])
    assert result.exit_code == 0, result.output
    checked = CliRunner().invoke(app, ["check", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "promtool test rules (5 tests)" in checked.stdout

    rules_text = (out / "prometheus" / "evil.yml").read_text()
    documents = list(yaml.safe_load_all(rules_text))
    assert len(documents) == 1
    rules = [r for g in documents[0]["groups"] for r in g["rules"]]
    info = next(r for r in rules if r.get("record") == "slo:info")
    assert info["labels"]["quote"] == INJECTED["quote"]  # recording labels: literal, not templated
    assert info["labels"]["lines"] == INJECTED["lines"]
    assert info["labels"]["slo_description"] == DESCRIPTION
    page = next(r for r in rules if r.get("alert") and r["labels"]["slo_severity"] == "page")
    assert page["expr"].count("{") == page["expr"].count("}")  # nothing leaked into PromQL
    assert "evil" in page["expr"] and "$" not in page["expr"]

    tests = yaml.safe_load((out / "prometheus" / "tests" / "evil.test.yml").read_text())
    expected = [a for t in tests["tests"] for check in t["alert_rule_test"] for a in check["exp_alerts"]]
    pages = [a for a in expected if a["exp_labels"]["slo_severity"] == "page"]
    assert pages, "the outage test must expect a page"
    for alert in pages:  # what promtool compared the rendered alert against
        assert alert["exp_labels"]["template"] == INJECTED["template"]
        assert alert["exp_labels"]["lines"] == INJECTED["lines"]
        assert alert["exp_labels"]["extra"] == "{{ $value }}"
        assert alert["exp_annotations"]["note"] == INJECTED["template"]
        assert alert["exp_annotations"]["description"].endswith("SLO: " + DESCRIPTION)
        assert alert["exp_annotations"]["runbook_url"] == \
            "https://runbooks.example.com/availability/{{ $labels.job }}?q=\"x\""
        # ...while sloforge's own template action was rendered by Prometheus:
        assert alert["exp_annotations"]["description"].startswith("100% of evil availability")
    budget = [a for a in expected if "action" in a["exp_annotations"]]
    assert budget and all(a["exp_annotations"]["action"] == "{{ $labels.team }}\n---" for a in budget)
