"""Fixtures of the integration tests: a desk on the test's migrated database."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.harness import DeskHarness


@pytest.fixture
def desk(sessions: async_sessionmaker[AsyncSession]) -> DeskHarness:
    """The engine and outbox with the sample knowledge base and default workflow, on ``sessions``:
    people talk to it with ``desk.person(name)``, agents with ``desk.agent(name, command)``."""
    return DeskHarness(sessions)
