"""The agent console's HTTP API and its token check."""

from __future__ import annotations

import pytest
from aiohttp import WSServerHandshakeError

from conversations.messages import (
    ChatRef,
    InboundCommand,
    Platform,
    Reply,
    Unavailable,
    UserRef,
)

TOKEN = "s3cret-agent-token"


async def _error(response, status: int) -> str:
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


async def test_queue_views(desk, serve) -> None:
    desk.add_ticket(12)
    client, _ = await serve(desk)

    for view in ("all", "unassigned", "urgent"):
        response = await client.get("/api/agent/tickets", params={"view": view})
        assert response.status == 200
    response = await client.get(
        "/api/agent/tickets", params={"view": "mine"}, headers={"X-Deskbot-Agent": "alice"}
    )
    body = await response.json()
    default = await client.get("/api/agent/tickets")

    assert default.status == 200
    assert desk.queue_views == ["all", "unassigned", "urgent", "mine:web:agent:alice", "all"]
    assert body == {
        "tickets": [
            {
                "id": 12,
                "subject": "Cannot log in",
                "status": "new",
                "priority": "high",
                "requester_name": "Sara",
                "channel": "web",
                "assignee_name": None,
                "lang": "en",
                "created_at": "2025-01-02T09:30:00+00:00",
                "updated_at": "2025-01-02T09:35:00+00:00",
            }
        ]
    }


async def test_bad_queue_requests(desk, serve) -> None:
    client, _ = await serve(desk)
    assert "view" in await _error(await client.get("/api/agent/tickets?view=closed"), 400)
    response = await client.get("/api/agent/tickets?view=mine")
    assert "X-Deskbot-Agent" in await _error(response, 400)
    assert desk.queue_views == []


async def test_ticket_detail(desk, serve) -> None:
    desk.add_ticket(12)
    client, _ = await serve(desk)

    response = await client.get("/api/agent/tickets/12")

    assert response.status == 200
    body = await response.json()
    assert body["ticket"]["id"] == 12
    assert body["description"] == "I forgot my password"
    assert body["faqs_tried"] == ["password-reset"]
    assert body["entries"] == [
        {
            "id": 1,
            "kind": "requester",
            "author": "Sara",
            "text": "I forgot my password",
            "at": "2025-01-02T09:30:00+00:00",
        },
        {
            "id": 2,
            "kind": "note",
            "author": "alice",
            "text": "Checked the logs",
            "at": "2025-01-02T09:31:00+00:00",
        },
    ]


async def test_ticket_detail_errors(desk, serve) -> None:
    client, _ = await serve(desk)
    assert "#404" in await _error(await client.get("/api/agent/tickets/404"), 404)
    assert "whole number" in await _error(await client.get("/api/agent/tickets/twelve"), 400)
    await _error(await client.get("/api/agent/tickets/1.5"), 400)
    await _error(await client.get("/api/agent/tickets/99999999999999999999"), 404)
    await _error(await client.get("/api/agent/tickets/" + "9" * 5000), 404)  # past int()'s limit
    assert desk.ticket_ids == [404]  # impossible ids never reach the engine


async def test_agent_command_answers_with_the_reply(desk, serve) -> None:
    client, _ = await serve(desk)

    response = await client.post(
        "/api/agent/commands",
        json={"text": "claim 12", "event_id": "c-1"},
        headers={"X-Deskbot-Agent": "alice"},
    )

    assert response.status == 200
    assert await response.json() == {"text": "Ticket #12 is yours now.", "ok": True}
    [event] = desk.events
    assert isinstance(event, InboundCommand)
    assert event.chat == ChatRef(Platform.WEB, "agents")
    assert event.sender == UserRef(Platform.WEB, user_id="agent:alice", display_name="alice")
    assert (event.name, event.args) == ("claim", "12")


async def test_agent_command_with_a_non_latin_name(desk, serve) -> None:
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/commands",
        json={"text": "reply 12 سلام، درست شد", "event_id": "c-1"},
        headers={"X-Deskbot-Agent": "%D8%B9%D9%84%DB%8C"},
    )
    assert response.status == 200
    assert desk.events[0].sender.display_name == "علی"
    assert desk.events[0].args == "12 سلام، درست شد"


