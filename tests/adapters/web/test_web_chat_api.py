"""The requester's HTTP API, through a real aiohttp server and client against a fake desk."""

from __future__ import annotations

import json
import logging

import pytest

from conversations.messages import (
    Button,
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundMessage,
    Platform,
    Unavailable,
    UserRef,
)

APOLOGY = "Something went wrong on our side; please try again."
UNAVAILABLE = "Deskbot cannot save this right now; send it again in a moment."


async def test_chat_page_issues_a_private_chat_cookie_once(desk, serve) -> None:
    client, _ = await serve(desk)

    first = await client.get("/")
    assert first.status == 200
    assert "text/html" in first.headers["Content-Type"]
    assert 'data-testid="chat-input"' in await first.text()
    cookie = first.cookies["deskbot_chat"]
    assert len(cookie.value) >= 32
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert "script-src 'self'" in first.headers["Content-Security-Policy"]

    again = await client.get("/")
    assert "deskbot_chat" not in again.cookies  # the chat keeps its id across visits


async def test_chat_ids_the_server_did_not_issue_are_no_chat(desk, serve) -> None:
    client, _ = await serve(desk)
    issued = (await client.get("/")).cookies["deskbot_chat"].value
    chat_id, _, signature = issued.partition(".")
    other = f"{'x' * 24}.{signature}"
    for forged in (chat_id, "made-up-chat-id-0001", f"{chat_id}.{'A' * len(signature)}", other):
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies({"deskbot_chat": forged})
        response = await client.post("/api/chat/messages", json={"text": "hi", "event_id": "e1"})
        assert "not issued by this server" in await _error(response, 400)
        assert (await client.get("/api/chat/transcript")).status == 400
        # The page issues a real one instead.
        assert "deskbot_chat" in (await client.get("/")).cookies
    assert desk.events == []

    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({"deskbot_chat": issued})
    response = await client.post("/api/chat/messages", json={"text": "hi", "event_id": "e1"})
    assert response.status == 202
    assert [event.chat.chat_id for event in desk.events] == [chat_id]


async def test_each_visitor_gets_a_different_chat(desk, serve) -> None:
    client, _ = await serve(desk)
    first = (await client.get("/")).cookies["deskbot_chat"].value
    client.session.cookie_jar.clear()
    second = (await client.get("/")).cookies["deskbot_chat"].value
    assert first != second


async def test_static_files_are_served(desk, serve) -> None:
    client, _ = await serve(desk)
    for name in ("chat.js", "agent.js", "markdown.js", "server.js", "dom.js", "style.css"):
        response = await client.get(f"/static/web/{name}")
        assert response.status == 200, name
        assert response.headers["Cache-Control"] == "no-cache"
    for name in ("chat.html", "nothing.js", "..%2Fapp.py", "%2E%2E%2Fapp.py"):
        assert (await client.get(f"/static/web/{name}")).status == 404, name


async def test_message_is_dispatched_as_the_chat_owner(chat, desk) -> None:
    client, _, chat_id = chat

    response = await client.post(
        "/api/chat/messages",
        json={"text": "I forgot my password", "event_id": "u-1", "locale": "en-GB"},
    )

    assert response.status == 202
    assert await response.json() == {"ok": True}
    [event] = desk.events
    assert isinstance(event, InboundMessage)
    assert event.chat == ChatRef(Platform.WEB, chat_id)
    assert event.sender == UserRef(Platform.WEB, chat_id, "Web visitor", "en-GB")
    assert event.text == "I forgot my password"
    assert event.event_id == f"{chat_id}:u-1"
    assert event.sent_at.tzinfo is not None


async def test_typed_name_reaches_the_engine(chat, desk) -> None:
    client, _, _ = chat
    await client.post("/api/chat/messages", json={"text": "hi", "event_id": "u", "name": "Sara"})
    assert desk.events[0].sender.display_name == "Sara"


async def test_slash_command(chat, desk) -> None:
    client, _, chat_id = chat
    response = await client.post("/api/chat/messages", json={"text": "/lang fa", "event_id": "u"})
    assert response.status == 202
    [event] = desk.events
    assert isinstance(event, InboundCommand)
    assert (event.name, event.args) == ("lang", "fa")
    assert event.chat == ChatRef(Platform.WEB, chat_id)


