"""The small parts, in tables: secret detection, matchers, time intervals."""

from __future__ import annotations

import pytest
from sloforge.load.overlays import matchers
from sloforge.load.overlays.routing_secrets import inline_secret_field, secret_in_value
from sloforge.load.overlays.time_intervals import IntervalError, normalise


@pytest.mark.parametrize("value", [
    pytest.param("https://user:hunter2@tickets.example.com/hook", id="URL with user:password"),
    pytest.param("https://tickets.example.com/hook?token=abc", id="token in the query"),
    pytest.param("https://tickets.example.com/hook?api_key=abc", id="api_key in the query"),
    pytest.param("https://hooks.slack.com/services/T000/B000/XXXX", id="Slack webhook URL"),
    pytest.param("https://acme.webhook.office.com/webhookb2/x", id="Teams webhook URL"),
    pytest.param("https://events.pagerduty.com/integration/abc/enqueue", id="PagerDuty integration URL"),
    pytest.param("https://tickets.example.com/hooks/9f8e7d6c5b4a39281706f5e4d3c2b1a0", id="token in the path"),
    pytest.param("9f8e7d6c5b4a39281706f5e4d3c2b1a0", id="bare 32-hex key"),
])
def test_secret_looking_values_are_found(value: str) -> None:
    assert secret_in_value(value)


@pytest.mark.parametrize("value", [
    pytest.param("https://tickets.example.com/api/v1/alertmanager", id="plain webhook URL"),
    pytest.param("#payments-alerts", id="channel"),
    pytest.param("checkout-perf@example.com", id="email address"),
    pytest.param("123e4567-e89b-12d3-a456-426614174000", id="a UUID is an id, not a secret"),
    pytest.param('{{ template "slack.default.title" . }}', id="template"),
    pytest.param("payments-checkout-availability-alerts", id="long words with dashes"),
])
def test_ordinary_values_pass(value: str) -> None:
    assert secret_in_value(value) is None


@pytest.mark.parametrize(("kind", "key", "use"), [
    ("pagerduty", "routing_key", "routing_key_file"),
    ("pagerduty", "service_key", "routing_key_file"),
    ("opsgenie", "api_key", "api_key_file"),
    ("slack", "api_url", "api_url_file"),
    ("email", "auth_password", "auth_password_file"),
    ("webhook", "bearer_token", "credentials_file"),
    ("webhook", "url_file", "url (without credentials) and credentials_file"),
])
def test_inline_secret_fields_name_the_file_field(kind: str, key: str, use: str) -> None:
    assert inline_secret_field(kind, key) == use


def test_non_secret_fields_are_not_flagged() -> None:
    assert inline_secret_field("opsgenie", "api_url") is None
    assert inline_secret_field("slack", "channel") is None
    assert inline_secret_field("pagerduty", "routing_key_file") is None


@pytest.mark.parametrize(("text", "rendered"), [
    ('team="payments"', 'team="payments"'),
    ('slo_name=~"latency|uptime"', 'slo_name=~"latency|uptime"'),
    ("env != prod", 'env!="prod"'),
    (r'msg="say \"hi\""', r'msg="say \"hi\""'),
])
def test_matchers_round_trip(text: str, rendered: str) -> None:
    assert matchers.parse(text).text == rendered


@pytest.mark.parametrize("text", [
    pytest.param("team", id="no operator"),
    pytest.param('1team="x"', id="bad label name"),
    pytest.param('slo_name=~"(latency"', id="bad regex"),
    pytest.param('team="payments', id="unbalanced quote"),
    pytest.param('team={x}', id="unquoted braces"),
])
def test_invalid_matchers_are_rejected(text: str) -> None:
    with pytest.raises(matchers.MatcherError):
        matchers.parse(text)


def test_time_interval_is_normalised() -> None:
    entry = {"weekdays": ["Monday:Friday"], "times": [{"start_time": "09:00", "end_time": "17:30"}],
             "days_of_month": [1, "-3:-1"], "months": ["january:3"], "years": [2025],
             "location": "Europe/Berlin"}
    assert normalise(entry) == {
        "times": [{"start_time": "09:00", "end_time": "17:30"}], "weekdays": ["monday:friday"],
        "days_of_month": ["1", "-3:-1"], "months": ["january:3"], "years": ["2025"],
        "location": "Europe/Berlin"}


@pytest.mark.parametrize(("entry", "field"), [
    pytest.param({"times": [{"start_time": "9am", "end_time": "17:00"}]}, ("times", 0, "start_time"),
                 id="time not HH:MM"),
    pytest.param({"times": [{"start_time": "18:00", "end_time": "09:00"}]}, ("times", 0, "end_time"),
                 id="end before start"),
    pytest.param({"times": [{"start_time": "00:00", "end_time": "25:00"}]}, ("times", 0, "end_time"),
                 id="hour 25"),
    pytest.param({"weekdays": ["funday"]}, ("weekdays", 0), id="unknown weekday"),
    pytest.param({"weekdays": ["friday:monday"]}, ("weekdays", 0), id="weekday range backwards"),
    pytest.param({"days_of_month": [0]}, ("days_of_month", 0), id="day 0"),
    pytest.param({"days_of_month": ["10:5"]}, ("days_of_month", 0), id="day range backwards"),
    pytest.param({"months": ["smarch"]}, ("months", 0), id="unknown month"),
    pytest.param({"years": ["2026:2025"]}, ("years", 0), id="year range backwards"),
    pytest.param({"location": "Mars/Olympus"}, ("location",), id="unknown time zone"),
])
def test_bad_time_intervals_name_the_field(entry: dict[str, object], field: tuple[object, ...]) -> None:
    with pytest.raises(IntervalError) as caught:
        normalise(entry)
    assert caught.value.field == field
