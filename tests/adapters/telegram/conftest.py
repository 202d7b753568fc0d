"""The real python-telegram-bot ``Application`` against the fake Bot API, wired to the real engine.

``TelegramDesk`` is the help desk as ``deskbot serve`` runs it for Telegram, minus the clock: an
``Engine`` and its ``Outbox`` on the test database, and a ``TelegramAdapter`` whose sender the
outbox delivers through. Updates reach it the way Telegram sends them, by long polling (the
default) or by webhook into an aiohttp application of our own. Customers and agents are people
in the fake: they write, reply and press buttons, and the test reads what the bot sent them.

Nothing waits for real time: ``send`` returns when PTB has finished handling the update (a
handler in a later group marks it), and the outbox delivers when the test asks it to.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from adapters.telegram.app import TelegramAdapter
from conversations.delivery import Outbox
from conversations.engine import Engine, EngineSettings
from conversations.messages import ChatRef, InboundEvent, Platform, Reply
from conversations.models import Message, ProcessedEvent, Ticket
from conversations.reads import HelpDesk, Reads
from conversations.team import Team
from conversations.tickets.workflow import Workflow
from tests.fakes.recording import Clock
from tests.fakes.telegram_api import FakeTelegramAPI, plain
from tests.harness import sample_matcher

AGENT_CHAT_ID = "-1001987654321"
AGENT_CHAT = ChatRef(Platform.TELEGRAM, AGENT_CHAT_ID)
WEBHOOK_SECRET = "s3cret-Token_for-tests"
WEBHOOK_PATH = "/telegram/webhook"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    api = FakeTelegramAPI()
    await api.start()
    api.group(AGENT_CHAT_ID, "Help desk agents")
    yield api
    await api.close()


def workflow(team: Team | None = None) -> Workflow:
    articles = {article.id: article for article in sample_matcher().articles}
    return Workflow(
        agent_chats=(AGENT_CHAT,),
        articles=articles,
        team=team or Team(),
        random=lambda: 0.0,  # every resolved ticket gets its survey
    )


class TelegramDesk:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        fake: FakeTelegramAPI,
        *,
        mode: str = "polling",
        team: Team | None = None,
        clock: Clock | None = None,
    ) -> None:
        assert mode in ("polling", "webhook")
        self.sessions = sessions
        self.fake = fake
        self.mode = mode
        self.team = team
        self.clock = clock or Clock()
        self.dispatched: list[InboundEvent] = []
        self.replies: list[Reply | None] = []
        self._handled: set[int] = set()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> TelegramDesk:
        webhook_url = None
        sock = None
        if self.mode == "webhook":
            # Bound first, so the adapter can be given its public URL before the app starts.
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            webhook_url = f"http://127.0.0.1:{sock.getsockname()[1]}{WEBHOOK_PATH}"
        self.workflow = workflow(self.team)
        self.engine = Engine(
            self.sessions,
            sample_matcher(),
            settings=EngineSettings(workflow=self.workflow),
            clock=self.clock,
        )
        self.reads = Reads(self.sessions, clock=self.clock)
        self.desk = HelpDesk.on_database(
            self.engine.dispatch, self.reads, self.sessions, clock=self.clock
        )
        self.adapter = TelegramAdapter(
            token=self.fake.token,
            agent_chat_id=AGENT_CHAT_ID,
            dispatch=self._dispatch,
            desk=self.desk,
            base_url=self.fake.base_url,
            webhook_url=webhook_url,
            webhook_secret=WEBHOOK_SECRET if webhook_url else None,
            webhook_path=WEBHOOK_PATH,
        )
        assert self.adapter.agent_chat in self.workflow.agent_chats
        self.outbox = Outbox(
            self.sessions,
            {Platform.TELEGRAM: self.adapter.sender},
            clock=self.clock,
            on_permanent_failure=self.engine.delivery_failed,  # as bot/app.py wires it
        )
        # Runs after the adapter's handler (group 0) has finished with the update.
        self.adapter.application.add_handler(TypeHandler(Update, self._mark_handled), group=1)
        if sock is not None:
            app = web.Application()
            self.adapter.mount(app)
            self._runner = web.AppRunner(app, shutdown_timeout=1.0)
            await self._runner.setup()
            await web.SockSite(self._runner, sock).start()
        await self.adapter.start()
        return self

    async def stop(self) -> None:
        await self.adapter.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self) -> TelegramDesk:
        """A new process: a fresh engine, outbox and adapter on the same database and bot."""
        await self.stop()
        fresh = TelegramDesk(
            self.sessions, self.fake, mode=self.mode, team=self.team, clock=self.clock
        )
        return await fresh.start()

    async def _dispatch(self, event: InboundEvent) -> Reply | None:
        self.dispatched.append(event)
        reply = await self.engine.dispatch(event)
        self.replies.append(reply)
        return reply

    async def _mark_handled(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self._changed:
            self._handled.add(update.update_id)
            self._changed.notify_all()

    # -- updates in, messages out --------------------------------------------------------------

    async def handled(self, update_id: int, *, within: float = 5.0) -> None:
        """Wait (at most ``within`` seconds) until PTB has handled the update."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: update_id in self._handled)

    async def send(self, update: dict[str, Any], *, deliver: bool = True) -> None:
        """Deliver ``update`` the way this desk receives updates and wait until it is handled;
        then let the outbox send what is due."""
        if self.mode == "polling":
            await self.fake.queue(update)
        else:
            status, answer = await self.fake.post_webhook(update)
            assert status == 200, answer
        await self.handled(update["update_id"])
        if deliver:
            await self.deliver()

    async def deliver(self) -> int:
        return await self.outbox.deliver_due()

    def customer(self, user_id: int, first_name: str, **details: Any) -> Customer:
        return Customer(self, self.fake.user(user_id, first_name, **details))

    def agent(self, user_id: int, first_name: str, **details: Any) -> Agent:
        return Agent(self, self.fake.user(user_id, first_name, **details))

    def agent_posts(self) -> list[dict[str, Any]]:
        return self.fake.sent(AGENT_CHAT_ID)

    # -- the database --------------------------------------------------------------------------

    async def ticket(self, number: int) -> Ticket:
        async with self.sessions() as session:
            found = await session.get(Ticket, number)
            assert found is not None, f"no ticket #{number}"
            return found

    async def outbound(self) -> list[Message]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Message).where(Message.direction == "out").order_by(Message.id)
            )
            return list(rows)

    async def processed_events(self) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)


