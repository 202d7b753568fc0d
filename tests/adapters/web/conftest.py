"""A fake ``Desk`` and a real aiohttp server around ``setup_web_chat`` for the web chat tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import setup_web_chat
from adapters.web.outbound import WebSender
from conversations.messages import (
    Button,
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundEvent,
    Platform,
    Reply,
)
from conversations.views import ChatLine, TicketDetail, TicketEntry, TicketView
from tests.fakes.memory_desk import MemoryConsoleSessions, MemoryServerKeys

T0 = datetime(2025, 1, 2, 9, 30, tzinfo=UTC)


class FakeDesk:
    """Records what the adapter asks for and answers with canned views."""

    def __init__(self) -> None:
        self.console_sessions = MemoryConsoleSessions()
        self.server_keys = MemoryServerKeys()
        self.events: list[InboundEvent] = []
        self.queue_views: list[str] = []
        self.ticket_ids: list[int] = []
        self.transcript_calls: list[tuple[ChatRef, int]] = []
        self.lines: dict[str, list[ChatLine]] = {}
        self.tickets: dict[int, TicketDetail] = {}
        self.agent_reply: Reply | None = Reply("Ticket #12 is yours now.")
        self.failure: Exception | None = None

    async def dispatch(self, event: InboundEvent) -> Reply | None:
        self.events.append(event)
        if self.failure is not None:
            raise self.failure
        # Agent commands and agent-channel button presses answer the agent; requesters get none.
        if isinstance(event, InboundCommand | InboundAction) and event.chat.chat_id == "agents":
            return self.agent_reply
        return None

    async def queue(self, *, view: str = "all") -> list[TicketView]:
        self.queue_views.append(view)
        return [detail.ticket for detail in self.tickets.values()]

    async def ticket(self, ticket_id: int) -> TicketDetail | None:
        self.ticket_ids.append(ticket_id)
        return self.tickets.get(ticket_id)

    async def transcript(self, chat: ChatRef, *, after: int = 0) -> list[ChatLine]:
        self.transcript_calls.append((chat, after))
        return [line for line in self.lines.get(chat.chat_id, []) if line.id > after]

    # --- canned data -------------------------------------------------------------------------

    def add_line(
        self,
        chat_id: str,
        text: str,
        *,
        direction: str = "out",
        buttons: tuple[Button, ...] = (),
        lang: str = "en",
    ) -> ChatLine:
        lines = self.lines.setdefault(chat_id, [])
        line = ChatLine(
            id=len(lines) + 1,
            direction=direction,
            text=text,
            buttons=buttons,
            lang=lang,
            at=T0 + timedelta(minutes=len(lines)),
        )
        lines.append(line)
        return line

    def add_ticket(self, ticket_id: int = 12, *, subject: str = "Cannot log in") -> TicketDetail:
        view = TicketView(
            id=ticket_id,
            subject=subject,
            status="new",
            priority="high",
            requester_name="Sara",
            channel=Platform.WEB,
            assignee_name=None,
            lang="en",
            created_at=T0,
            updated_at=T0 + timedelta(minutes=5),
        )
        detail = TicketDetail(
            ticket=view,
            description="I forgot my password",
            faqs_tried=("password-reset",),
            entries=(
                TicketEntry(1, "requester", "Sara", "I forgot my password", T0),
                TicketEntry(2, "note", "alice", "Checked the logs", T0 + timedelta(minutes=1)),
            ),
        )
        self.tickets[ticket_id] = detail
        return detail


@pytest.fixture
def desk() -> FakeDesk:
    return FakeDesk()


ServeFactory = Callable[..., Awaitable[tuple[TestClient, WebSender]]]


@pytest.fixture
async def serve() -> AsyncIterator[ServeFactory]:
    """``await serve(desk, agent_token=..., **options)`` -> a client for a running web chat, and
    its sender; ``options`` go to ``setup_web_chat``."""
    clients: list[TestClient] = []

    async def start(desk: FakeDesk, *, agent_token: str | None = None, **options: Any):
        app = web.Application()
        sender = setup_web_chat(app, desk, agent_token=agent_token, **options)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client, sender

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def chat(desk: FakeDesk, serve: ServeFactory) -> tuple[TestClient, WebSender, str]:
    """A client that has opened the chat page, so it holds a chat cookie; and that chat's id."""
    client, sender = await serve(desk)
    response = await client.get("/")
    assert response.status == 200
    chat_id, _, _signature = response.cookies["deskbot_chat"].value.partition(".")
    return client, sender, chat_id
