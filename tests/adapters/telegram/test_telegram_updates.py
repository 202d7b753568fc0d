"""How updates reach Deskbot: long polling (the default) and the webhook route on our own aiohttp
application, with the set-up calls each makes at start."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.telegram.app import TelegramAdapter
from conversations.commands import AGENT, REQUESTER
from conversations.engine import Engine, utcnow
from conversations.messages import InboundCommand, InboundMessage
from conversations.reads import HelpDesk, Reads
from tests.adapters.telegram.conftest import (
    AGENT_CHAT_ID,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    TelegramDesk,
)
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import sample_matcher
from tests.outage import Outage


async def test_polling_deletes_the_webhook_first_then_takes_queued_updates(
    desk: TelegramDesk, fake: FakeTelegramAPI
) -> None:
    await fake.wait_for("getUpdates", answered=False)
    methods = [c.method for c in fake.calls]
    assert methods[0] == "getMe"
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    assert not fake.calls_of("setWebhook")

    sara = desk.customer(5001, "Sara", language_code="en")
    first = fake.text_update(sara.chat_id, sara.user, "hello")
    second = fake.text_update(sara.chat_id, sara.user, "/help")
    assert second["update_id"] == first["update_id"] + 1
    await fake.queue(first)
    await fake.queue(second)
    await desk.handled(second["update_id"])

    assert [type(e) for e in desk.dispatched] == [InboundMessage, InboundCommand]
    assert [e.event_id for e in desk.dispatched] == [
        str(first["update_id"]),
        str(second["update_id"]),
    ]
    await desk.deliver()
    assert "I'm Deskbot" in sara.read()[0]["text"]

    # The next poll confirmed both (offset = last + 1): they are not fetched again.
    polls = await fake.wait_for(
        "getUpdates",
        lambda c: c.params.get("offset") == str(second["update_id"] + 1),
        answered=False,
    )
    assert polls
    assert "callback_query" in polls[0].params["allowed_updates"]
    assert "my_chat_member" in polls[0].params["allowed_updates"]


async def test_stopping_releases_the_parked_long_poll_at_once(desk: TelegramDesk) -> None:
    (parked,) = await desk.fake.wait_for("getUpdates", lambda c: c.status is None, answered=False)
    assert parked.params["timeout"] == "10"
    async with asyncio.timeout(3):  # a 10-second long poll is parked right now
        await desk.stop()
    assert not desk.adapter.application.running


async def test_start_registers_the_agent_commands_in_the_agent_chat(
    desk: TelegramDesk, fake: FakeTelegramAPI
) -> None:
    scopes = {
        json.dumps(c.params["scope"], sort_keys=True): c.params["commands"]
        for c in fake.calls_of("setMyCommands", ok=True)
    }
    agent_scope = json.dumps({"type": "chat", "chat_id": int(AGENT_CHAT_ID)}, sort_keys=True)
    agent_commands = {c["command"] for c in scopes[agent_scope]}
    # Exactly the registry's commands, in each scope (the menus are generated from it).
    assert agent_commands == {spec.name for spec in AGENT}
    private = {c["command"] for c in scopes['{"type": "all_private_chats"}']}
    assert (
        private
        == {spec.name for spec in REQUESTER}
        == {"start", "help", "ticket", "cancel", "lang"}
    )
    assert "claim" not in private


async def test_a_webhook_update_with_the_right_secret_is_processed(
    webhook_desk: TelegramDesk, fake: FakeTelegramAPI
) -> None:
    assert fake.webhook is not None
    assert fake.webhook["url"].endswith(WEBHOOK_PATH)
    assert fake.webhook["secret_token"] == WEBHOOK_SECRET
    assert "callback_query" in fake.calls_of("setWebhook")[0].params["allowed_updates"]
    assert not fake.calls_of("getUpdates") and not fake.calls_of("deleteWebhook")

    sara = webhook_desk.customer(5001, "Sara", language_code="en")
    replies = await sara.say("hello")
    assert "I'm Deskbot" in replies[0]["text"]


async def test_a_webhook_update_without_the_right_secret_is_refused(
    webhook_desk: TelegramDesk, fake: FakeTelegramAPI
) -> None:
    sara = webhook_desk.customer(5001, "Sara")
    for options in ({"secret": "not-the-secret"}, {"omit_secret": True}):
        update = fake.text_update(sara.chat_id, sara.user, "hello")
        status, answer = await fake.post_webhook(update, **options)  # type: ignore[arg-type]
        assert status == 401
        assert answer["ok"] is False and "X-Telegram-Bot-Api-Secret-Token" in answer["error"]
    assert webhook_desk.dispatched == []
    assert await webhook_desk.processed_events() == 0


async def test_a_malformed_webhook_body_is_a_400(
    webhook_desk: TelegramDesk, fake: FakeTelegramAPI
) -> None:
    bodies = (
        b"{not json",
        b"[1, 2]",
        b'{"message": {}}',  # no update_id
        b'{"update_id": 1, "message": {"text": "no date, chat or id"}}',
        "\u00e9".encode("latin-1"),
        b"[" * 5_000 + b"]" * 5_000,  # nested past Python's recursion limit
        b'{"update_id": ' + b"7" * 5000 + b"}",  # past Python's 4300-digit integers
    )
    for body in bodies:
        status, answer = await fake.post_webhook(body)
        assert status == 400, body
        assert answer["ok"] is False
    assert webhook_desk.dispatched == []


async def test_an_oversized_webhook_body_is_a_413(
    webhook_desk: TelegramDesk, fake: FakeTelegramAPI
) -> None:
    sara = webhook_desk.customer(5001, "Sara")
    update = fake.text_update(sara.chat_id, sara.user, "x" * (1024 * 1024))
    status, _ = await fake.post_webhook(update)
    assert status == 413
    assert webhook_desk.dispatched == []


async def test_an_update_delivered_twice_takes_effect_once(
    webhook_desk: TelegramDesk, fake: FakeTelegramAPI
) -> None:
    sara = webhook_desk.customer(5001, "Sara", language_code="en")
    update = fake.text_update(
        sara.chat_id, sara.user, "The coffee machine on floor three is leaking everywhere"
    )
    for _ in range(2):  # Telegram redelivers when it did not see our answer in time
        status, _ = await fake.post_webhook(update)
        assert status == 200
    await webhook_desk.deliver()

    assert len(webhook_desk.dispatched) == 2  # both reached the engine...
    assert await webhook_desk.processed_events() == 1  # ...which acted once
    tickets = [m for m in webhook_desk.agent_posts() if "New ticket" in m["text"]]
    assert len(tickets) == 1
    assert sum("I'm Deskbot" in m["text"] for m in sara.received) == 1


async def test_polling_also_takes_button_presses(desk: TelegramDesk, fake: FakeTelegramAPI) -> None:
    sara = desk.customer(5001, "Sara", language_code="en")
    await sara.say("I forgot my password and cannot log in")
    replies = await sara.press("This solved it", nth=0)
    assert "Glad that helped" in replies[0]["text"]
    (answered,) = fake.calls_of("answerCallbackQuery", ok=True)
    assert answered.params["callback_query_id"]


async def test_webhook_updates_wait_while_the_adapter_is_stopped(
    webhook_desk: TelegramDesk, fake: FakeTelegramAPI
) -> None:
    await webhook_desk.adapter.stop()
    sara = webhook_desk.customer(5001, "Sara")
    status, _ = await fake.post_webhook(fake.text_update(sara.chat_id, sara.user, "hello"))
    assert status == 503  # Telegram keeps it and tries again
    assert webhook_desk.dispatched == []


async def test_an_agent_chat_the_bot_cannot_see_stops_the_start(
    sessions: async_sessionmaker[AsyncSession], fake: FakeTelegramAPI
) -> None:
    engine = Engine(sessions, sample_matcher())
    adapter = TelegramAdapter(
        token=fake.token,
        agent_chat_id="-100111222333",
        dispatch=engine.dispatch,
        desk=HelpDesk.on_database(
            engine.dispatch, Reads(sessions, clock=utcnow), sessions, clock=utcnow
        ),
        base_url=fake.base_url,
    )
    with pytest.raises(RuntimeError, match="TELEGRAM_AGENT_CHAT_ID"):
        await adapter.start()
    assert not adapter.application.running
    assert not fake.calls_of("getUpdates")


def test_settings_that_cannot_work_are_refused_at_once() -> None:
    from pydantic import ValidationError

    from adapters.telegram.channel import TelegramSettings

    with pytest.raises(ValidationError, match="numeric id"):
        TelegramSettings(bot_token="1:x", agent_chat_id="@agents")
    with pytest.raises(ValidationError, match="A-Z, a-z, 0-9"):
        TelegramSettings(
            bot_token="1:x",
            agent_chat_id="-1001",
            webhook_url="https://desk.example/telegram/webhook",
            webhook_secret="has spaces",
        )
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET is required"):
        TelegramSettings(
            bot_token="1:x", agent_chat_id="-1001", webhook_url="https://desk.example/hook"
        )


async def test_a_webhook_update_the_database_cannot_take_is_a_500_then_taken_once(
    webhook_desk: TelegramDesk, fake: FakeTelegramAPI, outage: Outage
) -> None:
    sara = webhook_desk.customer(5001, "Sara", language_code="en")
    update = fake.text_update(sara.chat_id, sara.user, "hello")
    await outage.begin()
    status, answer = await fake.post_webhook(update)
    await outage.end()
    # Not taken: a 500, so Telegram delivers it again; nothing kept, nothing said.
    assert status == 500 and answer["ok"] is False, answer
    assert await webhook_desk.processed_events() == 0
    await webhook_desk.deliver()
    assert sara.read() == []

    for _ in range(2):  # Telegram's redelivery (the same update_id), then a duplicate of it
        status, answer = await fake.post_webhook(update)
        assert status == 200, answer
        await webhook_desk.deliver()
    greetings = [m for m in sara.read() if "I'm Deskbot" in m["text"]]
    assert len(greetings) == 1
    assert await webhook_desk.processed_events() == 1


async def test_a_polled_update_the_database_cannot_take_is_asked_for_again_then_taken_once(
    desk: TelegramDesk, fake: FakeTelegramAPI, outage: Outage
) -> None:
    sara = desk.customer(5001, "Sara", language_code="en")
    update = fake.text_update(sara.chat_id, sara.user, "hello")
    update_id = update["update_id"]
    await fake.wait_for("getUpdates", answered=False)
    await outage.begin()
    await fake.queue(update)
    await desk.handled(update_id)  # handled, and not taken
    # The poller asks for it again rather than confirming it (the offset stays at it).
    polls = len(fake.calls_of("getUpdates"))
    await fake.wait_for("getUpdates", count=polls + 1, answered=False)
    assert all(int(c.params.get("offset") or 0) <= update_id for c in fake.calls_of("getUpdates"))
    await outage.end()

    confirmed = str(update_id + 1)
    await fake.wait_for(
        "getUpdates", lambda c: c.params.get("offset") == confirmed, answered=False, within=15
    )
    assert await desk.processed_events() == 1
    await desk.deliver()
    assert len([m for m in sara.read() if "I'm Deskbot" in m["text"]]) == 1


async def test_an_update_that_cannot_be_read_is_skipped_with_one_warning(
    desk: TelegramDesk, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    sara = desk.customer(5001, "Sara", language_code="en")
    before = fake.text_update(sara.chat_id, sara.user, "hello")
    unreadable = fake.update(message={"message_id": 1})  # no chat, no date
    after = fake.text_update(sara.chat_id, sara.user, "/help")
    with caplog.at_level(logging.WARNING, logger="adapters.telegram.polling"):
        for update in (before, unreadable, after):
            await fake.queue(update)
        await desk.handled(after["update_id"])
        confirmed = str(after["update_id"] + 1)
        await fake.wait_for(
            "getUpdates", lambda c: c.params.get("offset") == confirmed, answered=False
        )

    assert [e.event_id for e in desk.dispatched] == [
        str(before["update_id"]),
        str(after["update_id"]),
    ]
    warnings = [r for r in caplog.records if str(unreadable["update_id"]) in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_polling_waits_out_errors_and_rate_limits_and_goes_on(
    desk: TelegramDesk, fake: FakeTelegramAPI, caplog: pytest.LogCaptureFixture
) -> None:
    sara = desk.customer(5001, "Sara", language_code="en")
    first = fake.text_update(sara.chat_id, sara.user, "hello")
    second = fake.text_update(sara.chat_id, sara.user, "/help")
    await fake.wait_for("getUpdates", answered=False)  # parked: the next calls fail
    fake.fail_next("getUpdates", 500)
    fake.fail_next("getUpdates", 429, retry_after=1)
    with caplog.at_level(logging.WARNING, logger="adapters.telegram.polling"):
        await fake.queue(first)
        await desk.handled(first["update_id"])
        await fake.wait_for("getUpdates", lambda c: c.status in (429, 500), count=2, within=10)
        await fake.queue(second)
        await desk.handled(second["update_id"], within=10)

    assert [e.event_id for e in desk.dispatched] == [
        str(first["update_id"]),
        str(second["update_id"]),
    ]
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2, logged
    assert "rate-limited" in logged[1]
