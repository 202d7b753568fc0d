"""Agent console sessions are random, kept server-side, expire, and end everywhere at logout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.console_sessions import StoredConsoleSessions
from conversations.messages import Unavailable
from conversations.models import ConsoleSession
from tests.fakes.recording import Clock
from tests.outage import Outage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=12)


async def test_every_login_is_a_new_random_session_stored_only_as_a_hash(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = StoredConsoleSessions(sessions, clock=Clock(T0))

    first = await store.open(lifetime=DAY)
    second = await store.open(lifetime=DAY)

    assert first != second
    assert len(first) >= 43  # 32 random bytes, URL-safe base64
    assert await store.holds(first) and await store.holds(second)
    async with sessions() as session:
        hashes = set(await session.scalars(select(ConsoleSession.token_hash)))
    assert len(hashes) == 2
    assert first not in hashes and second not in hashes


async def test_a_session_expires_after_its_lifetime(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(T0)
    store = StoredConsoleSessions(sessions, clock=clock)
    token = await store.open(lifetime=DAY)

    clock.now = T0 + DAY - timedelta(seconds=1)
    assert await store.holds(token)
    clock.now = T0 + DAY
    assert not await store.holds(token)


async def test_logout_in_one_process_ends_the_session_in_all(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(T0)
    here, there = (StoredConsoleSessions(sessions, clock=clock) for _ in range(2))
    token = await here.open(lifetime=DAY)
    other = await here.open(lifetime=DAY)
    assert await there.holds(token)

    await there.close(token)

    assert not await here.holds(token)
    assert await here.holds(other)  # another browser's login is untouched
    await there.close(token)  # twice, or a token never issued: nothing happens
    await there.close("never-issued")


async def test_unknown_and_hostile_tokens_are_not_sessions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = StoredConsoleSessions(sessions, clock=Clock(T0))
    await store.open(lifetime=DAY)
    for token in ("", "x" * 4000, "' OR 1=1 --", "\udcff\x00"):
        assert not await store.holds(token)


async def test_expired_sessions_are_swept_at_the_next_login(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(T0)
    store = StoredConsoleSessions(sessions, clock=clock)
    for _ in range(3):
        await store.open(lifetime=DAY)
    clock.now = T0 + 2 * DAY
    await store.open(lifetime=DAY)

    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ConsoleSession)) == 1


async def test_a_database_outage_is_unavailable_not_a_refusal(
    sessions: async_sessionmaker[AsyncSession], outage: Outage
) -> None:
    store = StoredConsoleSessions(sessions, clock=Clock(T0))
    token = await store.open(lifetime=DAY)

    await outage.begin()
    with pytest.raises(Unavailable):
        await store.holds(token)
    with pytest.raises(Unavailable):
        await store.open(lifetime=DAY)
    await outage.end()

    assert await store.holds(token)
