"""The web chat takes so many posts a minute from one chat and from one address; beyond that it
answers 429 with Retry-After, takes nothing, and goes on serving everyone else."""

from __future__ import annotations

import asyncio

import pytest

from adapters.web.channel import WebSettings
from adapters.web.post_limits import PostLimits
from conversations.messages import Unavailable
from conversations.throttle import parse_limits


async def _new_chat(client) -> None:
    """Open the chat page with no cookie: the server issues a new chat."""
    client.session.cookie_jar.clear()
    assert "deskbot_chat" in (await client.get("/")).cookies


async def _post(client, n: int, path: str = "/api/chat/messages"):
    body = (
        {"text": f"message {n}", "event_id": f"e{n}"}
        if path.endswith("messages")
        else {"action_id": "faq_helpful", "value": "yes", "event_id": f"e{n}"}
    )
    return await client.post(path, json=body)


async def test_a_chat_posting_in_a_loop_is_told_to_wait_and_nothing_is_taken(desk, serve) -> None:
    client, _ = await serve(desk)
    await _new_chat(client)
    for n in range(20):  # the default: 20 a minute
        assert (await _post(client, n)).status == 202
    refused = await _post(client, 20)

    assert refused.status == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "wait" in (await refused.json())["error"]
    assert len(desk.events) == 20  # the refused one never reached the desk
    # Buttons count as posts of the same chat.
    assert (await _post(client, 21, "/api/chat/actions")).status == 429

    # Another chat on another address is served at once.
    other, _ = await serve(desk)
    await _new_chat(other)
    assert (await _post(other, 0)).status == 202


async def test_posts_sent_all_at_once_cannot_slip_past_the_limit(desk, serve) -> None:
    client, _ = await serve(desk)
    await _new_chat(client)
    taking = desk.dispatch

    async def slow_dispatch(event):  # a real desk awaits its database: the posts overlap
        await asyncio.sleep(0.01)
        return await taking(event)

    desk.dispatch = slow_dispatch
    statuses = await asyncio.gather(*(_post(client, n) for n in range(40)))
    assert sorted(r.status for r in statuses) == [202] * 20 + [429] * 20
    assert len(desk.events) == 20


async def test_many_chats_from_one_address_are_limited_together(desk, serve) -> None:
    limits = PostLimits(per_chat=parse_limits("100/minute"), per_address=parse_limits("5/minute"))
    client, _ = await serve(desk, post_limits=limits)
    for n in range(5):
        await _new_chat(client)
        assert (await _post(client, n)).status == 202
    await _new_chat(client)
    assert (await _post(client, 5)).status == 429
    assert len(desk.events) == 5


async def test_a_post_the_desk_could_not_take_does_not_count(desk, serve) -> None:
    limits = PostLimits(per_chat=parse_limits("2/minute"), per_address=parse_limits("2/minute"))
    client, _ = await serve(desk, post_limits=limits)
    await _new_chat(client)
    desk.failure = Unavailable("database down")
    for _ in range(5):  # the page sends it again and again while the database is down
        assert (await _post(client, 0)).status == 503
    desk.failure = None
    assert (await _post(client, 0)).status == 202
    assert (await _post(client, 1)).status == 202
    assert (await _post(client, 2)).status == 429


def test_the_limits_are_settings_checked_at_start() -> None:
    settings = WebSettings.model_validate(
        {"DESKBOT_CHAT_RATE_LIMIT": "5/second;30/minute", "DESKBOT_ADDRESS_RATE_LIMIT": "1/hour"}
    )
    assert [str(item) for item in settings.post_limits.per_chat] == [
        "5 per 1 second",
        "30 per 1 minute",
    ]
    for bad in ("fast", "20 a minute", ""):
        with pytest.raises(ValueError, match="rate limit"):
            WebSettings.model_validate({"DESKBOT_CHAT_RATE_LIMIT": bad})


async def test_a_script_cannot_start_chat_after_chat(desk, serve) -> None:
    # Each new chat is a new requester who can open a ticket: 999 of them opened 999 tickets.
    limits = PostLimits(new_chats=parse_limits("3/hour"))
    client, _ = await serve(desk, post_limits=limits)
    for _ in range(3):
        await _new_chat(client)
    kept = client.session.cookie_jar.filter_cookies(client.make_url("/"))["deskbot_chat"].value

    client.session.cookie_jar.clear()
    refused = await client.get("/")
    assert refused.status == 429
    assert "deskbot_chat" not in refused.cookies
    assert 3000 < int(refused.headers["Retry-After"]) <= 3600
    assert "new chats" in await refused.text()

    # Someone already in a chat goes on as before.
    client.session.cookie_jar.update_cookies({"deskbot_chat": kept})
    assert (await client.get("/")).status == 200
    assert (await _post(client, 0)).status == 202
