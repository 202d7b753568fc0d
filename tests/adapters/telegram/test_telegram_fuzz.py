"""Fuzz: whatever reaches the Telegram webhook (with the right secret) is parsed into an event or
refused with a 400; the parser never raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, Update

from adapters.telegram.inbound import parse_update
from adapters.telegram.webhook import SECRET_HEADER, webhook_route
from tests.strategies import FUZZ, JSON, TEXT, objects_with

AGENTS = "-1001987654321"
SECRET = "fuzz-secret"

IDS = st.integers(min_value=-(10**13), max_value=10**13)
USERS = st.fixed_dictionaries(
    {"id": IDS, "is_bot": st.sampled_from([False, False, False, True]), "first_name": TEXT},
    optional={"last_name": TEXT, "username": TEXT, "language_code": TEXT},
)
CHATS = st.one_of(
    st.fixed_dictionaries({"id": IDS, "type": st.just("private")}),
    st.fixed_dictionaries({"id": st.just(int(AGENTS)), "type": st.just("supergroup")}),
    st.fixed_dictionaries(
        {"id": IDS, "type": st.sampled_from(["private", "group", "supergroup", "channel"])},
        optional={"is_forum": st.booleans(), "title": TEXT, "first_name": TEXT},
    ),
)
BARE_MESSAGES = st.fixed_dictionaries(
    {"message_id": IDS, "date": st.integers(min_value=0, max_value=2**31), "chat": CHATS},
    optional={"from": USERS, "text": TEXT},
)
MESSAGES = st.fixed_dictionaries(
    {
        "message_id": IDS,
        "date": st.integers(min_value=0, max_value=2**31),
        "chat": CHATS,
        "from": USERS,
        "text": st.one_of(TEXT, TEXT.map(lambda t: "/" + t), st.just("/claim@deskbot 1")),
    },
    optional={
        "caption": TEXT,
        "message_thread_id": IDS,
        "is_topic_message": st.booleans(),
        "reply_to_message": BARE_MESSAGES,
        "entities": st.lists(
            st.fixed_dictionaries({"type": st.just("bot_command"), "offset": IDS, "length": IDS}),
            max_size=2,
        ),
    },
)
PRESSES = st.fixed_dictionaries(
    {"id": TEXT, "from": USERS, "chat_instance": TEXT, "data": TEXT},
    optional={"message": MESSAGES},
)
PLAUSIBLE = st.one_of(
    st.fixed_dictionaries({"update_id": IDS, "message": MESSAGES}),
    st.fixed_dictionaries({"update_id": IDS, "callback_query": PRESSES}),
    st.fixed_dictionaries({"update_id": IDS, "edited_message": MESSAGES}),
)
#: Objects with fields of the wrong type, missing or unknown.
BROKEN = st.fixed_dictionaries(
    {"update_id": IDS},
    optional={
        "message": objects_with({"message_id": IDS, "chat": CHATS, "from": USERS, "text": TEXT}),
        "my_chat_member": JSON,
    },
)
UPDATES = st.one_of(PLAUSIBLE, PLAUSIBLE, PLAUSIBLE, BROKEN, JSON)


@settings(parent=FUZZ, max_examples=150)  # most examples are refused or ignored early
@given(update=UPDATES)
async def test_any_update(update: Any) -> None:
    parsed: list[object] = []

    async def process(received: Update) -> bool:
        # What the adapter runs first for every update; it must not raise.
        parsed.append(
            parse_update(
                received, agent_chat_id=AGENTS, bot_username="deskbot", now=datetime.now(UTC)
            )
        )
        return True

    app = web.Application()
    app.router.add_post(
        "/telegram/webhook", webhook_route(Bot("123:fuzz"), lambda: True, process, SECRET)
    )
    async with TestClient(TestServer(app)) as client:
        response = await client.post(
            "/telegram/webhook",
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", SECRET_HEADER: SECRET},
        )
        assert response.status in (200, 400), await response.text()
        assert (response.status == 200) == bool(parsed)
