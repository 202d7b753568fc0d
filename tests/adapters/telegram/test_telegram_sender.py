"""Delivery to Telegram through the outbox: rate limits, refusals, long texts and forum topics."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import NetworkError

from adapters.telegram.app import TelegramAdapter
from conversations.engine import CLI_AGENT_CHAT
from conversations.messages import (
    Button,
    ChatRef,
    DeliveryError,
    InboundCommand,
    OutboundMessage,
    Platform,
    UserRef,
)
from tests.adapters.telegram.conftest import AGENT_CHAT_ID, TelegramDesk
from tests.fakes.telegram_api import FakeTelegramAPI, plain

# PTB's own RetryAfter constructor reads its deprecated int-valued retry_after; the adapter reads
# it either way (outbound.retry_after_seconds).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

LEAK = "The coffee machine on floor three is leaking water everywhere"


async def test_a_429_is_retried_after_retry_after_and_sent_once(desk: TelegramDesk) -> None:
    sara = desk.customer(5001, "Sara", language_code="en")
    desk.fake.fail_next("sendMessage", 429)  # "retry after 3"
    update = desk.fake.text_update(sara.chat_id, sara.user, "hello")
    await desk.send(update)  # the outbox tried once and was told to wait
    assert sara.received == []
    greeting, *held_back = await desk.outbound()
    assert greeting.status == "pending" and greeting.attempts == 1
    assert "retry after 3" in (greeting.last_error or "")
    assert held_back and all(m.attempts == 0 for m in held_back)  # the chat keeps its order

    assert await desk.deliver() == 0  # not due yet: nothing sleeps, the clock has not moved
    desk.clock.advance(seconds=3.5)
    assert await desk.deliver() == 1 + len(held_back)

    sent = [m for m in sara.received if "I'm Deskbot" in m["text"]]
    assert len(sent) == 1
    assert len(sara.received) == 1 + len(held_back)
    attempts = desk.fake.calls_of("sendMessage")
    assert [c.status for c in attempts] == [429] + [200] * len(sara.received)


async def test_a_customer_who_blocked_the_bot_is_marked_failed(desk: TelegramDesk) -> None:
    sara = desk.customer(5001, "Sara", language_code="en")
    await sara.say(LEAK)
    (post,) = desk.agent_posts()

    desk.fake.fail_next("sendMessage", 403, chat_id=sara.chat_id)
    ali = desk.agent(9001, "Ali")
    await ali.write("A plumber is coming", reply_to=post["message_id"])

    answer = next(m for m in await desk.outbound() if "A plumber is coming" in m.text)
    assert answer.chat_id == "5001"
    assert answer.status == "failed" and answer.attempts == 1
    assert "bot was blocked by the user" in (answer.last_error or "")
    # The agents hear that she cannot be reached, under the ticket.
    notice = desk.agent_posts()[-1]
    assert "can't be reached" in notice["text"] and "blocked" in notice["text"]
    assert notice["reply_to_message"]["message_id"] == post["message_id"]

    desk.fake.fail_next("sendMessage", 403)
    with pytest.raises(DeliveryError) as refused:
        await desk.adapter.sender.send(OutboundMessage(ChatRef(Platform.TELEGRAM, "5001"), "hi"))
    assert refused.value.permanent and refused.value.retry_after is None


async def test_bad_requests_are_permanent_unless_they_say_later(desk: TelegramDesk) -> None:
    desk.customer(5001, "Sara")
    message = OutboundMessage(ChatRef(Platform.TELEGRAM, "5001"), "hi")
    desk.fake.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(DeliveryError) as refused:
        await desk.adapter.sender.send(message)
    assert refused.value.permanent

    desk.fake.fail_next("sendMessage", 400, "Bad Request: internal error, try again later")
    with pytest.raises(DeliveryError) as later:
        await desk.adapter.sender.send(message)
    assert not later.value.permanent


async def test_server_and_network_errors_are_left_to_the_outbox_to_retry(
    desk: TelegramDesk, sessions: async_sessionmaker[AsyncSession]
) -> None:
    sara = desk.customer(5001, "Sara")
    desk.fake.fail_next("sendMessage", 500)
    with pytest.raises(NetworkError):
        await desk.adapter.sender.send(OutboundMessage(ChatRef(Platform.TELEGRAM, "5001"), "hi"))

    desk.fake.fail_next("sendMessage", 502)
    await desk.send(desk.fake.text_update(sara.chat_id, sara.user, "hello"))
    greeting = (await desk.outbound())[0]
    assert greeting.status == "pending" and greeting.attempts == 1  # backing off

    # Nobody listening at all.
    unreachable = TelegramAdapter(
        token=desk.fake.token,
        agent_chat_id=AGENT_CHAT_ID,
        dispatch=desk.engine.dispatch,
        desk=desk.desk,
        base_url="http://127.0.0.1:9/bot",
    )
    with pytest.raises(NetworkError):
        await unreachable.sender.send(OutboundMessage(ChatRef(Platform.TELEGRAM, "5001"), "hi"))
    await unreachable.stop()


async def test_long_texts_arrive_split_in_order(desk: TelegramDesk) -> None:
    sara = desk.customer(5001, "Sara", language_code="en")
    await sara.say(LEAK)
    sara.read()
    post = desk.agent_posts()[0]

    paragraphs = [f"Step {n}: " + " ".join(["mop the floor"] * 40) for n in range(1, 20)]
    long_reply = "\n\n".join(paragraphs)  # about 10,000 characters
    assert len(long_reply) > 9000
    # From the web console or the CLI, where messages are not limited to Telegram's 4096.
    reply = await desk.engine.dispatch(
        InboundCommand(
            uuid.uuid4().hex,
            CLI_AGENT_CHAT,
            UserRef(Platform.CONSOLE, "ali", "Ali"),
            "reply",
            f"1 {long_reply}",
            desk.clock(),
        )
    )
    assert reply is not None and reply.ok
    await desk.deliver()

    parts = sara.read()
    assert len(parts) == 3
    assert all(len(p["text"]) <= 4096 and len(p["html"]) <= 4096 for p in parts)
    assert [p["message_id"] for p in parts] == sorted(p["message_id"] for p in parts)
    assert parts[0]["text"].startswith("Ali (ticket #1): Step 1:")
    received = "\n\n".join(p["text"] for p in parts)
    assert received == plain(f"Ali (ticket #1): {long_reply}")
    # Parts break between paragraphs.
    assert all(re.search(r"mop the floor$", p["text"]) for p in parts[:-1])

    # The agent group's copy is split too, every part under the ticket's post.
    notice = [m for m in desk.agent_posts() if m["message_id"] > post["message_id"]]
    assert len(notice) == 3
    assert all(m["reply_to_message"]["message_id"] == post["message_id"] for m in notice)

    # The outbox keeps the first part's id.
    rows = [r for r in await desk.outbound() if r.chat_id == "5001" and "Step 1" in r.text]
    assert rows[0].platform_message_id == str(parts[0]["message_id"])


async def test_buttons_go_on_the_last_part(desk: TelegramDesk) -> None:
    desk.customer(5001, "Sara")
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(100))
    platform_id = await desk.adapter.sender.send(
        OutboundMessage(
            ChatRef(Platform.TELEGRAM, "5001"),
            text,
            buttons=(Button("1", "rate", "1:1"), Button("2", "rate", "1:2")),
        )
    )
    parts = desk.fake.sent(5001)
    assert len(parts) == 3
    assert [len(desk.fake.buttons(p)) for p in parts] == [0, 0, 2]
    assert platform_id == str(parts[0]["message_id"])


async def test_a_split_message_retried_after_a_429_does_not_repeat_its_first_part(
    desk: TelegramDesk,
) -> None:
    desk.customer(5001, "Sara")
    message = OutboundMessage(ChatRef(Platform.TELEGRAM, "5001"), "word " * 1500)
    sender = desk.adapter.sender
    desk.fake.fail_next("sendMessage", 429, after=1)  # the first part goes, the second waits
    with pytest.raises(DeliveryError) as limited:
        await sender.send(message)
    assert limited.value.retry_after == 3
    first_id = await sender.send(message)
    parts = desk.fake.sent(5001)
    assert len(parts) == 2 and first_id == str(parts[0]["message_id"])


async def test_a_button_that_cannot_fit_callback_data_fails_for_good(desk: TelegramDesk) -> None:
    desk.customer(5001, "Sara")
    with pytest.raises(DeliveryError) as refused:
        await desk.adapter.sender.send(
            OutboundMessage(
                ChatRef(Platform.TELEGRAM, "5001"), "pick", buttons=(Button("x", "a", "v" * 64),)
            )
        )
    assert refused.value.permanent and "64" in refused.value.reason
    assert not desk.fake.calls_of("sendMessage")


async def test_forum_topics_one_per_ticket(
    sessions: async_sessionmaker[AsyncSession], fake: FakeTelegramAPI
) -> None:
    fake.group(AGENT_CHAT_ID, "Help desk agents", forum=True)
    desk = await TelegramDesk(sessions, fake).start()
    try:
        sara = desk.customer(5001, "Sara", language_code="en")
        await sara.say(LEAK)

        (created,) = fake.calls_of("createForumTopic", ok=True)
        topic = created.result["message_thread_id"]
        assert created.params["chat_id"] == AGENT_CHAT_ID
        assert created.params["name"].startswith("#1 The coffee machine")
        (post,) = desk.agent_posts()
        assert post["message_thread_id"] == topic and post["is_topic_message"]
        assert "New ticket #1" in post["text"]
        assert [b["text"] for b in fake.buttons(post)] == ["Claim"]

        # Later posts about the ticket go into its topic.
        await sara.say("It has reached the stairs")
        later = desk.agent_posts()[-1]
        assert "It has reached the stairs" in later["text"]
        assert later["params"]["message_thread_id"] == str(topic)
        assert "reply_parameters" not in later["params"]

        # An agent writing in the topic answers the customer.
        sara.read()
        ali = desk.agent(9001, "Ali")
        await ali.write("Facilities are on their way", topic=topic)
        assert "Facilities are on their way" in "\n".join(m["text"] for m in sara.read())

        # A command in the topic is answered in the topic.
        said = await ali.command("/claim 1", topic=topic)
        assert said in ("You claimed #1.", "#1 is already yours.")
        answer = desk.agent_posts()[-1]
        assert answer["params"]["message_thread_id"] == str(topic)

        # A second ticket gets a topic of its own.
        omid = desk.customer(5002, "Omid", language_code="en")
        await omid.say("The projector in room 4 shows only a blue screen since this morning")
        assert len(fake.calls_of("createForumTopic", ok=True)) == 2
    finally:
        await desk.stop()


async def test_a_topic_is_not_created_twice_when_the_first_post_is_retried(
    sessions: async_sessionmaker[AsyncSession], fake: FakeTelegramAPI
) -> None:
    fake.group(AGENT_CHAT_ID, "Help desk agents", forum=True)
    desk = await TelegramDesk(sessions, fake).start()
    try:
        post = OutboundMessage(
            ChatRef(Platform.TELEGRAM, AGENT_CHAT_ID), "*New ticket #7*\nPrinter", ticket_id=7
        )
        fake.fail_next("sendMessage", 429)
        with pytest.raises(DeliveryError):
            await desk.adapter.sender.send(post)
        topic = await desk.adapter.sender.send(post)
        (created,) = fake.calls_of("createForumTopic")
        assert topic == str(created.result["message_thread_id"])
        assert created.params["name"] == "#7 Printer"
    finally:
        await desk.stop()


async def test_html_telegram_cannot_parse_is_sent_as_plain_text(desk: TelegramDesk) -> None:
    desk.customer(5001, "Sara")
    desk.fake.fail_next(
        "sendMessage", 400, "Bad Request: can't parse entities: unexpected end tag at byte 9"
    )
    await desk.adapter.sender.send(
        OutboundMessage(ChatRef(Platform.TELEGRAM, "5001"), "*Ticket #4* is _open_ <now>")
    )
    refused, plain_copy = desk.fake.calls_of("sendMessage")
    assert refused.status == 400 and refused.params["parse_mode"] == "HTML"
    assert plain_copy.ok and "parse_mode" not in plain_copy.params
    assert plain_copy.params["text"] == "Ticket #4 is open <now>"
