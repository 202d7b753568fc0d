"""Tickets and what hangs off them: their entries (the conversation), followers (requesters of
duplicates merged in), transfers, SLA alerts and the KB articles agents answered them with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from conversations.models import (
    ArticleLink,
    Conversation,
    SlaAlert,
    Ticket,
    TicketEntry,
    TicketFollower,
    Transfer,
)
from conversations.sla import racing_due
from conversations.store.base import Repository
from conversations.tickets.lifecycle import ACTIVE, TicketStatus
from conversations.views import Queue, QueueView

PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
_FAR = datetime.max.replace(tzinfo=UTC)


def queue_order(ticket: Ticket) -> tuple[bool, int, datetime, int]:
    """Active before resolved; then priority; then the SLA time it races; then age."""
    due = racing_due(ticket) or _FAR
    return (ticket.status not in ACTIVE, PRIORITY_RANK.get(ticket.priority, 9), due, ticket.id)


class Tickets(Repository):
    __slots__ = ()

    async def get(self, ticket_id: int) -> Ticket | None:
        return await self.session.get(Ticket, ticket_id)

    def add(self, ticket: Ticket) -> None:
        self.session.add(ticket)

    async def live(self, conversation_id: int, reopen_after: datetime) -> Ticket | None:
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
                Ticket.status != TicketStatus.CLOSED,
            )
            .order_by(Ticket.id.desc())
        )
        for ticket in rows:
            if ticket.status in ACTIVE:
                return ticket
            if ticket.resolved_at is not None and ticket.resolved_at > reopen_after:
                return ticket
        return None

    async def of_requester(self, person_id: int, limit: int = 10) -> Sequence[Ticket]:
        rows = await self.session.scalars(
            select(Ticket)
            .where(Ticket.requester_id == person_id)
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def queue(self, queue: Queue) -> list[Ticket]:
        """Tickets not yet closed in one queue view, most pressing first: priority, then the SLA
        time they race, then age."""
        query = select(Ticket).where(Ticket.status != TicketStatus.CLOSED)
        active = Ticket.status.in_(ACTIVE)
        view = queue.view
        if view == QueueView.UNASSIGNED:
            query = query.where(Ticket.assignee_key.is_(None), active)
        elif view == QueueView.URGENT:
            query = query.where(Ticket.priority == "urgent", active)
        elif view == QueueView.PENDING:
            query = query.where(Ticket.status == TicketStatus.PENDING)
        elif view == QueueView.BREACHED:
            query = query.where(
                active,
                or_(
                    Ticket.resolution_due_at <= self.now,
                    (Ticket.first_response_at.is_(None))
                    & (Ticket.first_response_due_at <= self.now),
                ),
            )
        elif view == QueueView.MINE:
            query = query.where(Ticket.assignee_key == queue.agent_key)
        elif view == QueueView.TEAM:
            query = query.where(Ticket.team == queue.team, active)
        return sorted(await self.session.scalars(query), key=queue_order)

    async def claim(
        self, ticket_id: int, status: TicketStatus, to: TicketStatus, key: str, name: str
    ) -> bool:
        """Take an unassigned ticket that is still in ``status``, moving it to ``to``. A
        conditional UPDATE: of two agents claiming at once in two processes exactly one matches
        the row (on SQLite and PostgreSQL alike)."""
        result = await self.session.execute(
            update(Ticket)
            .where(
                Ticket.id == ticket_id,
                Ticket.assignee_key.is_(None),
                Ticket.status == status,
            )
            .values(assignee_key=key, assignee_name=name, status=to, updated_at=self.now)
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def open_count_of(self, key: str) -> int:
        """Active tickets assigned to the agent ``key``."""
        return await self._active_count(Ticket.assignee_key == key)

    async def active_count_of_requester(self, person_id: int) -> int:
        return await self._active_count(Ticket.requester_id == person_id)

    async def _active_count(self, whose: ColumnElement[bool]) -> int:
        count = await self.session.scalar(
            select(func.count(Ticket.id)).where(whose, Ticket.status.in_(ACTIVE))
        )
        return count or 0

    async def active(self) -> Sequence[Ticket]:
        rows = await self.session.scalars(
            select(Ticket).where(Ticket.status.in_(ACTIVE)).order_by(Ticket.id)
        )
        return rows.all()

    async def resolved_before(self, moment: datetime) -> Sequence[Ticket]:
        rows = await self.session.scalars(
            select(Ticket)
            .where(Ticket.status == TicketStatus.RESOLVED, Ticket.resolved_at <= moment)
            .order_by(Ticket.id)
        )
        return rows.all()

    async def close_if_resolved(self, ticket_id: int) -> bool:
        """Close a resolved ticket; False if its status changed meanwhile (a requester's reply
        re-opened it, or another process closed it)."""
        result = await self.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status == TicketStatus.RESOLVED)
            .values(status=TicketStatus.CLOSED, closed_at=self.now, updated_at=self.now)
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    # -- entries: the ticket's conversation -----------------------------------------------------

    def add_entry(self, ticket: Ticket, kind: str, author: str, text: str) -> None:
        """Write a line of the ticket's record, keeping its reply figures (models.Ticket)."""
        entry = TicketEntry(
            ticket_id=ticket.id, kind=kind, author=author, text=text, created_at=self.now
        )
        if kind == "requester":
            ticket.requester_waiting_since = self.now
        elif kind == "agent":
            ticket.agent_replies += 1
            entry.waited_since = ticket.requester_waiting_since
            ticket.requester_waiting_since = None
        self.session.add(entry)

    async def requester_entries_since(self, ticket_id: int, since: datetime) -> int:
        """How many lines the requester wrote on the ticket since ``since`` (pending ones too)."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(TicketEntry)
            .where(
                TicketEntry.ticket_id == ticket_id,
                TicketEntry.kind == "requester",
                TicketEntry.created_at >= since,
            )
        )
        return int(count or 0)

    async def entries(self, ticket_id: int) -> Sequence[TicketEntry]:
        rows = await self.session.scalars(
            select(TicketEntry).where(TicketEntry.ticket_id == ticket_id).order_by(TicketEntry.id)
        )
        return rows.all()

    # -- followers (merged tickets) -------------------------------------------------------------

    async def conversations_following(self, ticket: Ticket) -> list[Conversation]:
        """The ticket's own conversation, then those following it."""
        followers = await self.session.scalars(
            select(Conversation)
            .join(TicketFollower, TicketFollower.conversation_id == Conversation.id)
            .where(TicketFollower.ticket_id == ticket.id)
            .order_by(TicketFollower.id)
        )
        own = await self.session.get(Conversation, ticket.conversation_id)
        assert own is not None, "tickets always have a conversation"
        return [own, *followers]

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
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def expired_transfers(self) -> Sequence[Transfer]:
        rows = await self.session.scalars(
            select(Transfer)
            .where(Transfer.status == "pending", Transfer.expires_at <= self.now)
            .order_by(Transfer.id)
        )
        return rows.all()

    # -- SLA alerts -----------------------------------------------------------------------------

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

    # -- knowledge: articles that answered tickets ------------------------------------------------

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
