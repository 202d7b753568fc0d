"""Messages: every line in or out of every chat. Inbound lines are the requester's transcript;
outbound lines are also the outbox, with their delivery state (``conversations.delivery`` sends
them). Recording a message before sending it is what makes a failed send a retry, not a loss."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from conversations.messages import ChatRef, OutboundMessage, UserRef
from conversations.models import Message
from conversations.store.base import Repository


def _takeable(now: datetime) -> ColumnElement[bool]:
    """Pending and due, or being sent by a process whose lease ran out (it died)."""
    return or_(
        and_(
            Message.status == "pending",
            or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
        ),
        and_(Message.status == "sending", Message.lease_until <= now),
    )


class Messages(Repository):
    __slots__ = ()

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

    async def ticket_of_platform_message(
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

    # -- the outbox -----------------------------------------------------------------------------

    async def due(
        self,
        platforms: Sequence[str],
        *,
        chats: Sequence[tuple[str, str]] = (),
        limit: int = 500,
    ) -> list[int]:
        """Ids of due outbound messages of ``platforms`` and of the single ``chats`` (platform,
        chat id), at most one per chat: a chat's earlier undelivered message (even one waiting
        for a retry) holds back its later ones, so order within a chat is kept."""
        undelivered = (
            Message.direction == "out",
            Message.status.in_(("pending", "sending")),
            or_(
                Message.platform.in_(platforms),
                *(and_(Message.platform == p, Message.chat_id == c) for p, c in chats),
            ),
        )
        # Each chat's oldest undelivered message: only it may go now.
        heads = (
            select(func.min(Message.id))
            .where(*undelivered)
            .group_by(Message.platform, Message.chat_id)
            .scalar_subquery()
        )
        rows = await self.session.scalars(
            select(Message.id)
            .where(Message.id.in_(heads), _takeable(self.now))
            .order_by(Message.id)
            .limit(limit)
        )
        return list(rows)

    async def lease(self, message_id: int, lease: timedelta) -> Message | None:
        """Take a due message for sending until ``now + lease``; None if it is not takeable any
        more (another process took it, or saw it fail and scheduled a retry, since the list of
        due messages was read)."""
        taken = await self.session.execute(
            update(Message)
            .where(Message.id == message_id, _takeable(self.now))
            .values(status="sending", lease_until=self.now + lease)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return await self.session.get(Message, message_id)

    async def renew_lease(self, message_id: int, lease: timedelta) -> None:
        """Hold a message being sent until ``now + lease`` (nothing, once it is sent or failed)."""
        await self.session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == "sending")
            .values(lease_until=self.now + lease)
        )

    async def thread_of_ticket(self, row: Message) -> str | None:
        """The platform id of the ticket's first post in this chat, sent before ``row``: later
        agent-channel posts go in its thread."""
        return await self.session.scalar(
            select(Message.platform_message_id)
            .where(
                Message.platform == row.platform,
                Message.chat_id == row.chat_id,
                Message.ticket_id == row.ticket_id,
                Message.direction == "out",
                Message.id < row.id,
                Message.platform_message_id.is_not(None),
            )
            .order_by(Message.id)
            .limit(1)
        )

    async def mark_sent(self, message_id: int, platform_message_id: str) -> None:
        await self.session.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(
                status="sent",
                platform_message_id=platform_message_id,
                sent_at=self.now,
                lease_until=None,
                attempts=Message.attempts + 1,
                last_error=None,
            )
        )

    async def mark_failed(
        self, message_id: int, *, attempts: int, give_up: bool, retry_in: float, reason: str
    ) -> None:
        await self.session.execute(
            update(Message)
            .where(Message.id == message_id)
            .values(
                status="failed" if give_up else "pending",
                attempts=attempts,
                next_attempt_at=self.now + timedelta(seconds=retry_in),
                lease_until=None,
                last_error=reason[:2000],
            )
        )