@dataclass
class Customer:
    """Someone writing to the bot in their private chat."""

    desk: TelegramDesk
    user: dict[str, Any]
    seen: int = 0

    @property
    def chat_id(self) -> int:
        return int(self.user["id"])

    @property
    def received(self) -> list[dict[str, Any]]:
        return self.desk.fake.sent(self.chat_id)

    def read(self) -> list[dict[str, Any]]:
        """What the bot sent this chat since the last read."""
        new = self.received[self.seen :]
        self.seen = len(self.received)
        return new

    async def say(self, text: str, **options: Any) -> list[dict[str, Any]]:
        await self.desk.send(self.desk.fake.text_update(self.chat_id, self.user, text, **options))
        return self.read()

    async def send(self, **message: Any) -> list[dict[str, Any]]:
        """A message of another kind: ``caption=..., photo=True`` or ``document=...``."""
        update = self.desk.fake.update(
            message=self.desk.fake.message(self.chat_id, self.user, **message)
        )
        await self.desk.send(update)
        return self.read()

    async def press(self, label: str, *, nth: int = -1) -> list[dict[str, Any]]:
        update = self.desk.fake.press(self.chat_id, self.user, label, nth=nth)
        await self.desk.send(update)
        return self.read()

    def buttons(self, label: str) -> list[dict[str, Any]]:
        return [b for m in self.received for b in self.desk.fake.buttons(m) if b["text"] == label]


@dataclass
class Agent:
    """Someone in the agent group."""

    desk: TelegramDesk
    user: dict[str, Any]
    said: list[dict[str, Any]] = field(default_factory=list)

    async def write(self, text: str, **options: Any) -> dict[str, Any]:
        """Write in the agent group (``reply_to=`` a message id, ``topic=`` a thread id)."""
        update = self.desk.fake.text_update(AGENT_CHAT_ID, self.user, text, **options)
        self.said.append(update["message"])
        await self.desk.send(update)
        return update["message"]

    async def command(self, text: str, **options: Any) -> str:
        """Run ``/claim 1``-style commands; returns the text the bot answered with, as a reply
        to the command message."""
        message = await self.write(text, **options)
        answers = [
            m
            for m in self.desk.agent_posts()
            if (m.get("reply_to_message") or {}).get("message_id") == message["message_id"]
        ]
        assert answers, f"no answer to {text!r}"
        return "\n".join(plain(m["html"]) for m in answers)

    async def press(self, label: str, post: dict[str, Any]) -> str | None:
        """Press a button on an agent-group post; returns the toast text the bot answered."""
        (button,) = [b for b in self.desk.fake.buttons(post) if b["text"] == label]
        update = self.desk.fake.callback_update(self.user, post, button["callback_data"])
        await self.desk.send(update)
        query_id = update["callback_query"]["id"]
        (answer,) = [
            c
            for c in self.desk.fake.calls_of("answerCallbackQuery", ok=True)
            if c.params["callback_query_id"] == query_id
        ]
        return answer.params.get("text")


@pytest.fixture
async def desk(
    sessions: async_sessionmaker[AsyncSession], fake: FakeTelegramAPI
) -> AsyncIterator[TelegramDesk]:
    running = await TelegramDesk(sessions, fake).start()
    yield running
    await running.stop()


@pytest.fixture
async def webhook_desk(
    sessions: async_sessionmaker[AsyncSession], fake: FakeTelegramAPI
) -> AsyncIterator[TelegramDesk]:
    running = await TelegramDesk(sessions, fake, mode="webhook").start()
    yield running
    await running.stop()
