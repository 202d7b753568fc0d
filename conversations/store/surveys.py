"""Satisfaction surveys: one per resolved ticket."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conversations.models import Survey
from conversations.store.base import Repository


class Surveys(Repository):
    __slots__ = ()

    async def of_ticket(self, ticket_id: int) -> Survey | None:
        return await self.session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))

    async def last_sent_to(self, requester_id: int) -> datetime | None:
        return await self.session.scalar(
            select(func.max(Survey.sent_at)).where(Survey.requester_id == requester_id)
        )

    async def add(self, survey: Survey) -> bool:
        """False if the ticket has a survey already (one per ticket, even when re-resolved)."""
        try:
            async with self.session.begin_nested():
                self.session.add(survey)
        except IntegrityError:
            return False
        return True
