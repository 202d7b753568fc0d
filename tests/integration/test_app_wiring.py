"""The composition root: every process, not only the server, knows every agent channel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from adapters.slack.channel import SlackSettings
from adapters.telegram.channel import TelegramSettings
from adapters.web.channel import AGENT_CHAT as WEB_AGENT_CHAT
from bot import db
from bot.app import build
from bot.config import Settings
from conversations.engine import CLI_AGENT_CHAT
from conversations.messages import ChatRef, InboundMessage, Platform, UserRef
from conversations.models import Message

REPO = Path(__file__).resolve().parents[2]


async def test_a_cli_process_posts_ticket_news_to_every_configured_agent_channel(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/deskbot.db",
        kb_path=REPO / "kb" / "sample",
    )
    channels = {
        Platform.SLACK: SlackSettings(
            bot_token="xoxb-test", signing_secret="secret", agent_channel="CAGENTS"
        ),
        Platform.TELEGRAM: TelegramSettings(bot_token="123:abc", agent_chat_id="-100123"),
    }
    # What `deskbot chat` and `deskbot tickets` build: no adapters run in this process.
    deskbot = build(settings, channels=channels)
    try:
        await db.prepare(deskbot.database)
        requester = UserRef(Platform.CONSOLE, "sara", "Sara")
        chat = ChatRef(Platform.CONSOLE, "sara")
        await deskbot.engine.dispatch(
            InboundMessage(
                uuid.uuid4().hex,
                chat,
                requester,
                "The coffee machine on floor three is leaking water everywhere",
                datetime.now(UTC),
            )
        )
        async with deskbot.sessions() as session:
            posted = set(
                await session.execute(
                    select(Message.platform, Message.chat_id).where(
                        Message.direction == "out", Message.ticket_id == 1
                    )
                )
            )
    finally:
        await deskbot.database.dispose()
    agent_channels = {
        (WEB_AGENT_CHAT.platform, WEB_AGENT_CHAT.chat_id),
        ("slack", "CAGENTS"),
        ("telegram", "-100123"),
    }
    assert agent_channels <= posted
    # The CLI's own agent surface takes commands; nothing is posted to it.
    assert (CLI_AGENT_CHAT.platform, CLI_AGENT_CHAT.chat_id) not in posted
