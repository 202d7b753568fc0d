"""Data access for the engine: every query lives here, one ``Repository`` per database session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import ChatRef, OutboundMessage, UserRef
from conversations.models import (
    Agent,
    ArticleLink,
    Conversation,
    Message,
    Person,
    ProcessedEvent,
    SlaAlert,
    Suggestion,
    Survey,
    Ticket,
    TicketEntry,
    TicketEvent,
    TicketFollower,
    Transfer,
)
from conversations.sla import racing_due

ACTIVE = ("new", "open", "pending")  # tickets an agent still has to act on
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
_FAR = datetime.max.replace(tzinfo=UTC)


def queue_order(ticket: Ticket) -> tuple[bool, int, datetime, int]:
    """Active before resolved; then priority; then the SLA time it races; then age."""
    due = racing_due(ticket) or _FAR
    return (ticket.status not in ACTIVE, PRIORITY_RANK.get(ticket.priority, 9), due, ticket.id)


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

    async def ticket(self, ticket_id: int) -> Ticket | None:
        return await self.session.get(Ticket, ticket_id)

    async def live_ticket(self, conversation_id: int, reopen_after: datetime) -> Ticket | None:
        """The ticket new requester messages in this conversation belong to: an active one, or
        one resolved after ``reopen_after`` (a reply to a recently resolved ticket re-opens it).
        Tickets the conversation follows (its own was merged into them) count too."""
        followed = select(TicketFollower.ticket_id).where(
            TicketFollower.conversation_id == conversation_id
        )
        rows = await self.session.scalars(
            select(Ticket)
            .where(
                or_(Ticket.conversation_id == conversation_id, Ticket.id.in_(followed)),
                Ticket.status != "closed",
            )
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
        """Tickets not yet closed, most pressing first: priority, then the SLA time they race,
        then age. ``view``: all | unassigned | urgent | pending | breached | mine:<key> |
        team:<name>."""
        query = select(Ticket).where(Ticket.status != "closed")
        active = Ticket.status.in_(ACTIVE)
        if view == "unassigned":
            query = query.where(Ticket.assignee_key.is_(None), active)
        elif view == "urgent":
            query = query.where(Ticket.priority == "urgent", active)
        elif view == "pending":
            query = query.where(Ticket.status == "pending")
        elif view == "breached":
            query = query.where(
                active,
                or_(
                    Ticket.resolution_due_at <= self.now,
                    (Ticket.first_response_at.is_(None))
                    & (Ticket.first_response_due_at <= self.now),
                ),
            )
        elif view.startswith("mine:"):
            query = query.where(Ticket.assignee_key == view.removeprefix("mine:"))
        elif view.startswith("team:"):
            query = query.where(Ticket.team == view.removeprefix("team:"), active)
        return sorted(await self.session.scalars(query), key=queue_order)

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

    # -- followers (merged tickets) -------------------------------------------------------------

    async def conversations_following(self, ticket: Ticket) -> list[Conversation]:
        """The ticket's own conversation, then those following it."""
        followers = await self.session.scalars(
            select(Conversation)
            .join(TicketFollower, TicketFollower.conversation_id == Conversation.id)
            .where(TicketFollower.ticket_id == ticket.id)
            .order_by(TicketFollower.id)
        )
        return [await self.conversation_by_id(ticket.conversation_id), *followers]

    async def follow(self, ticket_id: int, conversation_id: int) -> None:
        exists = await self.session.scalar(
            select(TicketFollower.id).where(
                TicketFollower.ticket_id == ticket_id,
                TicketFollower.conversation_id == conversation_id,
            )
        )
        if exists is None:
            self.session.add(
                TicketFollower(
                    ticket_id=ticket_id, conversation_id=conversation_id, created_at=self.now
                )
            )

    async def followers_of(self, ticket_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(TicketFollower.conversation_id).where(TicketFollower.ticket_id == ticket_id)
        )
        return list(rows)

    # -- agents ---------------------------------------------------------------------------------

    async def agents(self) -> Sequence[Agent]:
        return (await self.session.scalars(select(Agent).order_by(Agent.id))).all()

    async def agent(self, key: str) -> Agent | None:
        return await self.session.scalar(select(Agent).where(Agent.key == key))

    async def agent_named(self, name: str) -> Agent | None:
        wanted = name.casefold()
        for agent in await self.session.scalars(select(Agent).order_by(Agent.id)):
            if agent.name.casefold() == wanted or agent.key.casefold() == wanted:
                return agent
        return None

    async def touch_agent(self, key: str, name: str, *, assigned: bool = False) -> Agent:
        """Remember an agent (on every command they run): name, last seen, last assignment."""
        agent = await self.agent(key)
        if agent is None:
            agent = Agent(key=key, name=name, available=True, last_seen_at=self.now)
            self.session.add(agent)
        agent.name, agent.last_seen_at = name, self.now
        if assigned:
            agent.last_assigned_at = self.now
        await self.session.flush()
        return agent

    async def open_tickets_of(self, key: str) -> int:
        count = await self.session.scalar(
            select(func.count(Ticket.id)).where(
                Ticket.assignee_key == key, Ticket.status.in_(ACTIVE)
            )
        )
        return count or 0

    # -- transfers ------------------------------------------------------------------------------

    async def pending_transfer(self, ticket_id: int) -> Transfer | None:
        return await self.session.scalar(
            select(Transfer).where(Transfer.ticket_id == ticket_id, Transfer.status == "pending")
        )

    def add_transfer(self, transfer: Transfer) -> None:
        self.session.add(transfer)

    async def decide_transfer(self, transfer_id: int, status: str) -> bool:
        """Move a pending transfer to ``status``; False when it was decided (or expired)
        already. Conditional, so an accept racing the timeout has one outcome."""
        result = await self.session.execute(
            update(Transfer)
            .where(Transfer.id == transfer_id, Transfer.status == "pending")
            .values(status=status, decided_at=self.now)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def expired_transfers(self) -> Sequence[Transfer]:
        rows = await self.session.scalars(
            select(Transfer)
            .where(Transfer.status == "pending", Transfer.expires_at <= self.now)
            .order_by(Transfer.id)
        )
        return rows.all()

    # -- SLA, surveys, closing, knowledge -------------------------------------------------------

    async def active_tickets(self) -> Sequence[Ticket]:
        rows = await self.session.scalars(
            select(Ticket).where(Ticket.status.in_(ACTIVE)).order_by(Ticket.id)
        )
        return rows.all()

    async def record_alert(self, ticket_id: int, target: str, stage: str, due_at: datetime) -> bool:
        """Record an SLA alert; False if it was recorded before (by us or another process)."""
        try:
            async with self.session.begin_nested():
                self.session.add(
                    SlaAlert(
                        ticket_id=ticket_id,
                        target=target,
                        stage=stage,
                        due_at=due_at,
                        sent_at=self.now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def resolved_before(self, moment: datetime) -> Sequence[Ticket]:
        rows = await self.session.scalars(
            select(Ticket)
            .where(Ticket.status == "resolved", Ticket.resolved_at <= moment)
            .order_by(Ticket.id)
        )
        return rows.all()

    async def survey_for(self, ticket_id: int) -> Survey | None:
        return await self.session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))

    async def last_survey_sent(self, requester_id: int) -> datetime | None:
        return await self.session.scalar(
            select(func.max(Survey.sent_at)).where(Survey.requester_id == requester_id)
        )

    async def add_survey(self, survey: Survey) -> bool:
        """False if the ticket has a survey already (one per ticket, even when re-resolved)."""
        try:
            async with self.session.begin_nested():
                self.session.add(survey)
        except IntegrityError:
            return False
        return True

    def link_article(
        self, ticket_id: int, article_id: str, question: str, agent: str, source: str
    ) -> None:
        self.session.add(
            ArticleLink(
                ticket_id=ticket_id,
                article_id=article_id,
                question=question,
                agent=agent,
                source=source,
                created_at=self.now,
            )
        )

    async def article_links(self) -> Sequence[ArticleLink]:
        rows = await self.session.scalars(select(ArticleLink).order_by(ArticleLink.id))
        return rows.all()

    async def close_if_resolved(self, ticket_id: int) -> bool:
        """Close a resolved ticket; False if its status changed meanwhile (a requester's reply
        re-opened it, or another process closed it)."""
        result = await self.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status == "resolved")
            .values(status="closed", closed_at=self.now, updated_at=self.now)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount == 1  # type: ignore[attr-defined]
