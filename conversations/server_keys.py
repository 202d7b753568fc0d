"""Random signing keys, made once and shared through the database (``views.ServerKeys``).

The first process to need a key makes 256 random bits and inserts them; a process that loses
that race reads the winner's. Each process then keeps the key in memory: it never changes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.engine import outage_is_unavailable
from conversations.models import ServerKey


class StoredServerKeys:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, clock: Callable[[], datetime]
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._known: dict[str, bytes] = {}

    async def key(self, name: str) -> bytes:
        known = self._known.get(name)
        if known is None:
            async with outage_is_unavailable():
                known = await self._read(name) or await self._make(name)
            self._known[name] = known
        return known

    async def _read(self, name: str) -> bytes | None:
        async with self._sessions() as session:
            secret = await session.scalar(select(ServerKey.secret).where(ServerKey.name == name))
        return bytes.fromhex(secret) if secret is not None else None

    async def _make(self, name: str) -> bytes:
        made = secrets.token_bytes(32)
        try:
            async with self._sessions.begin() as session:
                session.add(ServerKey(name=name, secret=made.hex(), created_at=self._clock()))
        except IntegrityError:  # another process made it first: use theirs
            theirs = await self._read(name)
            assert theirs is not None
            return theirs
        return made
