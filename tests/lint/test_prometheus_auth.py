"""--bearer-token-file / --basic-auth-file / --ca-file: what reaches the server, and the errors."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sloforge.prometheus_api import Auth, Client, PrometheusError

from tests.conftest import run_cli

EMPTY = json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}}).encode()


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str | None] = []
    status = 200

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).seen.append(self.headers.get("Authorization"))
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(EMPTY if type(self).status == 200 else b'{"status":"error"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Recorder.seen, _Recorder.status = [], 200
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_bearer_token_is_read_from_its_file_and_sent(server: str, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("s3cret-token\n")
    Client(server, auth=Auth(bearer_token_file=tmp_path / "token")).query("up", 0)
    assert _Recorder.seen == ["Bearer s3cret-token"]


def test_basic_auth_is_read_from_its_file_and_sent(server: str, tmp_path: Path) -> None:
    (tmp_path / "pair").write_text("alice:pa:ss\n")
    Client(server, auth=Auth(basic_auth_file=tmp_path / "pair")).query("up", 0)
    assert _Recorder.seen == ["Basic " + base64.b64encode(b"alice:pa:ss").decode()]


def test_no_auth_sends_no_header(server: str) -> None:
    Client(server).query("up", 0)
    assert _Recorder.seen == [None]


def test_a_refused_request_names_the_flags(server: str, tmp_path: Path) -> None:
    _Recorder.status = 401
    with pytest.raises(PrometheusError, match=r"refused the request \(HTTP 401\): check --bearer-token-file"):
        Client(server).query("up", 0)


@pytest.mark.parametrize("bad, message", [
    pytest.param(Auth(bearer_token_file=Path("/nonexistent/token")), "--bearer-token-file /nonexistent/token: "
                 "No such file or directory", id="missing token file"),
    pytest.param(Auth(ca_file=Path("/nonexistent/ca.pem")), "--ca-file /nonexistent/ca.pem", id="missing CA file"),
])
def test_unreadable_files_are_one_line_errors(server: str, bad: Auth, message: str) -> None:
    with pytest.raises(PrometheusError, match=message):
        Client(server, auth=bad).query("up", 0)


def test_basic_auth_file_without_a_colon(server: str, tmp_path: Path) -> None:
    (tmp_path / "pair").write_text("alice\n")
    with pytest.raises(PrometheusError, match="expected one line user:password"):
        Client(server, auth=Auth(basic_auth_file=tmp_path / "pair")).query("up", 0)


def test_cli_refuses_both_kinds_of_auth(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("t")
    (tmp_path / "spec.yml").write_text("apiVersion: sloforge/v1\nkind: ServiceLevels\nservice: a\nslos: []\n")
    done = run_cli("lint", str(tmp_path / "spec.yml"), "--prometheus", "http://127.0.0.1:9",
                   "--bearer-token-file", str(tmp_path / "x"), "--basic-auth-file", str(tmp_path / "x"))
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --bearer-token-file and --basic-auth-file exclude each other"
