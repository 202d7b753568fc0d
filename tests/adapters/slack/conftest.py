"""The real Slack adapter (bolt ``AsyncApp`` + slack_sdk) against a fake Slack, mounted in a real
aiohttp server on port 0, wired to the real engine and outbox on every configured database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.slack.app import SlackAdapter
from conversations.delivery import Outbox
from conversations.engine import Engine, EngineSettings
from conversations.messages import ChatRef, InboundEvent, Platform, Reply, Unavailable
from conversations.reads import HelpDesk, Reads
from conversations.team import Team
from conversations.tickets.workflow import Workflow
from tests.fakes.recording import Clock
from tests.fakes.slack_api import (
    BOT_TOKEN,
    SIGNING_SECRET,
    Answer,
    FakeSlack,
    PostedButton,
    SlackClient,
    block_actions_payload,
    channel_message_event,
    command_payload,
    dm_event,
)
from tests.harness import sample_matcher

AGENT_CHANNEL = "C0AGENTS01"


class Attempts:
    """The engine's entry point as the adapter calls it, recording each event's outcome
    ("taken" or "unavailable") so a test can wait for the engine to have tried an event."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.outcomes: list[tuple[str, str]] = []
        self._changed = asyncio.Condition()

    async def __call__(self, event: InboundEvent) -> Reply | None:
        try:
            reply = await self._engine.dispatch(event)
        except Unavailable:
            await self._record(event.event_id, "unavailable")
            raise
        await self._record(event.event_id, "taken")
        return reply

    async def _record(self, event_id: str, outcome: str) -> None:
        async with self._changed:
            self.outcomes.append((event_id, outcome))
            self._changed.notify_all()

    async def wait(self, event_id: str, outcome: str, *, within: float = 10.0) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: (event_id, outcome) in self.outcomes)


@dataclass
class SlackDesk:
    """Deskbot with its Slack adapter, and ways to act as Slack's users."""

    fake: FakeSlack
    adapter: SlackAdapter
    engine: Engine
    reads: Reads
    outbox: Outbox
    clock: Clock
    slack: SlackClient
    attempts: Attempts
    names: dict[str, str] = field(default_factory=dict)
    agent_channel: str = AGENT_CHANNEL

    @staticmethod
    def dm_channel(user: str) -> str:
        return dm_channel(user)

    async def settle(self) -> None:
        """Let the adapter finish what it acknowledged, then deliver what the engine decided."""
        await self.adapter.drain()
        await self.outbox.deliver_due()

    async def dm(self, user: str, text: str, *, channel: str | None = None, **extra: Any) -> Answer:
        answer = await self.slack.event(dm_event(user, channel or dm_channel(user), text, **extra))
        await self.settle()
        return answer

    async def in_thread(
        self, user: str, thread_ts: str, text: str, *, channel: str = AGENT_CHANNEL
    ) -> Answer:
        answer = await self.slack.event(
            channel_message_event(user, channel, text, thread_ts=thread_ts)
        )
        await self.settle()
        return answer

    async def desk_command(self, user: str, text: str) -> str:
        """``/desk <text>`` from the agent channel; returns the ephemeral answer."""
        name = f"cmd-{uuid.uuid4().hex[:8]}"
        payload = command_payload(
            user_id=user,
            user_name=self.names.get(user, user).lower(),
            channel_id=AGENT_CHANNEL,
            text=text,
            response_url=self.fake.response_url(name),
        )
        answer = await self.slack.command(payload)
        assert answer.status == 200, answer
        assert answer.body == ""  # acknowledged at once, nothing shown yet
        await self.settle()
        await self.fake.wait_for(lambda: any(r.name == name for r in self.fake.responses))
        (response,) = [r for r in self.fake.responses if r.name == name]
        assert response.body["response_type"] == "ephemeral"
        return str(response.body["text"])

    async def press(self, user: str, button: PostedButton) -> Answer:
        payload = block_actions_payload(
            user_id=user,
            user_name=self.names.get(user, user).lower(),
            button=button,
            response_url=self.fake.response_url(f"action-{uuid.uuid4().hex[:8]}"),
        )
        answer = await self.slack.interaction(payload)
        assert answer.status == 200, answer
        await self.settle()
        return answer

    def root_post(self, ticket_id: int):  # type: ignore[no-untyped-def]
        """The ticket's first post in the agent channel."""
        for call in self.fake.posts(AGENT_CHANNEL):
            if call.thread_ts is None and f"#{ticket_id}" in call.text:
                return call
        raise AssertionError(f"no root post for #{ticket_id}")

    def ephemerals(self, user: str) -> list[str]:
        return [c.text for c in self.fake.calls_to("chat.postEphemeral") if c.args["user"] == user]


def dm_channel(user: str) -> str:
    return "D" + user.removeprefix("U")


DeskFactory = Callable[..., Awaitable[SlackDesk]]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user("U0SARA", "Sara")
    fake.add_user("U0ALI", "Ali")
    yield fake
    await fake.close()


@pytest.fixture
async def make_desk(
    sessions: async_sessionmaker[AsyncSession], fake_slack: FakeSlack
) -> AsyncIterator[DeskFactory]:
    """``await make_desk(team=..., app_token=...)``: a running Deskbot with its Slack adapter."""
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def build(
        *,
        team: Team | None = None,
        app_token: str | None = None,
        http: bool = True,
        signing_secret: str = SIGNING_SECRET,
    ) -> SlackDesk:
        clock = Clock()
        outbox = Outbox(sessions, {}, clock=clock)
        agent_chat = ChatRef(Platform.SLACK, AGENT_CHANNEL)
        articles = {article.id: article for article in sample_matcher().articles}
        workflow = Workflow(
            agent_chats=(agent_chat,),
            articles=articles,
            team=team or Team(),
            random=lambda: 0.0,
        )
        engine = Engine(
            sessions,
            sample_matcher(),
            settings=EngineSettings(workflow=workflow),
            clock=clock,
            on_commit=outbox.wake,
        )
        reads = Reads(sessions, clock=clock)
        attempts = Attempts(engine)
        adapter = SlackAdapter(
            bot_token=BOT_TOKEN,
            signing_secret=signing_secret,
            agent_channel=AGENT_CHANNEL,
            dispatch=attempts,
            desk=HelpDesk.on_database(engine.dispatch, reads, sessions, clock=clock),
            api_url=fake_slack.api_url,
            app_token=app_token,
        )
        assert adapter.agent_chat == agent_chat  # what the lead passes to the Workflow
        outbox.add_sender(Platform.SLACK, adapter.sender)

        app = web.Application()
        adapter.mount(app)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        client = SlackClient(f"http://{host}:{port}{adapter.path}")

        async def cleanup() -> None:
            await adapter.stop()
            await client.close()
            await runner.cleanup()

        cleanups.append(cleanup)
        await adapter.start()
        return SlackDesk(
            fake_slack,
            adapter,
            engine,
            reads,
            outbox,
            clock,
            client,
            attempts,
            names={"U0SARA": "Sara", "U0ALI": "Ali"},
        )

    yield build
    for cleanup in reversed(cleanups):
        await cleanup()


@pytest.fixture
async def desk(make_desk: DeskFactory) -> SlackDesk:
    return await make_desk()
