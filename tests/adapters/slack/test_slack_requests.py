"""What reaches /slack/events: only signed, fresh requests; retried events take effect once."""

from __future__ import annotations

import json
import time

import pytest

from conversations.messages import ChatRef, Platform
from tests.fakes.slack_api import (
    APP_TOKEN,
    dm_event,
    event_callback,
    unused_interaction_payloads,
)

QUESTION = "I forgot my password and cannot log in"


def _tamper(body: bytes) -> bytes:
    return body.replace(b"password", b"passw0rd")


@pytest.mark.parametrize(
    "case",
    [
        "wrong secret",
        "stale timestamp",
        "future timestamp",
        "tampered body",
        "missing headers",
        "missing signature",
        "garbage signature",
    ],
)
async def test_unsigned_or_badly_signed_requests_are_refused_and_do_nothing(desk, case) -> None:
    body = json.dumps(event_callback(dm_event("U0SARA", "D0SARA", QUESTION))).encode()
    headers = desk.slack.signed_headers(body)
    sign = True
    kwargs: dict = {}
    if case == "wrong secret":
        kwargs["secret"] = "not-the-signing-secret"
    elif case == "stale timestamp":
        kwargs["timestamp"] = int(time.time()) - 6 * 60  # Slack's limit is five minutes
    elif case == "future timestamp":
        kwargs["timestamp"] = int(time.time()) + 6 * 60
    elif case == "tampered body":
        # Signed over the original bytes, sent with others.
        sign = False
        kwargs["headers"] = headers
        body = _tamper(body)
    elif case == "missing headers":
        sign = False
    elif case == "missing signature":
        sign = False
        kwargs["headers"] = {"X-Slack-Request-Timestamp": headers["X-Slack-Request-Timestamp"]}
    elif case == "garbage signature":
        sign = False
        kwargs["headers"] = {**headers, "X-Slack-Signature": "v0=" + "0" * 64}

    answer = await desk.slack.post(body, "application/json", sign=sign, **kwargs)
    await desk.settle()

    assert answer.status == 401
    assert [c.method for c in desk.fake.calls if c.method != "auth.test"] == []
    assert await desk.reads.transcript(desk.adapter.agent_chat) == []
    assert await desk.reads.transcript(ChatRef(Platform.SLACK, "D0SARA")) == []


@pytest.mark.parametrize("timestamp", ["soon", "1e9", "１２３", "-5", ""])
async def test_a_timestamp_that_is_not_a_number_is_refused_not_a_crash(desk, timestamp) -> None:
    body = json.dumps(event_callback(dm_event("U0SARA", "D0SARA", QUESTION))).encode()
    headers = {**desk.slack.signed_headers(body), "X-Slack-Request-Timestamp": timestamp}
    answer = await desk.slack.post(body, "application/json", sign=False, headers=headers)
    await desk.settle()
    assert answer.status == 401
    assert await desk.reads.transcript(ChatRef(Platform.SLACK, "D0SARA")) == []


async def test_without_a_signing_secret_there_is_no_http_route(make_desk) -> None:
    # Socket Mode alone: a signature made with an empty key is one anyone can make.
    desk = await make_desk(app_token=APP_TOKEN, signing_secret="")
    body = json.dumps(event_callback(dm_event("U0SARA", "D0SARA", QUESTION))).encode()
    answer = await desk.slack.post(body, "application/json", secret="")
    assert answer.status == 404
    await desk.settle()
    assert await desk.reads.transcript(ChatRef(Platform.SLACK, "D0SARA")) == []


async def test_bad_signatures_are_refused_on_commands_and_interactivity_too(desk) -> None:
    form = b"command=%2Fdesk&text=claim+1&user_id=U0ALI&channel_id=C0AGENTS01&trigger_id=1.2.3"
    answer = await desk.slack.post(
        form, "application/x-www-form-urlencoded", secret="not-the-signing-secret"
    )
    assert answer.status == 401
    answer = await desk.slack.post(
        b"payload=%7B%7D", "application/x-www-form-urlencoded", sign=False
    )
    assert answer.status == 401
    await desk.settle()
    assert [c.method for c in desk.fake.calls if c.method != "auth.test"] == []


