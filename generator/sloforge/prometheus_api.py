"""A small, strict client for Prometheus' HTTP query API (urllib, bounded timeouts).

Every failure becomes a PrometheusError with one line a person can act on:
unreachable, timed out, an API error with Prometheus' own message, or an answer
that is not the Prometheus API at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sloforge.errors import SloforgeError

Labels = dict[str, str]
DEFAULT_TIMEOUT = 10.0


class PrometheusError(SloforgeError):
    """Prometheus could not answer a query."""


@dataclass(frozen=True, slots=True)
class Sample:
    labels: Labels
    value: float


@dataclass(frozen=True, slots=True)
class Series:
    labels: Labels
    points: tuple[tuple[float, float], ...]  # (unix time, value)


@dataclass(frozen=True, slots=True)
class Auth:
    """How to authenticate to a Prometheus behind a proxy: secrets come from files (as in
    Prometheus' own `bearer_token_file`, `password_file`), never from the command line."""

    bearer_token_file: Path | None = None
    basic_auth_file: Path | None = None  # one line: user:password
    ca_file: Path | None = None  # PEM bundle to verify the server's certificate

    def headers(self) -> dict[str, str]:
        if self.bearer_token_file is not None:
            token = _secret(self.bearer_token_file, "--bearer-token-file")
            return {"Authorization": f"Bearer {token}"}
        if self.basic_auth_file is not None:
            pair = _secret(self.basic_auth_file, "--basic-auth-file")
            if ":" not in pair:
                raise PrometheusError(f"--basic-auth-file {self.basic_auth_file}: expected one line user:password")
            return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        return {}

    def context(self) -> ssl.SSLContext | None:
        if self.ca_file is None:
            return None
        try:
            return ssl.create_default_context(cafile=str(self.ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise PrometheusError(f"--ca-file {self.ca_file}: {getattr(exc, 'strerror', None) or exc}") from None


def _secret(path: Path, flag: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PrometheusError(f"{flag} {path}: {exc.strerror}") from None


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """One rule group as /api/v1/rules shows it (only what `report` needs)."""

    name: str
    file: str
    interval: float  # seconds between evaluations
    last_evaluation: float | None  # unix time; None: not evaluated yet
    alert_labels: tuple[Labels, ...]  # the static labels of each alerting rule


class Client:
    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT, auth: Auth | None = None):
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise PrometheusError(f"--prometheus {url!r} is not an http(s) URL (e.g. http://localhost:9090)")
        self.url = url.rstrip("/")
        self.timeout = timeout
        auth = auth or Auth()
        self._headers = {"Accept": "application/json", **auth.headers()}
        self._context = auth.context()

    def query(self, expr: str, at: float) -> list[Sample]:
        data = self._get("query", {"query": expr, "time": _time(at)}, f"query {expr!r}")
        if data.get("resultType") == "scalar":
            return [Sample({}, _float(data["result"][1]))]
        return [Sample(item.get("metric", {}), _float(item["value"][1])) for item in data.get("result", [])]

    def query_range(self, expr: str, start: float, end: float, step: int) -> list[Series]:
        params = {"query": expr, "start": _time(start), "end": _time(end), "step": str(step)}
        data = self._get("query_range", params, f"query {expr!r}")
        return [Series(item.get("metric", {}), tuple((float(t), _float(v)) for t, v in item.get("values", [])))
                for item in data.get("result", [])]

    def series(self, selectors: list[str], start: float, end: float) -> list[Labels]:
        """The label sets of every series matching any selector in [start, end]."""
        params = [("match[]", s) for s in selectors] + [("start", _time(start)), ("end", _time(end))]
        data = self._get("series", params, "series " + " or ".join(selectors))
        return [dict(item) for item in data] if isinstance(data, list) else []

    def label_values(self, name: str, selectors: list[str], start: float, end: float) -> list[str]:
        """The values label `name` takes on the series matching the selectors in [start, end]."""
        params = [("match[]", s) for s in selectors] + [("start", _time(start)), ("end", _time(end))]
        data = self._get(f"label/{urllib.parse.quote(name, safe='')}/values", params,
                         f"label {name} of " + " or ".join(selectors))
        return [str(v) for v in data] if isinstance(data, list) else []

    def rule_groups(self) -> list[RuleGroup]:
        """The loaded rule groups (/api/v1/rules): interval and last evaluation of each."""
        data = self._get("rules", {}, "/api/v1/rules")
        try:
            return [RuleGroup(str(group.get("name", "")), str(group.get("file", "")),
                              float(group.get("interval", 0) or 0), _rfc3339(group.get("lastEvaluation")),
                              tuple(dict(rule.get("labels") or {}) for rule in group.get("rules", [])
                                    if rule.get("type") == "alerting"))
                    for group in data.get("groups", [])]
        except (AttributeError, TypeError, ValueError):
            raise PrometheusError(f"{self.url}/api/v1/rules answered with rule groups of an unknown shape") from None

    def start_time(self) -> float | None:
        """When the server process started (/api/v1/status/runtimeinfo `startTime`)."""
        return _rfc3339(self._get("status/runtimeinfo", {}, "/api/v1/status/runtimeinfo").get("startTime"))

    def retention(self) -> str | None:
        """The server's `--storage.tsdb.retention.time` as it reports it (`15d`, `15d or 10GiB`)."""
        value = self._get("status/runtimeinfo", {}, "/api/v1/status/runtimeinfo").get("storageRetention")
        return value if isinstance(value, str) and value else None

    def _get(self, endpoint: str, params: dict[str, str] | list[tuple[str, str]], what: str) -> Any:
        address = f"{self.url}/api/v1/{endpoint}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(address, headers=self._headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self._context) as answer:
                body = answer.read()
                status = answer.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        except TimeoutError:
            raise PrometheusError(f"Prometheus at {self.url} did not answer within {self.timeout:g}s "
                                  "(raise --timeout?)") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise PrometheusError(f"Prometheus at {self.url} did not answer within "
                                      f"{self.timeout:g}s (raise --timeout?)") from None
            if isinstance(reason, ssl.SSLError):
                raise PrometheusError(f"TLS error talking to Prometheus at {self.url}: "
                                      f"{getattr(reason, 'verify_message', None) or reason.reason or reason} "
                                      "(--ca-file?)") from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise PrometheusError(f"cannot reach Prometheus at {self.url}: {text}") from None
        except ssl.SSLError as exc:
            raise PrometheusError(f"TLS error talking to Prometheus at {self.url}: {exc.reason or exc} "
                                  "(--ca-file?)") from None
        except OSError as exc:
            raise PrometheusError(f"cannot reach Prometheus at {self.url}: {exc.strerror or exc}") from None
        try:
            document = json.loads(body)
        except ValueError:
            raise PrometheusError(f"{self.url} answered HTTP {status} with something other than the "
                                  "Prometheus API (is this the Prometheus URL?)") from None
        if status in (401, 403):
            raise PrometheusError(f"Prometheus at {self.url} refused the request (HTTP {status}): "
                                  "check --bearer-token-file / --basic-auth-file")
        if not isinstance(document, dict) or document.get("status") != "success":
            kind = document.get("errorType", "error") if isinstance(document, dict) else "error"
            message = document.get("error", "no message") if isinstance(document, dict) else "no message"
            raise PrometheusError(f"Prometheus API error ({kind}, HTTP {status}) for {what}: {message}")
        return document.get("data", {})


def _time(at: float) -> str:
    return f"{at:.3f}"


def _rfc3339(text: object) -> float | None:
    """Prometheus' RFC 3339 times (nanoseconds allowed) as unix time; Go's zero time is None."""
    if not isinstance(text, str) or text.startswith("0001-01-01"):
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


def _float(text: object) -> float:
    return float(text)  # type: ignore[arg-type]  # "NaN", "+Inf" are valid too
