"""Read-only views the engine hands to agent surfaces (web console, CLI) and the web chat.

They are plain frozen dataclasses so adapters can render them without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from conversations.messages import Button, ChatRef, Dispatch, Platform


@dataclass(frozen=True, slots=True)
class TicketView:
    id: int
    subject: str
    status: str  # new | open | pending | resolved | closed
    priority: str  # low | normal | high | urgent
    requester_name: str
    channel: Platform  # where the requester wrote from
    assignee_name: str | None
    lang: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TicketEntry:
    """One line of a ticket's conversation. ``kind`` is requester | agent | note | system."""

    id: int
    kind: str
    author: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TicketDetail:
    ticket: TicketView
    description: str
    faqs_tried: tuple[str, ...]  # KB entry ids suggested before the ticket was opened
    entries: tuple[TicketEntry, ...]


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One line of a chat transcript as the requester saw it. ``id`` orders lines within a chat and
    is what a client passes back as ``after`` to fetch only newer lines."""

    id: int
    direction: str  # "in" (from the requester) | "out" (from Deskbot or an agent)
    text: str
    buttons: tuple[Button, ...]
    lang: str
    at: datetime


class Desk(Protocol):
    """What an agent surface or the web chat needs from the engine, and nothing more."""

    dispatch: Dispatch

    async def queue(self, *, view: str = "all") -> list[TicketView]:
        """Tickets not yet closed: ``view`` is all | unassigned | urgent | mine:<UserRef.key>."""
        ...

    async def ticket(self, ticket_id: int) -> TicketDetail | None: ...

    async def transcript(self, chat: ChatRef, *, after: int = 0) -> list[ChatLine]: ...