async def test_refused_command_is_a_reply_not_an_error(desk, serve) -> None:
    desk.agent_reply = Reply("Ticket #12 is already claimed by bob.", ok=False)
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/commands",
        json={"text": "claim 12", "event_id": "c"},
        headers={"X-Deskbot-Agent": "alice"},
    )
    assert response.status == 200
    assert await response.json() == {"text": "Ticket #12 is already claimed by bob.", "ok": False}


async def test_command_without_reply(desk, serve) -> None:
    desk.agent_reply = None
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/commands",
        json={"text": "note 12 hm", "event_id": "c"},
        headers={"X-Deskbot-Agent": "alice"},
    )
    assert await response.json() == {"text": "", "ok": True}


@pytest.mark.parametrize(
    ("body", "headers", "status", "fragment"),
    [
        ({"text": "claim 12", "event_id": "c"}, {}, 400, "X-Deskbot-Agent"),
        ({"event_id": "c"}, {"X-Deskbot-Agent": "alice"}, 400, "'text' is required"),
        ({"text": "  ", "event_id": "c"}, {"X-Deskbot-Agent": "alice"}, 400, "empty"),
        ({"text": "claim 12"}, {"X-Deskbot-Agent": "alice"}, 400, "event_id"),
        ({"text": "x" * 5000, "event_id": "c"}, {"X-Deskbot-Agent": "alice"}, 413, "limit"),
    ],
)
async def test_bad_commands(desk, serve, body, headers, status, fragment) -> None:
    client, _ = await serve(desk)
    response = await client.post("/api/agent/commands", json=body, headers=headers)
    assert fragment in await _error(response, status)
    assert desk.events == []


async def test_malformed_command_json(desk, serve) -> None:
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/commands",
        data=b'{"text": "claim 12"',
        headers={"X-Deskbot-Agent": "alice", "Content-Type": "application/json"},
    )
    assert "JSON" in await _error(response, 400)


async def test_command_dispatch_failure(desk, serve) -> None:
    desk.failure = RuntimeError("boom")
    client, _ = await serve(desk)
    response = await client.post(
        "/api/agent/commands",
        json={"text": "claim 12", "event_id": "c"},
        headers={"X-Deskbot-Agent": "alice"},
    )
    assert await _error(response, 500) == "Something went wrong on our side; please try again."


async def test_unknown_agent_endpoint(desk, serve) -> None:
    client, _ = await serve(desk)
    await _error(await client.get("/api/agent/nothing"), 404)
    await _error(await client.delete("/api/agent/tickets/12"), 405)


# --- auth ------------------------------------------------------------------------------------