async def test_button_press(chat, desk) -> None:
    client, _, chat_id = chat
    response = await client.post(
        "/api/chat/actions", json={"action_id": "handoff", "value": "", "event_id": "u-2"}
    )
    assert response.status == 202
    [event] = desk.events
    assert isinstance(event, InboundAction)
    assert (event.action_id, event.value) == ("handoff", "")
    assert event.chat == ChatRef(Platform.WEB, chat_id)
    assert event.sender.user_id == chat_id


async def test_transcript(chat, desk) -> None:
    client, _, chat_id = chat
    desk.add_line(chat_id, "Hello! How can I help?")
    desk.add_line(chat_id, "I forgot my password", direction="in")
    desk.add_line(
        chat_id,
        "Try *resetting* it: https://example.com/reset",
        buttons=(Button("This solved it", "faq.solved", "pw", "primary"), Button("Nope", "faq.no")),
    )
    desk.add_line(chat_id, "سلام", lang="fa")
    desk.add_line("someone-else-entirely", "not yours")

    response = await client.get("/api/chat/transcript", params={"after": "1"})

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = await response.json()
    assert desk.transcript_calls == [(ChatRef(Platform.WEB, chat_id), 1)]
    assert [line["id"] for line in body["lines"]] == [2, 3, 4]
    assert body["lines"][1] == {
        "id": 3,
        "direction": "out",
        "text": "Try *resetting* it: https://example.com/reset",
        "buttons": [
            {
                "label": "This solved it",
                "action_id": "faq.solved",
                "value": "pw",
                "style": "primary",
            },
            {"label": "Nope", "action_id": "faq.no", "value": "", "style": None},
        ],
        "lang": "en",
        "at": "2025-01-02T09:32:00+00:00",
    }
    assert body["lines"][0]["direction"] == "in"
    assert body["lines"][2]["lang"] == "fa"


async def test_transcript_starts_from_the_beginning(chat, desk) -> None:
    client, _, chat_id = chat
    desk.add_line(chat_id, "Hello")
    body = await (await client.get("/api/chat/transcript")).json()
    assert [line["id"] for line in body["lines"]] == [1]


# --- bad input -------------------------------------------------------------------------------


async def _error(response, status: int) -> str:
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


@pytest.mark.parametrize("path", ["/api/chat/messages", "/api/chat/actions"])
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"[1, 2]", "JSON object"),
        (b'"text"', "JSON object"),
        (b"\xff\xfe", "UTF-8"),
        (b"[" * 5_000 + b"]" * 5_000, "nested too deeply"),
        (b'{"text": "hi", "event_id": "u", "n": ' + b"9" * 5000 + b"}", "number too long"),
    ],
)
async def test_malformed_bodies(chat, desk, path: str, data: bytes, fragment: str) -> None:
    client, _, _ = chat
    response = await client.post(path, data=data, headers={"Content-Type": "application/json"})
    assert fragment in await _error(response, 400)
    assert desk.events == []


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"event_id": "u"}, 400, "'text' is required"),
        ({"text": "", "event_id": "u"}, 400, "empty"),
        ({"text": " \n ", "event_id": "u"}, 400, "empty"),
        ({"text": ["hi"], "event_id": "u"}, 400, "string"),
        ({"text": "x" * 4001, "event_id": "u"}, 413, "4000"),
        ({"text": "hi"}, 400, "event_id"),
        ({"text": "nul \x00 inside", "event_id": "u"}, 400, "NUL"),
        ({"text": "half a pair: \ud83d", "event_id": "u"}, 400, "lone surrogate"),
        ({"text": "hi", "event_id": "u", "name": "Sara \udc00"}, 400, "'name'"),
    ],
)
async def test_bad_messages(chat, desk, body: dict, status: int, fragment: str) -> None:
    client, _, _ = chat
    response = await client.post("/api/chat/messages", json=body)
    assert fragment in await _error(response, status)
    assert desk.events == []


async def test_message_of_exactly_4000_characters_is_accepted(chat, desk) -> None:
    client, _, _ = chat
    response = await client.post("/api/chat/messages", json={"text": "ب" * 4000, "event_id": "u"})
    assert response.status == 202


