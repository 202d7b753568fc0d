"""The slow tier: every test under tests/e2e/ carries the ``e2e`` marker, so a quick run can leave
them out with ``pytest -m "not e2e"``. A plain ``pytest`` (and ``.ci/run``) still runs them all."""

from __future__ import annotations

from pathlib import Path

import pytest

E2E = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Hooks of a conftest see the items of the whole session, not just of this directory.
    for item in items:
        if item.path.is_relative_to(E2E):
            item.add_marker(pytest.mark.e2e)