PROTECTED = [
    ("GET", "/api/agent/tickets", None),
    ("GET", "/api/agent/tickets/12", None),
    ("POST", "/api/agent/commands", {"text": "claim 12", "event_id": "c"}),
    ("GET", "/api/agent/feed", None),
    ("POST", "/api/agent/actions", {"action_id": "claim", "value": "12", "event_id": "b"}),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic czNjcmV0", "Bearer "])
async def test_agent_api_refuses_without_the_token(
    desk, serve, method, path, body, authorization
) -> None:
    desk.add_ticket(12)
    client, _ = await serve(desk, agent_token=TOKEN)
    headers = {"X-Deskbot-Agent": "alice"}
    if authorization:
        headers["Authorization"] = authorization
    response = await client.request(method, path, json=body, headers=headers)
    assert "login" in (await _error(response, 401)).lower()
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert desk.events == [] and desk.queue_views == [] and desk.ticket_ids == []
    assert desk.transcript_calls == []


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
async def test_agent_api_accepts_the_bearer_token(desk, serve, method, path, body) -> None:
    desk.add_ticket(12)
    client, _ = await serve(desk, agent_token=TOKEN)
    response = await client.request(
        method,
        path,
        json=body,
        headers={"X-Deskbot-Agent": "alice", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status == 200


async def test_login_form_sets_a_session_cookie(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN)
    page = await client.get("/agent")  # the page itself is open: it holds no data
    assert page.status == 200
    assert 'data-testid="agent-login-token"' in await page.text()

    wrong = await client.post("/agent/login", data={"token": "guess"})
    assert "not right" in await _error(wrong, 401)
    assert "deskbot_agent" not in wrong.cookies
    assert (await client.get("/api/agent/tickets")).status == 401

    right = await client.post("/agent/login", data={"token": TOKEN})
    assert right.status == 200
    cookie = right.cookies["deskbot_agent"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["max-age"] == str(12 * 3600)  # DESKBOT_AGENT_SESSION_HOURS' default
    assert TOKEN not in cookie.value  # a random session, not the token
    assert desk.console_sessions.open_tokens == {cookie.value}

    assert (await client.get("/api/agent/tickets")).status == 200


async def test_login_accepts_json_and_logout_forgets(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN)
    await _error(await client.post("/agent/login", json={}), 400)
    assert (await client.post("/agent/login", json={"token": TOKEN})).status == 200
    assert (await client.get("/api/agent/tickets")).status == 200
    assert (await client.post("/agent/logout")).status == 200
    assert (await client.get("/api/agent/tickets")).status == 401


async def test_each_login_is_its_own_session_and_logout_ends_it_for_every_copy(desk, serve) -> None:
    browser, _ = await serve(desk, agent_token=TOKEN)
    first = (await browser.post("/agent/login", json={"token": TOKEN})).cookies["deskbot_agent"]
    second = (await browser.post("/agent/login", json={"token": TOKEN})).cookies["deskbot_agent"]
    assert first.value != second.value

    # A copy of the cookie (another tab, or one that leaked) works until the browser logs out.
    copy, _ = await serve(desk, agent_token=TOKEN)
    copy.session.cookie_jar.update_cookies({"deskbot_agent": second.value})
    assert (await copy.get("/api/agent/tickets")).status == 200

    logout = await browser.post("/agent/logout")
    assert logout.status == 200
    assert logout.cookies["deskbot_agent"].value == ""

    await _error(await copy.get("/api/agent/tickets"), 401)
    with pytest.raises(WSServerHandshakeError) as refused:
        await copy.ws_connect("/ws/agent")
    assert refused.value.status == 401


async def test_wrong_tokens_are_throttled_per_address(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN)
    for _ in range(10):
        await _error(await client.post("/agent/login", json={"token": "guess"}), 401)

    throttled = await client.post("/agent/login", json={"token": "guess"})
    assert "too many" in (await _error(throttled, 429)).lower()
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    # While throttled even the right token waits: guessing must not learn anything.
    await _error(await client.post("/agent/login", json={"token": TOKEN}), 429)
    assert desk.console_sessions.open_tokens == set()
    # Scripts with the bearer token are not logins and are not held up.
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert (await client.get("/api/agent/tickets", headers=bearer)).status == 200


async def test_right_tokens_are_not_counted_against_an_address(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN)
    for _ in range(15):
        assert (await client.post("/agent/login", json={"token": TOKEN})).status == 200


async def test_sessions_unreadable_in_an_outage_answer_503(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN)
    assert (await client.post("/agent/login", json={"token": TOKEN})).status == 200

    async def down(*_args: object, **_kwargs: object) -> bool:
        raise Unavailable("database down")

    desk.console_sessions.holds = down
    desk.console_sessions.open = down
    await _error(await client.get("/api/agent/tickets"), 503)
    await _error(await client.post("/agent/login", json={"token": TOKEN}), 503)


async def test_oversized_login_is_refused(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN)
    await _error(await client.post("/agent/login", data={"token": "x" * 10_000}), 413)


async def test_forged_session_cookie_is_refused(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN)
    client.session.cookie_jar.update_cookies({"deskbot_agent": TOKEN})
    await _error(await client.get("/api/agent/tickets"), 401)


async def test_agent_socket_needs_the_token(desk, serve) -> None:
    client, _ = await serve(desk, agent_token=TOKEN)
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/ws/agent")
    assert refused.value.status == 401

    ws = await client.ws_connect("/ws/agent", headers={"Authorization": f"Bearer {TOKEN}"})
    await ws.close()


async def test_without_a_token_the_console_is_open(desk, serve) -> None:
    client, _ = await serve(desk)
    assert (await client.get("/api/agent/tickets")).status == 200
    assert (await client.post("/agent/login", json={})).status == 200
    ws = await client.ws_connect("/ws/agent")
    await ws.close()
