"""promtool findings reach the user attributed to the right generated file."""

from __future__ import annotations

from sloforge.check.tools import check_rule_texts

GOOD = "groups:\n- name: a\n  rules:\n  - record: x\n    expr: up\n"
BROKEN = "groups:\n- name: a\n  rules:\n  - record: x\n    expr: sum(\n"
DUPLICATE = GOOD + "  - record: x\n    expr: up\n"


def test_findings_name_their_file_across_parallel_promtool_calls(promtool: str) -> None:
    texts = {f"prometheus/s{i:02d}.yml": GOOD for i in range(60)}
    texts["prometheus/s07.yml"] = BROKEN
    texts["prometheus/s33.yml"] = BROKEN
    texts["prometheus/s20.yml"] = DUPLICATE  # a lint finding: exits 0 without --lint-fatal
    problems = check_rule_texts(texts)
    by_file = {p.path for p in problems}
    assert by_file == {"prometheus/s07.yml", "prometheus/s20.yml", "prometheus/s33.yml"}
    assert any("unclosed left parenthesis" in p.message for p in problems if p.path == "prometheus/s07.yml")
    assert any("duplicate rule" in p.message for p in problems if p.path == "prometheus/s20.yml")


def test_valid_files_give_no_problems(promtool: str) -> None:
    assert check_rule_texts({f"prometheus/s{i}.yml": GOOD for i in range(45)}) == []
