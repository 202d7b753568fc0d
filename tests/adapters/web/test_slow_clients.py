"""A client that sends its body slowly is answered 408 and let go, instead of holding a connection
(and a file descriptor) for as long as it likes."""

from __future__ import annotations

import asyncio

import pytest

import adapters.base


async def _trickled_post(client, path: str, body: bytes) -> bytes:
    """POST ``path`` announcing ``body`` but sending only its first half; the server's answer."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/")).get("deskbot_chat")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        + (f"Cookie: deskbot_chat={cookie.value}\r\n" if cookie else "")
        + "\r\n"
    )
    writer.write(head.encode() + body[: len(body) // 2])
    await writer.drain()
    try:
        async with asyncio.timeout(30):
            return await reader.read(4096)
    finally:
        writer.close()


@pytest.mark.parametrize("path", ["/api/chat/messages", "/agent/login"])
async def test_a_body_sent_too_slowly_is_a_408(desk, serve, monkeypatch, path) -> None:
    monkeypatch.setattr(adapters.base, "BODY_SECONDS", 0.2)
    client, _ = await serve(desk, agent_token="s3cret")
    await client.get("/")
    answer = await _trickled_post(client, path, b'{"text": "hello", "event_id": "e1"}')

    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 408 Request Timeout", answer
    assert b"did not arrive in time" in answer
    assert desk.events == []
