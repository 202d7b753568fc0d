"""Data access for the engine: every query lives here, one ``Repository`` per database session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import ChatRef, OutboundMessage, UserRef
from conversations.models import (
    Conversation,
    Message,
    Person,
    ProcessedEvent,
    Suggestion,
    Ticket,
    TicketEntry,
    TicketEvent,
)

ACTIVE = ("new", "open", "pending")  # tickets an agent still has to act on
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class Repository:
    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.now = now

    # -- events -------------------------------------------------------------------------------

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

    # -- people and conversations ---------------------------------------------------------------

    async def person(self, user: UserRef) -> Person:
        person = await self.session.scalar(
            select(Person).where(
                Person.platform == user.platform, Person.platform_user_id == user.user_id
            )
        )
        if person is None:
            person = Person(
                platform=user.platform,
                platform_user_id=user.user_id,
                display_name=user.display_name,
                created_at=self.now,
            )
            self.session.add(person)
            await self.session.flush()
        elif user.display_name and person.display_name != user.display_name:
            person.display_name = user.display_name
        return person

    async def conversation(self, chat: ChatRef, person: Person, lang: str) -> Conversation:
        conversation = await self.session.scalar(
            select(Conversation).where(
                Conversation.platform == chat.platform,
                Conversation.chat_id == chat.chat_id,
                Conversation.thread_key == (chat.thread_id or ""),
            )
        )
        if conversation is None:
            conversation = Conversation(
                platform=chat.platform,
                chat_id=chat.chat_id,
                thread_key=chat.thread_id or "",
                person_id=person.id,
                state="idle",
                pending_text="",
                lang=lang,
                greeted=False,
                created_at=self.now,
                updated_at=self.now,
            )
            self.session.add(conversation)
            await self.session.flush()
        return conversation

    async def person_by_id(self, person_id: int) -> Person:
        person = await self.session.get(Person, person_id)
        assert person is not None, "tickets always have a requester"
        return person

    async def conversation_by_id(self, conversation_id: int) -> Conversation:
        conversation = await self.session.get(Conversation, conversation_id)
        assert conversation is not None, "tickets always have a conversation"
        return conversation

    # -- messages (transcript and outbox) -------------------------------------------------------

    def record_inbound(self, chat: ChatRef, sender: UserRef, text: str, lang: str) -> None:
        self.session.add(
            Message(
                platform=chat.platform,
                chat_id=chat.chat_id,
                thread_id=chat.thread_id,
                direction="in",
                author=sender.name,
                text=text,
                buttons=[],
                lang=lang,
                created_at=self.now,
            )
        )

    def enqueue(self, message: OutboundMessage, *, in_ticket_thread: bool = False) -> None:
        """Record an outbound message; the delivery worker sends it after the commit."""
        self.session.add(
            Message(
                platform=message.chat.platform,
                chat_id=message.chat.chat_id,
                thread_id=message.chat.thread_id,
                direction="out",
                ticket_id=message.ticket_id,
                in_ticket_thread=in_ticket_thread,
                text=message.text,
                buttons=[asdict(b) for b in message.buttons],
                lang=message.lang,
                status="pending",
                attempts=0,
                next_attempt_at=self.now,
                created_at=self.now,
            )
        )

    async def transcript(self, chat: ChatRef, after: int, limit: int = 500) -> Sequence[Message]:
        rows = await self.session.scalars(
            select(Message)
            .where(
                Message.platform == chat.platform,
                Message.chat_id == chat.chat_id,
                Message.id > after,
            )
            .order_by(Message.id)
            .limit(limit)
        )
        return rows.all()

    async def ticket_for_platform_message(
        self, platform: str, chat_id: str, platform_message_id: str
    ) -> int | None:
        """Which ticket an agent-channel message belongs to (replies and threads map back)."""
        return await self.session.scalar(
            select(Message.ticket_id)
            .where(
                Message.platform == platform,
                Message.chat_id == chat_id,
                Message.platform_message_id == platform_message_id,
                Message.ticket_id.is_not(None),
            )
            .limit(1)
        )

    # -- suggestions ----------------------------------------------------------------------------

    def add_suggestion(self, suggestion: Suggestion) -> None:
        self.session.add(suggestion)

    async def suggestion(self, suggestion_id: int) -> Suggestion | None:
        return await self.session.get(Suggestion, suggestion_id)

    async def open_suggestions(self, conversation_id: int) -> Sequence[Suggestion]:
        rows = await self.session.scalars(
            select(Suggestion)
            .where(Suggestion.conversation_id == conversation_id, Suggestion.outcome.is_(None))
            .order_by(Suggestion.id)
        )
        return rows.all()

    async def close_suggestions(self, conversation_id: int, outcome: str) -> None:
        """Give every unanswered suggestion of the conversation ``outcome``."""
        for suggestion in await self.open_suggestions(conversation_id):
            suggestion.outcome = outcome
            suggestion.answered_at = self.now

    async def link_suggestions(self, conversation_id: int, query: str, ticket_id: int) -> None:
        """Attach the suggestions shown for ``query`` to the ticket it became ("FAQs tried")."""
        await self.session.execute(
            update(Suggestion)
            .where(
                Suggestion.conversation_id == conversation_id,
                Suggestion.query == query,
                Suggestion.ticket_id.is_(None),
            )
            .values(ticket_id=ticket_id)
        )

    async def faqs_tried(self, ticket_id: int) -> list[str]:
        rows = await self.session.scalars(
            select(Suggestion.article_id)
            .where(Suggestion.ticket_id == ticket_id)
            .order_by(Suggestion.id)
        )
        return list(dict.fromkeys(rows.all()))

    # -- tickets --------------------------------------------------------------------------------

    async def ticket(self, ticket_id: int, *, for_update: bool = False) -> Ticket | None:
        if for_update:
            return await self.session.scalar(
                select(Ticket).where(Ticket.id == ticket_id).with_for_update()
            )
        return await self.session.get(Ticket, ticket_id)

    async def live_ticket(self, conversation_id: int, reopen_after: datetime) -> Ticket | None:
        """The conversation's ticket that new requester messages belong to: an active one, or one
        resolved after ``reopen_after`` (a reply to a recently resolved ticket re-opens it)."""
        rows = await self.session.scalars(
            select(Ticket)
            .where(Ticket.conversation_id == conversation_id, Ticket.status != "closed")
            .order_by(Ticket.id.desc())
        )
        for ticket in rows:
            if ticket.status in ACTIVE:
                return ticket
            if ticket.resolved_at is not None and ticket.resolved_at > reopen_after:
                return ticket
        return None

    async def tickets_of(self, person_id: int, limit: int = 10) -> Sequence[Ticket]:
        rows = await self.session.scalars(
            select(Ticket)
            .where(Ticket.requester_id == person_id)
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def queue(self, view: str = "all") -> list[Ticket]:
        """Tickets not yet closed, most pressing first: priority, then age."""
        query = select(Ticket).where(Ticket.status != "closed")
        if view == "unassigned":
            query = query.where(Ticket.assignee_key.is_(None), Ticket.status.in_(ACTIVE))
        elif view == "urgent":
            query = query.where(Ticket.priority == "urgent", Ticket.status.in_(ACTIVE))
        elif view.startswith("mine:"):
            query = query.where(Ticket.assignee_key == view.removeprefix("mine:"))
        tickets = list(await self.session.scalars(query))
        tickets.sort(key=lambda t: (t.status not in ACTIVE, PRIORITY_RANK.get(t.priority, 9), t.id))
        return tickets

    def add_ticket(self, ticket: Ticket) -> None:
        self.session.add(ticket)

    async def claim(self, ticket_id: int, status: str, key: str, name: str) -> bool:
        """Take an unassigned active ticket that is still in ``status`` (so the audit trail can
        say what it was). A conditional UPDATE: of two agents claiming at once in two processes
        exactly one matches the row (on SQLite and PostgreSQL alike)."""
        if status not in ACTIVE:
            return False
        result = await self.session.execute(
            update(Ticket)
            .where(
                Ticket.id == ticket_id,
                Ticket.assignee_key.is_(None),
                Ticket.status == status,
            )
            .values(
                assignee_key=key,
                assignee_name=name,
                status="open",
                updated_at=self.now,
            )
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    def add_entry(self, ticket_id: int, kind: str, author: str, text: str) -> None:
        self.session.add(
            TicketEntry(
                ticket_id=ticket_id, kind=kind, author=author, text=text, created_at=self.now
            )
        )

    async def entries(self, ticket_id: int) -> Sequence[TicketEntry]:
        rows = await self.session.scalars(
            select(TicketEntry).where(TicketEntry.ticket_id == ticket_id).order_by(TicketEntry.id)
        )
        return rows.all()

    def audit(
        self,
        ticket_id: int,
        actor: str,
        action: str,
        from_value: str | None = None,
        to_value: str | None = None,
    ) -> None:
        self.session.add(
            TicketEvent(
                ticket_id=ticket_id,
                actor=actor,
                action=action,
                from_value=from_value,
                to_value=to_value,
                created_at=self.now,
            )
        )

    async def audit_trail(self, ticket_id: int) -> Sequence[TicketEvent]:
        rows = await self.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        )
        return rows.all()

    async def count_tickets(self) -> int:
        return await self.session.scalar(select(func.count(Ticket.id))) or 0
