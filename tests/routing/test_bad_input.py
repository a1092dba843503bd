"""Bad routing input: one clear located error each, exit 1, out/ untouched."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_cli

Edit = Callable[[Path, str, str], None]

PAGERDUTY = "        routing_key_file: /etc/alertmanager/secrets/payments-pagerduty/routing-key\n"
WEBHOOK_URL = "        url: https://tickets.example.com/api/v1/alertmanager\n"
OVERRIDE = "      - service: checkout\n        slo: latency\n"
INTERVAL = '      times: [{start_time: "08:00", end_time: "17:00"}]\n'

CASES = [
    pytest.param("routing.yml", PAGERDUTY, "        routing_key: 0123456789abcdef0123456789abcdef\n",
                 "routing.yml:23: teams.payments.page.pagerduty.routing_key: secrets are never inline",
                 "routing_key_file", id="inline PagerDuty key"),
    pytest.param("routing.yml", WEBHOOK_URL,
                 "        url: https://tickets.example.com/api/v1/alertmanager?token=s3cr3t\n",
                 "routing.yml:49: teams.discovery.ticket.webhook.url: looks like an inline secret",
                 "credentials_file", id="webhook URL with a token"),
    pytest.param("routing.yml", "        channel: \"#payments-alerts\"\n",
                 "        channel: \"#payments-alerts\"\n        api_url: https://hooks.slack.com/services/T0/B0/X\n",
                 "routing.yml:29: teams.payments.ticket.slack.api_url: secrets are never inline",
                 "api_url_file", id="inline Slack webhook URL"),
    pytest.param("search.yml", "owner: discovery", "owner: discovry",
                 "search.yml:5: owner: team 'discovry' is not defined in the routing spec",
                 "did you mean 'discovery'?", id="unknown team"),
    pytest.param("routing.yml", "      pagerduty:\n", "      victorops:\n",
                 "routing.yml:22: teams.payments.page.victorops: unknown receiver type 'victorops'",
                 "pagerduty, opsgenie, slack, email, webhook", id="unknown receiver type"),
    pytest.param("routing.yml", OVERRIDE, OVERRIDE + "        matchers: ['slo_name=~\"(latency\"']\n",
                 "routing.yml:34: teams.payments.overrides[0].matchers[0]:",
                 "invalid regular expression", id="invalid matcher"),
    pytest.param("routing.yml", INTERVAL, '      times: [{start_time: "18:00", end_time: "08:00"}]\n',
                 "routing.yml:18: time_intervals.business-hours[0].times[0].end_time:",
                 "must be after start_time", id="bad time interval"),
    pytest.param("routing.yml", "      active_time_intervals: [business-hours]",
                 "      active_time_intervals: [weekends]",
                 "routing.yml:30: teams.payments.ticket.active_time_intervals[0]:",
                 "time interval 'weekends' is not defined", id="undefined time interval"),
]


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def generated_out(example_out: Path) -> Path:
    """out/ as `make rules` leaves it, generated once for all cases (each copies it)."""
    out = example_out
    assert (out / "alertmanager" / "alertmanager.yml").exists()
    return out


@pytest.mark.parametrize(("file", "old", "new", "located", "says"), CASES)
def test_bad_routing_input_is_one_clear_error(spec_dir: Path, edit: Edit, tmp_path: Path, generated_out: Path,
                                              file: str, old: str, new: str, located: str, says: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(generated_out, out)
    before = _digest(out)
    edit(spec_dir / file, old, new)

    result = run_cli("generate", str(spec_dir), "--out", str(out))

    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": warning:" not in line]
    assert len(errors) == 2, result.stderr  # the problem, then "1 problem found; nothing was written"
    assert errors[0].startswith(str(spec_dir)) and located in errors[0], result.stderr
    assert says in errors[0], result.stderr
    assert errors[1] == "1 problem found; nothing was written"
    assert "Traceback" not in result.stderr
    assert _digest(out) == before


def test_validate_checks_owners_across_files(spec_dir: Path, edit: Edit) -> None:
    edit(spec_dir / "checkout.yml", "owner: payments", "owner: billing")
    result = run_cli("validate", str(spec_dir))
    assert result.returncode == 1
    assert f"{spec_dir}/checkout.yml:5: owner: team 'billing' is not defined" in result.stderr


def test_without_a_routing_spec_owners_are_not_checked(spec_dir: Path, edit: Edit, tmp_path: Path) -> None:
    (spec_dir / "routing.yml").unlink()
    edit(spec_dir / "checkout.yml", "owner: payments", "owner: billing")
    result = run_cli("generate", str(spec_dir), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [("note: no routing spec (kind: Routing) among the inputs: no Alertmanager config "
                      "generated, owners not checked")]
    assert not (tmp_path / "out" / "alertmanager").exists()


def test_a_second_routing_spec_is_an_error(spec_dir: Path) -> None:
    (spec_dir / "more").mkdir()
    (spec_dir / "more" / "routing.yml").write_text((spec_dir / "routing.yml").read_text())
    result = run_cli("validate", str(spec_dir))
    assert result.returncode == 1
    assert "a second routing spec" in result.stderr


def test_missing_base_file_is_an_error(spec_dir: Path, tmp_path: Path) -> None:
    result = run_cli("generate", str(spec_dir), "--out", str(tmp_path / "out"),
                     "--alertmanager-base", str(tmp_path / "nope.yml"))
    assert result.returncode == 1
    assert f"{tmp_path}/nope.yml: --alertmanager-base: no such file" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_service_without_owner_is_a_warning(spec_dir: Path, edit: Edit) -> None:
    edit(spec_dir / "search.yml", "owner: discovery\n", "")
    result = run_cli("validate", str(spec_dir))
    assert result.returncode == 0, result.stderr
    assert f"{spec_dir}/search.yml:4: owner: warning: service 'search' has no owner" in result.stderr
