"""The help desk's tables (SQLAlchemy 2 typed ORM). Schema changes go through Alembic
(bot/migrations/).

One ``messages`` table holds every line in or out of every chat: the requester's transcript, and
for outbound lines the delivery state (the outbox). Recording a message before sending it is what
makes a failed or rate-limited send a retry instead of a loss.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from conversations.priority import PRIORITIES
from conversations.state import ConversationState
from conversations.tickets.events import EventKind
from conversations.tickets.lifecycle import TicketStatus


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on every database.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones and hands back naive values, which
    are UTC because we only ever write UTC. Naive input is a bug, so it is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=enum.StrEnum)


class EnumString(TypeDecorator[E]):
    """A ``StrEnum`` stored as its value in a plain string column: Python code gets the enum
    member back, an unknown value is refused before it reaches the database, and a CHECK
    constraint (``one_of``) guards the column from everyone else."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_type = enum_type
        self.length = length

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_type(value)


def one_of(column: str, values: Iterable[str], *, name: str | None = None) -> CheckConstraint:
    """A named CHECK constraint keeping ``column`` within ``values``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


class Base(DeclarativeBase):
    # Named constraints so migrations can refer to them on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar = {datetime: UTCDateTime()}


class Person(Base):
    """A requester, identified per platform."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    # Set by /lang; wins over the platform locale and the text's language from then on.
    lang: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]


