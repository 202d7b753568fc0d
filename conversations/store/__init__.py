"""Storage, cut by aggregate: every query the desk runs lives in one of these modules.

A ``Store`` is one unit of work: a database session, the moment its event happens at (the
engine's clock, so tests can move time by hand), and one repository per aggregate. The engine
opens one per event and commits it whole; nothing outside ``store/`` writes SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio.session import AsyncSessionTransaction

from conversations.store.conversations import Conversations
from conversations.store.events import EventLog
from conversations.store.messages import Messages
from conversations.store.people import People
from conversations.store.surveys import Surveys
from conversations.store.tickets import Tickets

__all__ = [
    "Conversations",
    "EventLog",
    "Messages",
    "People",
    "Store",
    "Surveys",
    "Tickets",
]


class Store:
    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.now = now
        self.events = EventLog(session, now)
        self.people = People(session, now)
        self.conversations = Conversations(session, now)
        self.messages = Messages(session, now)
        self.tickets = Tickets(session, now)
        self.surveys = Surveys(session, now)

    async def flush(self) -> None:
        await self.session.flush()

    def savepoint(self) -> AsyncSessionTransaction:
        """A nested transaction: what runs inside is undone as a whole if it raises."""
        return self.session.begin_nested()
