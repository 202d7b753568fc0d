"""Signing keys are made once and shared: every process, and a restarted one, signs and checks web
chat ids with the same key, so a requester keeps their chat."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.web.chat_ids import ChatIds
from bot import db
from conversations.messages import Unavailable
from conversations.server_keys import StoredServerKeys
from tests.outage import Outage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _keys(sessions: async_sessionmaker[AsyncSession]) -> StoredServerKeys:
    return StoredServerKeys(sessions, clock=lambda: T0)


async def test_a_key_is_made_once_and_read_by_every_process(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    here = _keys(sessions)
    key = await here.key("web-chat-ids")
    assert len(key) == 32
    assert await here.key("web-chat-ids") == key
    assert await here.key("another") != key

    engine = db.create_engine(database_url)  # another process, its own pool
    try:
        assert await _keys(db.session_factory(engine)).key("web-chat-ids") == key
    finally:
        await engine.dispose()


async def test_processes_starting_together_agree_on_one_key(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    engines = [db.create_engine(database_url) for _ in range(4)]
    try:
        keys = await asyncio.gather(
            *(_keys(db.session_factory(engine)).key("web-chat-ids") for engine in engines)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert len(set(keys)) == 1


async def test_a_chat_id_issued_before_a_restart_is_still_the_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cookie = await ChatIds(_keys(sessions)).issue()
    restarted = ChatIds(_keys(sessions))
    chat_id = await restarted.chat_of(cookie)
    assert chat_id is not None and cookie.startswith(chat_id + ".")


async def test_the_key_unreadable_in_an_outage_is_unavailable(
    sessions: async_sessionmaker[AsyncSession], outage: Outage
) -> None:
    await outage.begin()
    with pytest.raises(Unavailable):
        await _keys(sessions).key("web-chat-ids")
    await outage.end()
    assert len(await _keys(sessions).key("web-chat-ids")) == 32