class Conversation(Base):
    """One chat (or one thread of a chat) with a requester, and where the engine is in it."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "thread_key"),
        one_of("state", ConversationState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    # "" when the chat has no thread: NULLs would not be equal in the unique constraint.
    thread_key: Mapped[str] = mapped_column(String(128), default="")
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    state: Mapped[ConversationState] = mapped_column(
        EnumString(ConversationState, 24), default=ConversationState.IDLE
    )
    # The question collected so far, while asking for detail or showing suggestions.
    question: Mapped[str] = mapped_column(Text, default="")
    # The ticket whose survey comment the next message is (state survey_comment). No foreign
    # key: tickets already refer to conversations, and this is only a pointer while it lasts.
    survey_ticket_id: Mapped[int | None] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    greeted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_priority", "status", "priority"),
        # Reports select tickets by when they were created or resolved (docs/operations.md).
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_resolved_at", "resolved_at"),
        Index("ix_tickets_first_resolved_at", "first_resolved_at"),
        Index("ix_tickets_first_response_at", "first_response_at"),
        one_of("status", TicketStatus),
        one_of("priority", PRIORITIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[TicketStatus] = mapped_column(
        EnumString(TicketStatus, 12), default=TicketStatus.NEW
    )
    # "platform:user_id" of the agent who owns it; the display name rides along for messages.
    assignee_key: Mapped[str | None] = mapped_column(String(160))
    assignee_name: Mapped[str | None] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8), default="en")
    resolution: Mapped[str | None] = mapped_column(Text)
    # The team it is routed to (by a transfer to a team), if any.
    team: Mapped[str | None] = mapped_column(String(64))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # SLA targets, from the priority's policy; recomputed when the priority changes.
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    # Report figures kept up to date by the lifecycle (operations._move, TicketStore.add_entry)
    # so a report reads one row per ticket instead of searching its entries and events (each
    # was the slowest part of a figure: benchmarks/reports.py). The log stays the record.
    first_resolved_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    agent_replies: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The requester's latest message that no agent reply has followed yet.
    requester_waiting_since: Mapped[datetime | None]
    # Who gave the first response (an agent key, like assignee_key).
    first_responder_key: Mapped[str | None] = mapped_column(String(160))


class TicketEntry(Base):
    """The ticket's own record: requester messages, agent replies, internal notes, system lines."""

    __tablename__ = "ticket_entries"
    __table_args__ = (
        # Reports: a ticket's agent replies, and the replies of a period.
        Index("ix_ticket_entries_ticket_kind", "ticket_id", "kind"),
        Index("ix_ticket_entries_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # requester | agent | note | system
    author: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    # On an agent reply that followed a requester message: when that message was written (the
    # requester's wait this reply ended; reports' requester_wait_minutes).
    waited_since: Mapped[datetime | None]


class TicketEvent(Base):
    """The event log: who did what, when, from what to what (see ``EventKind``). The audit trail
    of each ticket, and what reports are computed from. Suggestion outcomes happen before there
    is a ticket: they carry the conversation instead (and the ticket once one is opened)."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        # Reports: one ticket's events of a kind (first resolution, re-opens, status at a
        # moment), and the events of a kind in a period (re-opens, per-agent figures).
        Index("ix_ticket_events_ticket_action", "ticket_id", "action", "created_at"),
        Index("ix_ticket_events_action_created", "action", "created_at"),
        one_of("action", EventKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    actor: Mapped[str] = mapped_column(String(200))
    # UserRef.key of the person ("slack:U024BE7LH"); None for the desk's own timers.
    actor_key: Mapped[str | None] = mapped_column(String(160))
    action: Mapped[EventKind] = mapped_column(EnumString(EventKind, 32))
    from_value: Mapped[str | None] = mapped_column(String(200))
    to_value: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Suggestion(Base):
    """An FAQ answer shown to a requester, and what they said of it (for deflection reports)."""

    __tablename__ = "suggestions"
    __table_args__ = (one_of("outcome", ("solved", "rejected", "escalated", "ignored")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    query: Mapped[str] = mapped_column(Text)
    article_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    # None while unanswered; solved | rejected | escalated | ignored
    outcome: Mapped[str | None] = mapped_column(String(12))
    shown_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]


class Message(Base):
    """A line in or out of a chat. Outbound lines carry their delivery state (the outbox)."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_chat", "platform", "chat_id", "id"),
        Index("ix_messages_delivery", "status", "next_attempt_at"),
        Index("ix_messages_platform_message", "platform", "chat_id", "platform_message_id"),
        one_of("direction", ("in", "out")),
        one_of("status", ("pending", "sending", "sent", "failed")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[str | None] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # Agent-channel posts after a ticket's first one go in that post's thread where the platform
    # has threads; the thread id is only known once the first post was delivered.
    in_ticket_thread: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    # Outbound only: pending -> sending -> sent | failed
    status: Mapped[str | None] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ProcessedEvent(Base):
    """Platforms redeliver events; the unique (platform, event_id) makes each take effect once."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    processed_at: Mapped[datetime]


class ConsoleSession(Base):
    """A signed-in agent console. The cookie holds a random token; only its SHA-256 is stored,
    so the table read by someone else opens no console."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index("ix_console_sessions_expires_at", "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ServerKey(Base):
    """A random key the server signs with (the web chat's chat ids), made at first use, kept so
    that a restart and every other process sign and check with the same one."""

    __tablename__ = "server_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))  # hex
    created_at: Mapped[datetime]


class Agent(Base):
    """Someone who has worked tickets: availability and load for round-robin assignment."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160))  # UserRef.key
    name: Mapped[str] = mapped_column(String(200))
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    last_assigned_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime]


class Transfer(Base):
    """A warm hand-off waiting for the receiver to accept it."""

    __tablename__ = "transfers"
    __table_args__ = (
        one_of("status", ("pending", "accepted", "declined", "expired", "cancelled")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    from_key: Mapped[str] = mapped_column(String(160))
    from_name: Mapped[str] = mapped_column(String(200))
    to_key: Mapped[str | None] = mapped_column(String(160))  # an agent...
    to_name: Mapped[str | None] = mapped_column(String(200))
    to_team: Mapped[str | None] = mapped_column(String(64))  # ...or a team
    note: Mapped[str] = mapped_column(Text, default="")
    # pending -> accepted | declined | expired | cancelled
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class SlaAlert(Base):
    """An SLA warning or breach notice that was sent. The unique constraint makes each one go
    out once, whatever the number of processes checking and however often they restart."""

    __tablename__ = "sla_alerts"
    __table_args__ = (UniqueConstraint("ticket_id", "target", "stage", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    target: Mapped[str] = mapped_column(String(16))  # first_response | resolution
    stage: Mapped[str] = mapped_column(String(8))  # warning | breach
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime]


class Survey(Base):
    """The satisfaction survey of a resolved ticket: one per ticket."""

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("ticket_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1-5
    comment: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]


class TicketFollower(Base):
    """A conversation that follows a ticket besides its own: the requester of a ticket merged
    into it. They are told what happens on it and their messages join it."""

    __tablename__ = "ticket_followers"
    __table_args__ = (UniqueConstraint("ticket_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    created_at: Mapped[datetime]


class ArticleLink(Base):
    """An agent answered a ticket with a KB article: the question is a candidate new phrasing."""

    __tablename__ = "article_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    article_id: Mapped[str] = mapped_column(String(200), index=True)
    question: Mapped[str] = mapped_column(Text)
    agent: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(8))  # faq | resolve
    created_at: Mapped[datetime]
