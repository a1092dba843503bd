"""Secrets are never inline in a routing spec: detection of keys and values that hold one.

Alertmanager 0.25 reads every secret sloforge supports from a file
(`routing_key_file`, `api_key_file`, `api_url_file`, `auth_password_file`,
`credentials_file`). A field that would hold the secret itself, or a value that
looks like one (a URL with a password, a token in a query string, a Slack
webhook URL, a long random token), is an error naming the field to use instead.
Webhook URLs are inline in 0.25 (`url_file` exists only from 0.26), so they
must carry no credentials at all: authenticate with `credentials_file`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

# Inline secret field -> the file field to use instead (per integration, then any).
FILE_FIELD = {
    ("pagerduty", "routing_key"): "routing_key_file",
    ("pagerduty", "service_key"): "routing_key_file",
    ("opsgenie", "api_key"): "api_key_file",
    ("slack", "api_url"): "api_url_file",
    ("email", "auth_password"): "auth_password_file",
    ("email", "auth_secret"): "auth_password_file",
    ("email", "password"): "auth_password_file",
    ("webhook", "url_file"): "url (without credentials) and credentials_file",
}
GENERIC_FILE_FIELD = {
    "password": "a *_file field", "bearer_token": "credentials_file", "token": "credentials_file",
    "credentials": "credentials_file", "http_config": "credentials_file",
}
_SECRET_WORDS = re.compile(r"(password|passwd|secret|token|credential|api_?key|routing_key|service_key)",
                           re.IGNORECASE)
_QUERY_SECRET = re.compile(r"(token|key|secret|pass|pwd|sig|signature|auth|code|credential)", re.IGNORECASE)
_SECRET_HOSTS = {
    "hooks.slack.com": "a Slack incoming-webhook URL is itself a secret; use slack.api_url_file",
    "discord.com": "a Discord webhook URL is itself a secret",
    "discordapp.com": "a Discord webhook URL is itself a secret",
    "api.telegram.org": "a Telegram bot URL holds the bot token",
}
_SECRET_HOST_SUFFIXES = {
    ".webhook.office.com": "a Microsoft Teams webhook URL is itself a secret",
}
_URL = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9_\-+=]{24,}")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def inline_secret_field(kind: str, key: str) -> str | None:
    """For a key that would hold a secret inline: the file field to use instead."""
    if key.endswith("_file"):
        return FILE_FIELD.get((kind, key))
    found = FILE_FIELD.get((kind, key)) or GENERIC_FILE_FIELD.get(key)
    if found:
        return found
    if kind == "opsgenie" and key == "api_url":
        return None  # the Opsgenie API endpoint, not a secret (checked as a value)
    return "the matching *_file field" if _SECRET_WORDS.search(key) else None


def secret_in_value(text: str) -> str | None:
    """Why `text` looks like it holds a secret, or None."""
    for match in _URL.finditer(text):
        reason = _secret_in_url(match.group(0))
        if reason:
            return reason
    without_urls = _URL.sub(" ", text)
    for match in _TOKEN.finditer(without_urls):
        if _looks_random(match.group(0)):
            return "it looks like a token or key"
    return None


def _secret_in_url(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.password is not None or (parts.username and "@" in parts.netloc):
        return "the URL carries credentials (user:password@host)"
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if _QUERY_SECRET.search(name):
            return f"the URL carries a secret in its query ('{name}=')"
    if host in _SECRET_HOSTS:
        return _SECRET_HOSTS[host]
    for suffix, reason in _SECRET_HOST_SUFFIXES.items():
        if host.endswith(suffix):
            return reason
    if host == "events.pagerduty.com" and "/integration/" in parts.path:
        return "a PagerDuty integration URL holds the integration key"
    for segment in parts.path.split("/"):
        if len(segment) >= 24 and _looks_random(segment):
            return f"the URL path segment '{segment[:6]}...' looks like a token"
    return None


def _looks_random(word: str) -> bool:
    """Long runs mixing letters and digits (keys, tokens); not UUIDs, not words-with-dashes."""
    if _UUID.match(word):
        return False
    letters = sum(ch.isalpha() for ch in word)
    digits = sum(ch.isdigit() for ch in word)
    return letters >= 4 and digits >= 4
