"""`sloforge plan` says what a change does to journeys: one removed (its budget is gone), one
added, and one with another step, objective and owner, each said with its numbers."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import copy_specs, run_cli

REBUY = """\
apiVersion: sloforge/v1
kind: Journey
name: rebuy
owner: payments
steps:
  - {service: checkout, slo: availability}
"""
BROWSE = """\
apiVersion: sloforge/v1
kind: Journey
name: browse
owner: discovery
steps:
  - {service: checkout, slo: uptime}
"""


def test_journeys_removed_added_and_changed(tmp_path: Path) -> None:
    after = copy_specs(tmp_path / "after")
    before = copy_specs(tmp_path / "before")
    (before / "rebuy.yml").write_text(REBUY)
    (after / "browse.yml").write_text(BROWSE)
    buy = (after / "buy.yml").read_text()
    buy = buy.replace("  - {service: search, slo: availability}\n", "")
    (after / "buy.yml").write_text(buy.replace("owner: payments\n", "owner: discovery\nobjective: 99\n"))
    done = run_cli("plan", "specs", "--base-dir", str(tmp_path / "before"), "--format", "json",
                   cwd=tmp_path / "after")
    assert done.returncode == 0, done.stderr
    changes = {(c["kind"], c["subject"], c["summary"]): c["details"]
               for c in json.loads(done.stdout)["changes"] if c["subject"].startswith("journey/")}
    summaries = {(kind, subject): summary for kind, subject, summary in changes}
    assert summaries[("budget-reset", "journey/rebuy")].startswith("journey removed")
    assert summaries[("slo", "journey/browse")] == "journey added: 99.5% over 7d, steps checkout/uptime"
    steps = [k for k in changes if k[1] == "journey/buy" and k[2].startswith("steps ")]
    assert steps and steps[0][2] == "steps search/availability, checkout/availability -> checkout/availability"
    objective = [k for k in changes if k[1] == "journey/buy" and k[2].startswith("objective ")]
    assert objective and objective[0][2] == "objective 99.4005% -> 99%"
    # 0.5995% of 30d = 4.32 h; 1% of 30d = 7.2 h
    assert changes[objective[0]][0].startswith("budget: 4.3 h -> 7.2 h of full outage per period")
    assert summaries[("alerting", "journey/buy")] == ("owner payments -> discovery: the journey's alerts go to "
                                                      "discovery's receivers")
