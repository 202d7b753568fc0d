"""Agent console sessions, kept in the database so every process sees a login and a logout.

``open`` makes a random token (``secrets``: 256 bits) and stores only its SHA-256 with an
expiry; ``holds`` is a primary-key look-up, so a logout in one process is seen by all at once;
``close`` deletes the row. Expired rows are swept at each login.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.engine import outage_is_unavailable
from conversations.models import ConsoleSession


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class StoredConsoleSessions:
    """``views.ConsoleSessions`` on the database."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, clock: Callable[[], datetime]
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def open(self, *, lifetime: timedelta) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        async with outage_is_unavailable(), self._sessions.begin() as session:
            await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
            session.add(
                ConsoleSession(token_hash=_hash(token), created_at=now, expires_at=now + lifetime)
            )
        return token

    async def holds(self, token: str) -> bool:
        async with outage_is_unavailable(), self._sessions() as session:
            expires_at = await session.scalar(
                select(ConsoleSession.expires_at).where(ConsoleSession.token_hash == _hash(token))
            )
        return expires_at is not None and expires_at > self._clock()

    async def close(self, token: str) -> None:
        async with outage_is_unavailable(), self._sessions.begin() as session:
            await session.execute(
                delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token))
            )
