"""Fuzz: every JSON endpoint of the web chat and the console answers whatever it is sent with a
4xx it explains, or takes it; never a 500."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adapters.web.post_limits import PostLimits
from conversations.throttle import parse_limits
from tests.strategies import FUZZ, JSON, TEXT, objects_with

ENDPOINTS = [
    "/api/chat/messages",
    "/api/chat/actions",
    "/api/agent/commands",
    "/api/agent/actions",
    "/agent/login",
]

BODIES = st.one_of(
    objects_with(
        {
            "text": TEXT,
            "event_id": TEXT,
            "name": TEXT,
            "locale": TEXT,
            "action_id": TEXT,
            "value": TEXT,
            "command": TEXT,
            "token": TEXT,
        }
    ),
    JSON,
)

NO_LIMITS = PostLimits(parse_limits("100000/minute"), parse_limits("100000/minute"))


async def _check(response) -> None:
    assert response.status < 500, await response.text()
    if response.status >= 400:
        body = await response.json()
        assert isinstance(body["error"], str) and body["error"]


@FUZZ
@given(path=st.sampled_from(ENDPOINTS), body=BODIES)
async def test_any_json_body(desk, serve, path: str, body: Any) -> None:
    client, _ = await serve(desk, post_limits=NO_LIMITS)
    await client.get("/")  # a chat cookie, so the chat endpoints read the body
    raw = json.dumps(body, ensure_ascii=True).encode()  # surrogates travel as \\ud800 escapes
    response = await client.post(
        path, data=raw, headers={"Content-Type": "application/json", "X-Deskbot-Agent": "Ali"}
    )
    await _check(response)


@FUZZ
@given(path=st.sampled_from(ENDPOINTS), raw=st.binary(max_size=200))
async def test_any_bytes(desk, serve, path: str, raw: bytes) -> None:
    client, _ = await serve(desk, post_limits=NO_LIMITS)
    await client.get("/")
    response = await client.post(path, data=raw, headers={"Content-Type": "application/json"})
    await _check(response)


@FUZZ
@given(
    after=st.one_of(st.none(), TEXT.filter(lambda s: "\x00" not in s)),
    view=st.one_of(st.none(), TEXT.filter(lambda s: "\x00" not in s)),
    ticket=TEXT.filter(lambda s: s and "/" not in s and "\x00" not in s),
)
async def test_any_query(desk, serve, after, view, ticket) -> None:
    client, _ = await serve(desk)
    await client.get("/")
    params = {"after": after} if after is not None else {}
    await _check(await client.get("/api/chat/transcript", params=params))
    await _check(await client.get("/api/agent/tickets", params={"view": view} if view else {}))
    await _check(await client.get(f"/api/agent/tickets/{ticket}"))
