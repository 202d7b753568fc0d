"""The composition root: every process, not only the server, knows every agent channel."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot import db
from bot.app import WEB_AGENT_CHAT, build
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
        kb_path=REPO / "examples" / "kb",
        slack_bot_token="xoxb-test",
        slack_signing_secret="secret",
        slack_agent_channel="CAGENTS",
        telegram_bot_token="123:abc",
        telegram_agent_chat_id="-100123",
    )
    # What `deskbot chat` and `deskbot tickets` build: no adapters run in this process.
    deskbot = build(settings)
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
