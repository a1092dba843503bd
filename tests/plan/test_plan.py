"""`sloforge plan --base REF` on scratch git repositories: one commit before, one after.

Each case is one change a reviewer meets; the Markdown (a pull-request comment) and the
JSON are compared with golden files, and the findings that matter are asserted directly, so
a golden refresh cannot bless a wrong plan. Routing is answered by real amtool.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import require_tool, run_cli

# The cases' repositories, planned once for the module: its tests run on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("plan")

GOLDEN = Path(__file__).parent / "golden"

CHECKOUT = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: checkout
owner: payments
labels: {tier: "1"}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{ window }}]))
        total: sum(rate(http_requests_total{job="checkout"}[{{ window }}]))
    alerting:
      budget: [{consumed: 75%, severity: ticket}]
  - name: latency
    objective: 99
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{job="checkout"}'
        threshold: 300ms
"""
SEARCH = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: search
owner: discovery
slos:
  - name: availability
    objective: 99.5
    window: 7d
    sli:
      events:
        errors: sum(rate(search_requests_total{code=~"5.."}[{{ window }}]))
        total: sum(rate(search_requests_total[{{ window }}]))
"""
ROUTING = """\
apiVersion: sloforge/v1
kind: Routing
teams:
  payments:
    page: {pagerduty: {routing_key_file: /etc/alertmanager/secrets/payments-pd/key}}
    ticket: {slack: {channel: "#payments", api_url_file: /etc/alertmanager/secrets/slack/url}}
  discovery:
    page: {pagerduty: {routing_key_file: /etc/alertmanager/secrets/discovery-pd/key}}
    ticket: {slack: {channel: "#discovery", api_url_file: /etc/alertmanager/secrets/slack/url}}
"""

Edit = Callable[[Path], None]


def _replace(name: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / "specs" / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new))
    return edit


def _remove(name: str) -> Edit:
    def edit(root: Path) -> None:
        (root / "specs" / name).unlink()
    return edit


CASES: dict[str, Edit] = {
    "objective-lowered": _replace("checkout.yml", "objective: 99.9", "objective: 99.5"),
    "slo-renamed": _replace("checkout.yml", "- name: latency", "- name: latency-p99"),
    "label-changed": _replace("checkout.yml", 'labels: {tier: "1"}', 'labels: {tier: "2"}'),
    "owner-moved": _replace("search.yml", "owner: discovery", "owner: payments"),
    "tier-disabled": _replace("search.yml", "        total: sum(rate(search_requests_total[{{ window }}]))\n",
                              "        total: sum(rate(search_requests_total[{{ window }}]))\n"
                              "    alerting:\n      ticket: {disable: true}\n"),
    "service-removed": _remove("search.yml"),
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(root), "PATH": "/usr/bin:/bin"})


def _repo(tmp_path: Path, edit: Edit) -> Path:
    root = tmp_path / "repo"
    (root / "specs").mkdir(parents=True)
    for name, text in (("checkout.yml", CHECKOUT), ("search.yml", SEARCH), ("routing.yml", ROUTING)):
        (root / "specs" / name).write_text(text)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "before")
    edit(root)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "after")
    return root


def _plan(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("plan", "specs", "--base", "HEAD~1", *args, cwd=root)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Each case's repository, planned once in both formats."""
    require_tool("amtool")
    out = {}
    for case, edit in CASES.items():
        root = _repo(tmp_path_factory.mktemp(case), edit)
        texts = {"root": str(root)}
        for name in ("markdown", "json"):
            done = _plan(root, "--format", name)
            assert done.returncode == 0, done.stderr
            texts[name] = done.stdout
        out[case] = texts
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_markdown_and_json(case: str, planned: dict[str, dict[str, str]], update_golden: bool) -> None:
    for suffix, text in ((".md", planned[case]["markdown"]), (".json", planned[case]["json"])):
        golden = GOLDEN / f"{case}{suffix}"
        if update_golden:
            golden.write_text(text)
        assert text == golden.read_text(), f"{golden} differs (pytest --update-golden to refresh)"


