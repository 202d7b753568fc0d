"""Drive the engine like a conversation (after Errbot's ``testbot``): people say things, press
buttons and run commands; the test reads what each chat received."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.delivery import Outbox
from conversations.engine import Engine, EngineSettings
from conversations.messages import (
    Button,
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundMessage,
    OutboundMessage,
    Platform,
    Reply,
    UserRef,
)
from conversations.tickets import Workflow
from kb import Matcher, load_kb
from tests.fakes.recording import Clock, RecordingSender

SAMPLE_KB = Path(__file__).resolve().parent.parent / "examples" / "kb"
AGENTS = ChatRef(Platform.WEB, "agents")

_matcher: Matcher | None = None


def sample_matcher() -> Matcher:
    global _matcher
    if _matcher is None:
        _matcher = Matcher(load_kb(SAMPLE_KB).articles)
    return _matcher


def sample_workflow() -> Workflow:
    """The defaults, with the sample KB's articles; every resolved ticket gets its survey."""
    articles = {article.id: article for article in sample_matcher().articles}
    return Workflow(agent_chats=(AGENTS,), articles=articles, random=lambda: 0.0)


@dataclass
class Person:
    """A requester in a chat of their own."""

    desk: DeskHarness
    user: UserRef
    chat: ChatRef
    seen: int = 0  # how many of the chat's messages the test has read

    async def say(self, text: str, *, event_id: str | None = None) -> list[OutboundMessage]:
        await self.desk.dispatch(
            InboundMessage(
                event_id or uuid.uuid4().hex, self.chat, self.user, text, self.desk.clock()
            )
        )
        return await self.read()

    async def command(self, name: str, args: str = "") -> list[OutboundMessage]:
        await self.desk.dispatch(
            InboundCommand(uuid.uuid4().hex, self.chat, self.user, name, args, self.desk.clock())
        )
        return await self.read()

    async def press(self, label: str, *, nth: int = -1) -> list[OutboundMessage]:
        """Press the ``nth`` button labelled ``label`` among everything this chat received."""
        button = self.buttons(label)[nth]
        await self.desk.dispatch(
            InboundAction(
                uuid.uuid4().hex,
                self.chat,
                self.user,
                button.action_id,
                button.value,
                self.desk.clock(),
            )
        )
        return await self.read()

    def buttons(self, label: str) -> list[Button]:
        return [b for m in self.received for b in m.buttons if b.label == label]

    @property
    def received(self) -> list[OutboundMessage]:
        return [m for m in self.desk.sender.sent if m.chat.chat_id == self.chat.chat_id]

    async def read(self) -> list[OutboundMessage]:
        """Deliver what is due and return what this chat received since the last read."""
        await self.desk.outbox.deliver_due()
        new = self.received[self.seen :]
        self.seen = len(self.received)
        return new


@dataclass
class DeskHarness:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=Clock)
    sender: RecordingSender = field(default_factory=RecordingSender)
    matcher: Matcher = field(default_factory=sample_matcher)
    workflow: Workflow = field(default_factory=lambda: sample_workflow())

    def __post_init__(self) -> None:
        self.start()

    def start(self) -> None:
        """(Re)build the engine and outbox, as a process start does: no state but the database."""
        self.outbox = Outbox(self.sessions, {Platform.WEB: self.sender}, clock=self.clock)
        self.engine = Engine(
            self.sessions,
            self.matcher,
            settings=EngineSettings(workflow=self.workflow),
            clock=self.clock,
            on_commit=self.outbox.wake,
        )
        self.outbox.on_permanent_failure = self.engine.delivery_failed

    def configure(self, **changes: object) -> None:
        """Change the workflow's policies (team, SLA, surveys...) and restart."""
        self.workflow = replace(self.workflow, **changes)  # type: ignore[arg-type]
        self.start()

    async def tick(self) -> None:
        await self.engine.tick()
        await self.outbox.deliver_due()

    async def dispatch(self, event):  # type: ignore[no-untyped-def]
        return await self.engine.dispatch(event)

    def person(self, name: str, *, locale: str | None = None) -> Person:
        user_id = name.lower()
        return Person(
            self,
            UserRef(Platform.WEB, user_id, name, locale),
            ChatRef(Platform.WEB, f"chat-{user_id}"),
        )

    async def agent(self, name: str, command: str) -> Reply:
        verb, _, args = command.partition(" ")
        reply = await self.dispatch(
            InboundCommand(
                uuid.uuid4().hex,
                AGENTS,
                UserRef(Platform.WEB, f"agent:{name}", name),
                verb,
                args,
                self.clock(),
            )
        )
        await self.outbox.deliver_due()
        assert reply is not None
        return reply

    @property
    def agent_posts(self) -> list[OutboundMessage]:
        return [m for m in self.sender.sent if m.chat.chat_id == AGENTS.chat_id]

    def posts_about(self, ticket_id: int) -> Iterator[OutboundMessage]:
        return (m for m in self.agent_posts if m.ticket_id == ticket_id)
