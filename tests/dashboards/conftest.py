"""Fixtures for the dashboard tests (helpers live in support.py)."""

from __future__ import annotations

from typing import Any

import pytest

from .support import example_dashboards


@pytest.fixture(scope="session")
def boards() -> dict[str, dict[str, Any]]:
    return example_dashboards()