def _kinds(planned: dict[str, dict[str, str]], case: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for change in json.loads(planned[case]["json"])["changes"]:
        out.setdefault(change["kind"], []).append(change)
    return out


def test_a_lowered_objective_says_the_budget_and_times_in_minutes(planned: dict[str, dict[str, str]]) -> None:
    kinds = _kinds(planned, "objective-lowered")
    assert "budget-reset" not in kinds and "routing" not in kinds
    [objective] = kinds["objective"]
    assert objective["summary"] == "objective 99.9% -> 99.5%"
    assert objective["details"][0] == ("budget: 43.2 min -> 3.6 h of full outage per period "
                                       "(0.1% -> 0.5% of events)")
    assert "page 1h/5m: threshold 1.44% -> 7.2%; pages a full outage after 4.9 min -> 8.8 min" in objective["details"]


def test_a_rename_resets_the_budget_and_a_label_change_does_not(planned: dict[str, dict[str, str]]) -> None:
    renamed = _kinds(planned, "slo-renamed")
    [reset] = renamed["budget-reset"]
    assert reset["subject"] == "checkout/latency"
    assert reset["summary"].startswith("renamed to checkout/latency-p99: its budget starts anew")
    labelled = _kinds(planned, "label-changed")
    assert "budget-reset" not in labelled
    [contract, *_] = labelled["contract"]
    assert any("tier='1' -> '2'" in d for d in contract["details"])


def test_an_owner_moved_to_another_team_reaches_its_receivers(planned: dict[str, dict[str, str]]) -> None:
    kinds = _kinds(planned, "owner-moved")
    [routing] = kinds["routing"]
    assert routing["subject"] == "search/availability"
    assert ("SearchAvailabilityErrorBudgetBurn (burn-rate page): sloforge-discovery-page -> sloforge-payments-page"
            in routing["details"])


def test_a_disabled_tier_and_a_removed_service(planned: dict[str, dict[str, str]]) -> None:
    disabled = _kinds(planned, "tier-disabled")
    [alerting] = disabled["alerting"]
    assert "ticket tier: enabled -> disabled" in alerting["details"]
    assert any("is no longer generated" in d for d in disabled["contract"][0]["details"])
    removed = _kinds(planned, "service-removed")
    assert [c["subject"] for c in removed["budget-reset"]] == ["search/availability"]
    assert {c["subject"] for c in removed["files"]} >= {"prometheus/search.yml", "grafana/search.json"}


def test_fail_on_gates_ci(planned: dict[str, dict[str, str]]) -> None:
    root = Path(planned["slo-renamed"]["root"])
    done = _plan(root, "--fail-on", "budget-reset")
    assert done.returncode == 1
    assert "plan has budget-reset changes (--fail-on)" in done.stderr
    assert _plan(root, "--fail-on", "routing").returncode == 0
    bad = _plan(root, "--fail-on", "everything")
    assert bad.returncode == 2 and "choose from budget-reset, routing, contract" in bad.stderr


def test_an_unknown_ref_is_one_line(planned: dict[str, dict[str, str]]) -> None:
    root = Path(planned["label-changed"]["root"])
    done = run_cli("plan", "specs", "--base", "no-such-ref", cwd=root)
    assert done.returncode == 1
    assert done.stderr.startswith("error: --base no-such-ref:") and "Traceback" not in done.stderr


def test_base_dir_compares_with_an_older_copy(tmp_path: Path) -> None:
    root = _repo(tmp_path, CASES["objective-lowered"])
    old = tmp_path / "old"
    (old / "specs").mkdir(parents=True)
    (old / "specs" / "checkout.yml").write_text(CHECKOUT)
    (old / "specs" / "search.yml").write_text(SEARCH)
    (old / "specs" / "routing.yml").write_text(ROUTING)
    done = run_cli("plan", "specs", "--base-dir", str(old), "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    assert [c["summary"] for c in json.loads(done.stdout)["changes"] if c["kind"] == "objective"] == \
        ["objective 99.9% -> 99.5%"]
