"""A minimal Language Server Protocol client: open one YAML file in a real
yaml-language-server and return the diagnostics it publishes for it."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

LOCAL = REPO / ".tools" / "node_modules" / ".bin" / "yaml-language-server"
SETTINGS = {"yaml": {"validate": True, "schemaStore": {"enable": False}}}


def server() -> str:
    """yaml-language-server on PATH or in .tools/ (`make tools` puts it there); CI needs it."""
    found = shutil.which("yaml-language-server") or (str(LOCAL) if LOCAL.exists() else None)
    if found:
        return found
    hint = "npm install --prefix .tools yaml-language-server@1 (make tools does)"
    if os.environ.get("CI"):
        pytest.fail(f"yaml-language-server is required in CI: {hint}")
    pytest.skip(f"yaml-language-server not installed: {hint}")


class _Connection:
    def __init__(self, command: str):
        self.proc = subprocess.Popen([command, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.buffer = b""

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self, deadline: float) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        while True:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if sep:
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length"))
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    return json.loads(rest[:length])  # type: ignore[no-any-return]
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.time()))
            chunk = os.read(self.proc.stdout.fileno(), 65536) if ready else b""
            if not chunk:
                return None
            self.buffer += chunk


def diagnostics(path: Path, timeout: float = 60.0) -> list[dict[str, Any]]:
    """What the editor shows for `path`, as the server publishes it on opening the file."""
    connection = _Connection(server())
    uri = path.resolve().as_uri()
    deadline = time.time() + timeout
    try:
        connection.send({"id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": path.parent.resolve().as_uri(),
            "capabilities": {"workspace": {"configuration": True}}}})
        while (message := connection.receive(deadline)) is not None:
            if message.get("id") == 1 and "result" in message:
                connection.send({"method": "initialized", "params": {}})
                connection.send({"method": "workspace/didChangeConfiguration", "params": {"settings": SETTINGS}})
                connection.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                    "uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text("utf-8")}}})
            elif message.get("method") == "workspace/configuration":
                items = message["params"]["items"]
                connection.send({"id": message["id"], "result": [SETTINGS["yaml"] for _ in items]})
            elif "id" in message and "method" in message:
                connection.send({"id": message["id"], "result": None})
            elif message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]  # type: ignore[no-any-return]
        raise AssertionError(f"yaml-language-server published no diagnostics for {path} in {timeout} s")
    finally:
        connection.proc.kill()
        connection.proc.wait()
        for pipe in (connection.proc.stdin, connection.proc.stdout):
            if pipe is not None:
                pipe.close()
