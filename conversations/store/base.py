"""What every aggregate repository holds: the unit of work's session and its moment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    __slots__ = ("now", "session")

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.now = now