async def test_a_signed_request_is_acknowledged_at_once(desk) -> None:
    answer = await desk.slack.event(dm_event("U0SARA", "D0SARA", QUESTION))
    assert answer.status == 200 and answer.body == ""


async def test_url_verification_challenge_is_answered(desk) -> None:
    challenge = {
        "token": "legacy",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    answer = await desk.slack.post(json.dumps(challenge).encode(), "application/json")
    assert answer.status == 200
    assert challenge["challenge"] in answer.body


async def test_a_retried_event_takes_effect_once(desk) -> None:
    envelope = event_callback(dm_event("U0SARA", "D0SARA", QUESTION), event_id="Ev0RETRY0001")
    first = await desk.slack.send_event(envelope)
    await desk.settle()
    posts = len(desk.fake.posts("D0SARA"))
    assert posts >= 2

    # Slack did not see our answer in time and sends the very same event again.
    for retry in (1, 2):
        again = await desk.slack.send_event(envelope, retry_num=retry)
        assert again.status == 200
        await desk.settle()
    assert first.status == 200
    assert len(desk.fake.posts("D0SARA")) == posts
    assert sum("I'm Deskbot" in p.text for p in desk.fake.posts("D0SARA")) == 1
    lines = await desk.reads.transcript(ChatRef(Platform.SLACK, "D0SARA"))
    assert [line.text for line in lines if line.direction == "in"] == [QUESTION]


async def test_bot_messages_and_message_subtypes_are_ignored(desk) -> None:
    bot = desk.fake.bot_user_id
    ignored = [
        dm_event(bot, "D0SARA", "Hi! I'm Deskbot", bot_id=desk.fake.bot_id),  # our own post
        dm_event("U0OTHERBOT", "D0SARA", "beep", bot_id="B0OTHER", subtype="bot_message"),
        dm_event("U0SARA", "D0SARA", "edited", subtype="message_changed"),
        dm_event("U0SARA", "D0SARA", "", subtype="message_deleted"),
        dm_event("U0SARA", "D0SARA", "joined", subtype="channel_join"),
        # Top level in some channel the bot is in: not addressed to it.
        {**dm_event("U0SARA", "C0GENERAL", QUESTION), "channel_type": "channel"},
    ]
    for event in ignored:
        assert (await desk.slack.event(event)).status == 200
    await desk.settle()
    assert desk.fake.calls_to("chat.postMessage", ok=None) == []

    # A file shared with words is a message all the same.
    await desk.dm("U0SARA", QUESTION, subtype="file_share")
    assert desk.fake.posts("D0SARA")


@pytest.mark.parametrize("kind", sorted(unused_interaction_payloads()))
async def test_interactivity_deskbot_does_not_use_is_acknowledged_and_ignored(
    desk, kind, caplog
) -> None:
    caplog.set_level("DEBUG", logger="adapters.slack.app")
    answer = await desk.slack.interaction(unused_interaction_payloads()[kind])

    assert answer.status == 200  # bolt answered 404 to these: Slack showed the person an error
    if kind == "block_suggestion":
        assert json.loads(answer.body) == {"options": []}
    await desk.settle()
    assert [c.method for c in desk.fake.calls if c.method != "auth.test"] == []
    assert await desk.reads.transcript(ChatRef(Platform.SLACK, "D0SARA")) == []
    assert not [r for r in caplog.records if r.levelname in {"WARNING", "ERROR"}]


async def test_a_payload_bolt_cannot_read_is_a_400_not_a_traceback(desk, caplog) -> None:
    # Found by tests/adapters/slack/test_slack_fuzz.py: bolt's own error handling fails on it.
    payload = unused_interaction_payloads()["view_submission"] | {
        "type": "block_actions",
        "actions": [],
    }
    answer = await desk.slack.interaction(payload)
    assert answer.status == 400
    assert "cannot read" in answer.body
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