async def test_body_over_64_kib_is_refused(chat, desk) -> None:
    client, _, _ = chat
    data = json.dumps({"text": "hi", "event_id": "u", "padding": "x" * 70_000}).encode()
    response = await client.post(
        "/api/chat/messages", data=data, headers={"Content-Type": "application/json"}
    )
    assert "64 KiB" in await _error(response, 413)
    assert desk.events == []


async def test_chunked_body_over_64_kib_is_refused(chat, desk) -> None:
    """Without a Content-Length the limit still holds while reading."""
    client, _, _ = chat

    async def chunks():
        yield b'{"text": "hi", "event_id": "u", "padding": "'
        for _ in range(10):
            yield b"x" * 10_000
        yield b'"}'

    response = await client.post(
        "/api/chat/messages", data=chunks(), headers={"Content-Type": "application/json"}
    )
    await _error(response, 413)
    assert desk.events == []


async def test_api_without_a_chat_cookie(desk, serve) -> None:
    client, _ = await serve(desk)
    response = await client.post("/api/chat/messages", json={"text": "hi", "event_id": "u"})
    assert "open the chat page" in (await _error(response, 400)).lower()
    await _error(await client.get("/api/chat/transcript"), 400)
    assert desk.events == []


async def test_forged_chat_cookie_is_refused(desk, serve) -> None:
    client, _ = await serve(desk)
    client.session.cookie_jar.update_cookies({"deskbot_chat": "agents"})
    response = await client.post("/api/chat/messages", json={"text": "hi", "event_id": "u"})
    await _error(response, 400)
    assert desk.events == []


async def test_bad_after(chat) -> None:
    client, _, _ = chat
    response = await client.get("/api/chat/transcript", params={"after": "latest"})
    assert "after" in await _error(response, 400)


async def test_unknown_endpoint_and_wrong_method_answer_json(chat) -> None:
    client, _, _ = chat
    await _error(await client.get("/api/chat/nothing-here"), 404)
    response = await client.get("/api/chat/messages")
    assert "POST" in await _error(response, 405)
    assert response.headers["Allow"] == "POST"


async def test_dispatch_failure_is_logged_once_and_apologised_for(
    chat, desk, caplog: pytest.LogCaptureFixture
) -> None:
    client, _, _ = chat
    desk.failure = RuntimeError("database is on fire")

    with caplog.at_level(logging.ERROR):
        response = await client.post("/api/chat/messages", json={"text": "hi", "event_id": "u"})

    assert response.status == 500
    assert await response.json() == {"error": APOLOGY}
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert "database is on fire" not in await response.text()


async def test_action_dispatch_failure(chat, desk) -> None:
    client, _, _ = chat
    desk.failure = ValueError("boom")
    response = await client.post("/api/chat/actions", json={"action_id": "a", "event_id": "u"})
    assert await _error(response, 500) == APOLOGY


async def test_a_message_the_desk_cannot_take_is_a_503_to_send_again(
    chat, desk, caplog: pytest.LogCaptureFixture
) -> None:
    client, _, _ = chat
    desk.failure = Unavailable("the database is restarting", notice="Send it again.")
    with caplog.at_level(logging.WARNING):
        for path in ("/api/chat/messages", "/api/chat/actions"):
            response = await client.post(
                path, json={"text": "hi", "action_id": "a", "event_id": "u"}
            )
            assert await _error(response, 503) == UNAVAILABLE
            assert response.headers["Retry-After"] == "2"
    # the engine has said why; the route adds no traceback of its own
    assert [r for r in caplog.records if r.name.startswith("adapters")] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"action_id": "a\x00", "value": "", "event_id": "u"}, "NUL"),
        ({"action_id": "a", "value": "\ud800", "event_id": "u"}, "lone surrogate"),
    ],
)
async def test_a_button_press_no_database_could_store_is_refused(
    chat, desk, body: dict, fragment: str
) -> None:
    client, _, _ = chat
    response = await client.post("/api/chat/actions", json=body)
    assert fragment in await _error(response, 400)
    assert desk.events == []
