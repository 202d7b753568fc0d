"""The console's activity feed: the web agent channel read back, and its buttons pressed."""

from __future__ import annotations

import pytest

from conversations.messages import Button, ChatRef, InboundAction, Platform, Reply, UserRef

AGENTS = ChatRef(Platform.WEB, "agents")
CLAIM = Button("Claim", "claim", "12", "primary")
ALICE = {"X-Deskbot-Agent": "alice"}
TOKEN = "s3cret-agent-token"


async def _error(response, status: int) -> str:
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


# --- the feed ----------------------------------------------------------------------------------


async def test_feed_is_the_web_agent_channel(desk, serve) -> None:
    desk.add_line("agents", "*New ticket #12* [high] from Sara (web)", buttons=(CLAIM,))
    desk.add_line("agents", "*#12* claimed by alice.")
    desk.add_line("agents", "*#12* موعد پاسخ نزدیک است", lang="fa")
    desk.add_line("c" * 32, "a requester's chat is not the feed")
    client, _ = await serve(desk)

    response = await client.get("/api/agent/feed")

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert desk.transcript_calls == [(AGENTS, 0)]
    assert await response.json() == {
        "lines": [
            {
                "id": 1,
                "direction": "out",
                "text": "*New ticket #12* [high] from Sara (web)",
                "buttons": [
                    {"label": "Claim", "action_id": "claim", "value": "12", "style": "primary"}
                ],
                "lang": "en",
                "at": "2025-01-02T09:30:00+00:00",
            },
            {
                "id": 2,
                "direction": "out",
                "text": "*#12* claimed by alice.",
                "buttons": [],
                "lang": "en",
                "at": "2025-01-02T09:31:00+00:00",
            },
            {
                "id": 3,
                "direction": "out",
                "text": "*#12* موعد پاسخ نزدیک است",
                "buttons": [],
                "lang": "fa",
                "at": "2025-01-02T09:32:00+00:00",
            },
        ]
    }


async def test_feed_after_a_line_id(desk, serve) -> None:
    for n in range(1, 5):
        desk.add_line("agents", f"line {n}")
    client, _ = await serve(desk)

    body = await (await client.get("/api/agent/feed", params={"after": "2"})).json()
    empty = await (await client.get("/api/agent/feed", params={"after": "4"})).json()
    huge = await client.get("/api/agent/feed", params={"after": "9" * 30})

    assert [line["text"] for line in body["lines"]] == ["line 3", "line 4"]
    assert empty == {"lines": []}
    assert huge.status == 200
    assert await huge.json() == {"lines": []}
    # Past the largest id a database can hold there is nothing; the engine is asked within range.
    assert desk.transcript_calls == [(AGENTS, 2), (AGENTS, 4), (AGENTS, 2**31 - 1)]


@pytest.mark.parametrize("after", ["latest", "-1", "1.5", "٣", "0x10"])
async def test_feed_refuses_a_bad_after(desk, serve, after: str) -> None:
    client, _ = await serve(desk)
    response = await client.get("/api/agent/feed", params={"after": after})
    assert "'after' must be a whole number" in await _error(response, 400)
    assert desk.transcript_calls == []


async def test_feed_needs_no_agent_name(desk, serve) -> None:
    # Reading is anonymous within the console, like the queue; acting needs a name.
    client, _ = await serve(desk)
    assert (await client.get("/api/agent/feed")).status == 200


async def test_feed_answers_get_only(desk, serve) -> None:
    client, _ = await serve(desk)
    response = await client.post("/api/agent/feed", json={})
    assert "GET" in await _error(response, 405)
    assert response.headers["Allow"] == "GET"


async def test_feed_failure_is_apologised_for(desk, serve, monkeypatch) -> None:
    async def broken(chat, *, after=0):
        raise RuntimeError("database gone")

    monkeypatch.setattr(desk, "transcript", broken)
    client, _ = await serve(desk)
    response = await client.get("/api/agent/feed")
    assert await _error(response, 500) == "Something went wrong on our side; please try again."


async def test_feed_with_the_token(desk, serve) -> None:
    desk.add_line("agents", "*New ticket #12*", buttons=(CLAIM,))
    client, _ = await serve(desk, agent_token=TOKEN)

    await _error(await client.get("/api/agent/feed"), 401)
    assert (await client.post("/agent/login", json={"token": TOKEN})).status == 200
    response = await client.get("/api/agent/feed")

    assert response.status == 200
    assert [line["id"] for line in (await response.json())["lines"]] == [1]


# --- pressing a feed line's button -------------------------------------------------------------


