"""Sending to Slack: rate limits, refusals, long texts and Block Kit limits, escaping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from conversations.messages import Button, ChatRef, DeliveryError, OutboundMessage, Platform
from conversations.models import Message

QUESTION = "I forgot my password and cannot log in"
SARA = ChatRef(Platform.SLACK, "D0SARA")


async def test_429_is_retried_after_retry_after_by_the_outbox(desk, sessions) -> None:
    desk.fake.rate_limit_next("chat.postMessage", retry_after=2)
    await desk.dm("U0SARA", QUESTION)

    (limited,) = desk.fake.calls_to("chat.postMessage", ok=None)  # the SDK did not retry it
    assert limited.status == 429 and "I'm Deskbot" in limited.text
    async with sessions() as session:
        greeting = await session.scalar(
            select(Message).where(Message.direction == "out").order_by(Message.id).limit(1)
        )
    assert greeting is not None and greeting.status == "pending"
    assert greeting.next_attempt_at == desk.clock() + timedelta(seconds=2)
    assert "rate limited" in (greeting.last_error or "")

    desk.clock.advance(seconds=1)  # not yet
    await desk.outbox.deliver_due()
    assert len(desk.fake.calls_to("chat.postMessage", ok=None)) == 1

    desk.clock.advance(seconds=1.5)
    await desk.outbox.deliver_due()
    greetings = [c for c in desk.fake.posts("D0SARA") if "I'm Deskbot" in c.text]
    assert len(greetings) == 1  # delivered once
    assert desk.fake.find_button("This solved it", channel="D0SARA")  # and the rest after it


async def test_the_sender_maps_slack_errors_for_the_outbox(desk) -> None:
    sender = desk.adapter.sender
    message = OutboundMessage(SARA, "Hello")

    desk.fake.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(DeliveryError) as limited:
        await sender.send(message)
    assert limited.value.retry_after == 7 and not limited.value.permanent

    for error in ("channel_not_found", "not_in_channel", "account_inactive", "is_archived"):
        desk.fake.fail_next("chat.postMessage", error)
        with pytest.raises(DeliveryError) as refused:
            await sender.send(message)
        assert refused.value.permanent, error
        assert error in refused.value.reason

    desk.fake.fail_next("chat.postMessage", "internal_error", status=500)
    with pytest.raises(DeliveryError) as failed:
        await sender.send(message)
    assert not failed.value.permanent and failed.value.retry_after is None

    assert await sender.send(message) == desk.fake.posts("D0SARA")[-1].ts
    assert len(desk.fake.calls_to("chat.postMessage", ok=None)) == 7  # one request per attempt


async def test_a_permanent_refusal_fails_the_message_without_retrying(desk, sessions) -> None:
    desk.fake.fail_next("chat.postMessage", "channel_not_found")
    await desk.dm("U0SARA", QUESTION)
    async with sessions() as session:
        statuses = list(
            await session.scalars(
                select(Message.status).where(Message.direction == "out").order_by(Message.id)
            )
        )
    assert statuses[0] == "failed"


async def test_long_texts_are_split_within_block_kit_limits(desk) -> None:
    paragraph = "Step " + "word & <tag> " * 40  # escaping makes it longer on the wire
    text = "\n".join(f"{n}. {paragraph}" for n in range(300))  # ~170000 characters
    buttons = tuple(Button(f"Option {n}", "pick", str(n)) for n in range(30))
    ts = await desk.adapter.sender.send(OutboundMessage(SARA, text, buttons))

    posts = desk.fake.posts("D0SARA")
    assert len(posts) > 1 and posts[0].ts == ts
    for post in posts:
        assert len(post.blocks) <= 50
        assert 0 < len(post.text) <= 40000
        for block in post.blocks:
            if block["type"] == "section":
                assert 0 < len(block["text"]["text"]) <= 3000
            else:
                assert block["type"] == "actions" and len(block["elements"]) <= 25
    # The buttons come after the whole text, each action id unique in its message.
    assert all(p.buttons() == [] for p in posts[:-1])
    action_ids = [b["action_id"] for b in posts[-1].buttons()]
    assert len(action_ids) == 30 == len(set(action_ids))
    # Nothing lost: every line arrives, in order.
    sent = "\n".join(section for post in posts for section in post.section_texts())
    for n in (0, 150, 299):
        assert f"{n}. Step word &amp; &lt;tag&gt;" in sent
    assert sent.index("0. Step") < sent.index("150. Step") < sent.index("299. Step")


async def test_a_long_message_interrupted_midway_is_not_posted_twice(desk) -> None:
    text = "\n".join(f"line {n} " + "z" * 2900 for n in range(30))  # three posts
    message = OutboundMessage(SARA, text)
    desk.fake.rate_limit_next("chat.postMessage", retry_after=1, after=1)
    with pytest.raises(DeliveryError):
        await desk.adapter.sender.send(message)
    ts = await desk.adapter.sender.send(message)  # the Outbox's retry
    posts = desk.fake.posts("D0SARA")
    assert len(posts) == 3 and posts[0].ts == ts
    sent = "\n".join(section for post in posts for section in post.section_texts())
    assert [sent.count(f"line {n} ") for n in (0, 15, 29)] == [1, 1, 1]


async def test_a_long_ticket_post_keeps_its_buttons_on_the_root(desk) -> None:
    agents = desk.adapter.agent_chat
    text = "*New ticket #7*\n" + "x" * 45000
    root_ts = await desk.adapter.sender.send(
        OutboundMessage(agents, text, (Button("Claim", "claim", "7", "primary"),), ticket_id=7)
    )
    root, *rest = desk.fake.posts(desk.agent_channel)
    assert root.ts == root_ts and root.thread_ts is None
    assert root.button_labels() == ["Claim", "Resolve"]
    assert rest and all(p.thread_ts == root_ts for p in rest)  # the rest goes into its thread


async def test_markdown_becomes_mrkdwn_with_slacks_escapes(desk) -> None:
    text = "*Bold* and _italic_ and `code` at https://acme.example/a?b=1&c=2 <!channel> 3 > 2"
    await desk.adapter.sender.send(OutboundMessage(SARA, text))
    post = desk.fake.posts("D0SARA")[-1]
    expected = (
        "*Bold* and _italic_ and `code` at https://acme.example/a?b=1&amp;c=2 "
        "&lt;!channel&gt; 3 &gt; 2"
    )
    assert post.text == expected
    assert post.section_texts() == [expected]


async def test_button_labels_and_values_fit_block_kit(desk) -> None:
    label = "A very long label " * 10
    await desk.adapter.sender.send(OutboundMessage(SARA, "", (Button(label, "x", "1"),)))
    post = desk.fake.posts("D0SARA")[-1]
    (button,) = post.buttons()
    assert len(button["text"]["text"]) <= 75 and button["text"]["text"].endswith("…")
    assert post.text.strip()  # a text-less message still has its fallback
