"""Fixtures for the workflow tests: a spec directory, snapshots of out/."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

SERVICE = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: {service}
owner: payments
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errors: sum(rate(http_requests_total{{job="{service}",code=~"5.."}}[{{{{ window }}}}]))
        total: sum(rate(http_requests_total{{job="{service}"}}[{{{{ window }}}}]))
  - name: latency
    objective: 99
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{{job="{service}"}}'
        threshold: 300ms
"""


def service_spec(service: str = "checkout") -> str:
    return SERVICE.format(service=service)


def write_spec(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under out/ with its bytes (to prove a failed run touched nothing)."""
    if not out.exists():
        return {}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    directory = tmp_path / "specs"
    write_spec(directory, "checkout.yml", service_spec("checkout"))
    write_spec(directory, "search.yml", service_spec("search"))
    return directory
