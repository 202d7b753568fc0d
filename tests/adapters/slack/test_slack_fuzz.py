"""Fuzz: whatever signed payload reaches /slack/events (events, slash commands, interactivity)
is taken, ignored or refused with a 4xx, and no listener fails; through bolt, the adapter and
the real engine."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import FUZZ, JSON, TEXT, objects_with

CHANNELS = st.sampled_from(["D0SARA", "C0AGENTS01", "C0GENERAL1", "G0PRIVATE1"]) | TEXT
USERS = st.sampled_from(["U0SARA", "U0ALI", "U0DESKBOT"]) | TEXT
TS = st.one_of(
    st.floats(min_value=0, max_value=2e9).map(lambda f: f"{f:.6f}"),
    TEXT,
)
EVENTS = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "app_mention", "reaction_added", "member_joined"])},
    optional={
        "user": USERS,
        "channel": CHANNELS,
        "channel_type": st.sampled_from(["im", "channel", "group", "mpim"]),
        "text": TEXT,
        "ts": TS,
        "thread_ts": TS,
        "event_ts": TS,
        "subtype": st.sampled_from(["bot_message", "message_changed", "file_share"]),
        "bot_id": TEXT,
        "reaction": st.sampled_from(["white_check_mark", "eyes", "raising_hand"]) | TEXT,
        "item": objects_with({"type": st.just("message"), "channel": CHANNELS, "ts": TS}),
        "blocks": JSON,
    },
)
COMMANDS = objects_with(
    {
        "command": st.just("/desk"),
        "text": TEXT,
        "user_id": USERS,
        "user_name": TEXT,
        "channel_id": CHANNELS,
        "trigger_id": TEXT,
        "response_url": st.just("http://127.0.0.1:9/unreachable"),
    }
).map(lambda form: {str(k): str(v) for k, v in form.items()})
ACTIONS = objects_with(
    {
        "type": st.sampled_from(["block_actions", "interactive_message", "dialog_submission"]),
        "user": objects_with({"id": USERS, "username": TEXT}),
        "channel": objects_with({"id": CHANNELS}),
        "container": objects_with({"type": st.just("message"), "message_ts": TS}),
        "actions": st.lists(
            objects_with({"action_id": TEXT, "value": TEXT, "block_id": TEXT}), max_size=2
        ),
        "message": objects_with({"ts": TS, "thread_ts": TS, "text": TEXT}),
    }
)


@pytest.fixture
def failures(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.ERROR)

    def seen() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]

    return seen


@settings(parent=FUZZ, max_examples=40)
@given(kind=st.sampled_from(["event", "command", "interaction"]), data=st.data())
async def test_any_signed_payload(desk, failures, kind: str, data: Any) -> None:
    if kind == "event":
        answer = await desk.slack.event(data.draw(EVENTS))
    elif kind == "command":
        answer = await desk.slack.command(data.draw(COMMANDS))
    else:
        answer = await desk.slack.interaction(data.draw(ACTIONS))
    await desk.settle()
    assert answer.status < 500, answer.body
    assert failures() == []
