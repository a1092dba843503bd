"""Fixtures for the scale tests: a grouped spec written fresh for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

GROUPED_SPEC = """\
apiVersion: sloforge/v1
kind: ServiceLevels
service: api
owner: platform
slos:
  - name: availability
    objective: 99
    sli:
      events:
        errors: sum by (route) (rate(http_requests_total{job="api",code=~"5.."}[{{ window }}]))
        total: sum by (route) (rate(http_requests_total{job="api"}[{{ window }}]))
        group_by: [route]
    alerting:
      budget:
        - {consumed: 100%, severity: page}
  - name: latency
    objective: 99
    sli:
      latency:
        metric: http_request_duration_seconds
        selector: '{job="api"}'
        threshold: 300ms
        group_by: [route]
"""


@pytest.fixture
def grouped_spec(tmp_path: Path) -> Path:
    path = tmp_path / "specs" / "api.yml"
    path.parent.mkdir()
    path.write_text(GROUPED_SPEC, encoding="utf-8")
    return path