async def test_button_press_is_dispatched_as_the_agent(desk, serve) -> None:
    desk.agent_reply = Reply("You claimed #12.")
    client, _ = await serve(desk)

    response = await client.post(
        "/api/agent/actions",
        json={"action_id": "claim", "value": "12", "event_id": "b-1"},
        headers=ALICE,
    )

    assert response.status == 200
    assert await response.json() == {"text": "You claimed #12.", "ok": True}
    [event] = desk.events
    assert isinstance(event, InboundAction)
    assert event.chat == AGENTS
    assert event.sender == UserRef(Platform.WEB, user_id="agent:alice", display_name="alice")
    assert (event.action_id, event.value) == ("claim", "12")
    # Scoped like commands: another agent reusing the id is not a "duplicate" of this press.
    assert event.event_id == "agent:alice:b-1"
    assert event.sent_at.tzinfo is not None


async def test_button_press_scopes_the_event_id_per_agent(desk, serve) -> None:
    client, _ = await serve(desk)
    body = {"action_id": "accept", "value": "12", "event_id": "same"}
    await client.post("/api/agent/actions", json=body, headers=ALICE)
    await client.post("/api/agent/actions", json=body, headers={"X-Deskbot-Agent": "%D8%B9"})
    assert [event.event_id for event in desk.events] == ["agent:alice:same", "agent:ع:same"]
    assert desk.events[1].sender.display_name == "ع"


async def test_refused_press_is_a_reply_not_an_error(desk, serve) -> None:
    desk.agent_reply = Reply("The transfer of #12 is not for you.", ok=False)
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/actions",
        json={"action_id": "accept", "value": "12", "event_id": "b"},
        headers=ALICE,
    )
    assert response.status == 200
    assert await response.json() == {"text": "The transfer of #12 is not for you.", "ok": False}


async def test_press_without_reply(desk, serve) -> None:
    desk.agent_reply = None
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/actions",
        json={"action_id": "decline", "value": "12", "event_id": "b"},
        headers=ALICE,
    )
    assert await response.json() == {"text": "", "ok": True}


async def test_press_refreshes_every_console(desk, serve) -> None:
    client, _ = await serve(desk)
    console = await client.ws_connect("/ws/agent")
    try:
        response = await client.post(
            "/api/agent/actions",
            json={"action_id": "claim", "value": "12", "event_id": "b"},
            headers=ALICE,
        )
        assert response.status == 200
        assert await console.receive_json(timeout=5) == {"type": "refresh", "ticket_id": None}
    finally:
        await console.close()


@pytest.mark.parametrize(
    ("body", "headers", "status", "fragment"),
    [
        ({"action_id": "claim", "value": "12", "event_id": "b"}, {}, 400, "X-Deskbot-Agent"),
        ({"value": "12", "event_id": "b"}, ALICE, 400, "'action_id' is required"),
        ({"action_id": "", "value": "12", "event_id": "b"}, ALICE, 400, "'action_id' is required"),
        ({"action_id": "claim", "value": 12, "event_id": "b"}, ALICE, 400, "'value' must be"),
        ({"action_id": "claim", "value": "12"}, ALICE, 400, "'event_id' is required"),
        ({"action_id": "claim", "value": "1" * 64, "event_id": "b"}, ALICE, 400, "64 bytes"),
        ({"action_id": "claim", "value": "12", "event_id": "x" * 101}, ALICE, 400, "event_id"),
        (
            {"action_id": "claim", "value": "12", "event_id": "b", "pad": "x" * 70_000},
            ALICE,
            413,
            "larger than 64 KiB",
        ),
    ],
)
async def test_bad_button_presses(desk, serve, body, headers, status, fragment) -> None:
    client, _ = await serve(desk)
    response = await client.post("/api/agent/actions", json=body, headers=headers)
    assert fragment in await _error(response, status)
    assert desk.events == []


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"action_id": "claim", "value": "12"', "not valid JSON"),
        (b"", "empty"),
        (b'["claim", "12"]', "JSON object, not a list"),
        (b'{"action_id": "claim"}\xff', "UTF-8"),
    ],
)
async def test_malformed_button_press_json(desk, serve, data: bytes, fragment: str) -> None:
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/actions",
        data=data,
        headers={**ALICE, "Content-Type": "application/json"},
    )
    assert fragment in await _error(response, 400)
    assert desk.events == []


async def test_press_dispatch_failure(desk, serve) -> None:
    desk.failure = RuntimeError("boom")
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/actions",
        json={"action_id": "claim", "value": "12", "event_id": "b"},
        headers=ALICE,
    )
    assert await _error(response, 500) == "Something went wrong on our side; please try again."


async def test_actions_answer_post_only(desk, serve) -> None:
    client, _ = await serve(desk)
    response = await client.get("/api/agent/actions")
    assert "POST" in await _error(response, 405)
    assert response.headers["Allow"] == "POST"
