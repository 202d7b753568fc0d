"""Telegram long polling survives ``kill -9``: ``deskbot serve`` polls the fake Bot API and is
killed again and again while updates are being handled; every update takes effect exactly once.

Each round starts a new process, queues a wave of customers' first messages and kills the
process (SIGKILL) at one of two moments: when it confirms the wave (a ``getUpdates`` whose offset
is past it: from then on Telegram never sends those updates again, so their effects must be
committed), or when the first reply of the wave reaches the fake (the updates already handled
come again and must take effect once). A poller that confirms a batch before handling it
(python-telegram-bot's ``Updater`` asks for the next offset at once) loses the wave here.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from conversations.models import Message, ProcessedEvent
from tests.fakes.telegram_api import FakeTelegramAPI

REPO = Path(__file__).resolve().parents[2]
DESKBOT = str(Path(sys.executable).parent / "deskbot")
AGENT_CHAT_ID = "-1001987654321"
ROUNDS = 5
WAVE = 6
START_WITHIN = 120.0  # seconds; a cold start imports scikit-learn


def _env(database_url: str, fake: FakeTelegramAPI, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DESKBOT_", "TELEGRAM_", "SLACK_"))
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
    }
    env.update(
        DESKBOT_DATABASE_URL=database_url,
        DESKBOT_PORT=str(port),
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_AGENT_CHAT_ID=AGENT_CHAT_ID,
        DESKBOT_TELEGRAM_API_URL=fake.base_url,
        NO_PROXY="*",
        no_proxy="*",
    )
    return env


async def _spawn(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as err:
        return await asyncio.create_subprocess_exec(
            DESKBOT,
            "serve",
            cwd=REPO,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err,
        )


@pytest.fixture
async def fake():
    api = FakeTelegramAPI()
    await api.start()
    api.group(AGENT_CHAT_ID, "Help desk agents")
    yield api
    await api.close()


async def test_a_kill_9_loop_loses_no_update(
    database_url: str, fake: FakeTelegramAPI, tmp_path: Path, unused_tcp_port: int
) -> None:
    env = _env(database_url, fake, unused_tcp_port)
    log = tmp_path / "serve.err"
    update_ids: list[int] = []
    chats: list[int] = []

    for round_ in range(ROUNDS):
        process = await _spawn(env, log)
        try:
            wave = []
            for n in range(WAVE):
                customer = 6000 + round_ * WAVE + n
                user = fake.user(customer, f"Customer {customer}", language_code="en")
                update = fake.text_update(customer, user, "hello")
                wave.append(customer)
                update_ids.append(update["update_id"])
                await fake.queue(update)
            chats.extend(wave)
            if round_ % 2 == 0:
                confirmed = str(update_ids[-1] + 1)
                await fake.wait_for(
                    "getUpdates",
                    lambda call, confirmed=confirmed: call.params.get("offset") == confirmed,
                    answered=False,
                    within=START_WITHIN,
                )
            else:
                await fake.wait_for(
                    "sendMessage",
                    lambda call, wave=wave: int(call.params["chat_id"]) in wave,
                    within=START_WITHIN,
                )
        finally:
            process.send_signal(signal.SIGKILL)
            await process.wait()

    # A last process, left to finish: it takes whatever the killed ones did not confirm.
    process = await _spawn(env, log)
    try:
        await fake.wait_for(
            "getUpdates",
            lambda call: call.params.get("offset") == str(update_ids[-1] + 1),
            answered=False,
            within=START_WITHIN,
        )
        for chat in chats:  # every customer is answered (the outbox may still be sending)
            await fake.wait_for(
                "sendMessage", lambda call, chat=chat: int(call.params["chat_id"]) == chat
            )
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0, log.read_text()

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            events = await connection.scalar(select(func.count()).select_from(ProcessedEvent))
            inbound = (
                await connection.execute(
                    select(Message.chat_id, func.count())
                    .where(Message.direction == "in", Message.platform == "telegram")
                    .group_by(Message.chat_id)
                )
            ).all()
    finally:
        await engine.dispose()
    assert events == len(update_ids) == ROUNDS * WAVE
    assert sorted(int(chat) for chat, _ in inbound) == sorted(chats)
    assert {count for _, count in inbound} == {1}  # each update took effect once
