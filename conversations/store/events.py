"""The event log: redelivered platform events (taken once), and everything that happened to a
ticket (the audit trail, which is also what reports read: who, when, from what, to what)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conversations.models import ProcessedEvent, TicketEvent
from conversations.store.base import Repository
from conversations.tickets.events import EventKind


class EventLog(Repository):
    __slots__ = ()

    async def first_delivery(self, platform: str, event_id: str) -> bool:
        """Record the event; False if it was processed before (a redelivery).

        The insert is flushed at once so a concurrent duplicate blocks on the unique constraint
        and then fails, instead of both running the event's effects.
        """
        try:
            async with self.session.begin_nested():
                self.session.add(
                    ProcessedEvent(platform=platform, event_id=event_id, processed_at=self.now)
                )
        except IntegrityError:
            return False
        return True

    def record(
        self,
        kind: EventKind,
        *,
        ticket_id: int | None,
        actor: str,
        actor_key: str | None = None,
        from_value: str | None = None,
        to_value: str | None = None,
        conversation_id: int | None = None,
    ) -> None:
        self.session.add(
            TicketEvent(
                ticket_id=ticket_id,
                conversation_id=conversation_id,
                actor=actor[:200],
                actor_key=actor_key,
                action=kind,
                from_value=from_value,
                to_value=to_value,
                created_at=self.now,
            )
        )

    async def of_ticket(self, ticket_id: int) -> Sequence[TicketEvent]:
        rows = await self.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        )
        return rows.all()
