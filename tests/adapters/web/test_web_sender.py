"""WebSender and the notification sockets: a send tells the right tabs to fetch what is new."""

from __future__ import annotations

import pytest
from aiohttp import ClientSession, CookieJar, WSCloseCode, WSMsgType, WSServerHandshakeError

from conversations.messages import ChatRef, OutboundMessage, Platform

AGENTS = ChatRef(Platform.WEB, "agents")


async def _open_chat(client):
    """A second browser: its own cookie jar, so its own chat."""
    session = ClientSession(cookie_jar=CookieJar(unsafe=True))
    response = await session.get(client.make_url("/"))
    chat_id = response.cookies["deskbot_chat"].value.partition(".")[0]
    ws = await session.ws_connect(client.make_url("/ws/chat"))
    return session, chat_id, ws


async def test_send_notifies_only_that_chat(chat) -> None:
    client, sender, chat_id = chat
    mine = await client.ws_connect("/ws/chat")
    other_session, other_id, other = await _open_chat(client)
    try:
        first = await sender.send(OutboundMessage(ChatRef(Platform.WEB, chat_id), "Hello"))
        second = await sender.send(OutboundMessage(ChatRef(Platform.WEB, other_id), "Hi there"))

        assert await mine.receive_json(timeout=5) == {"type": "refresh"}
        # Sends are awaited in order, so had the first leaked to the other chat's socket it would
        # arrive there before the other chat's own notice.
        assert await other.receive_json(timeout=5) == {"type": "refresh"}
        third = await sender.send(OutboundMessage(ChatRef(Platform.WEB, chat_id), "Again"))
        assert await mine.receive_json(timeout=5) == {"type": "refresh"}
        assert len({first, second, third}) == 3
        assert all(isinstance(message_id, str) and message_id for message_id in (first, second))
    finally:
        await mine.close()
        await other.close()
        await other_session.close()


async def test_every_open_tab_of_a_chat_is_notified(chat) -> None:
    client, sender, chat_id = chat
    tab1 = await client.ws_connect("/ws/chat")
    tab2 = await client.ws_connect("/ws/chat")
    await sender.send(OutboundMessage(ChatRef(Platform.WEB, chat_id), "Hello"))
    assert await tab1.receive_json(timeout=5) == {"type": "refresh"}
    assert await tab2.receive_json(timeout=5) == {"type": "refresh"}
    await tab1.close()
    await tab2.close()


async def test_agent_channel_messages_refresh_every_console(chat) -> None:
    client, sender, chat_id = chat
    requester = await client.ws_connect("/ws/chat")
    console1 = await client.ws_connect("/ws/agent")
    console2 = await client.ws_connect("/ws/agent")

    await sender.send(OutboundMessage(AGENTS, "New ticket #12", ticket_id=12))
    await sender.send(OutboundMessage(ChatRef(Platform.WEB, chat_id), "Your ticket is #12"))

    assert await console1.receive_json(timeout=5) == {"type": "refresh", "ticket_id": 12}
    assert await console2.receive_json(timeout=5) == {"type": "refresh", "ticket_id": 12}
    # The requester's first notice is their own, not the agent channel's.
    assert await requester.receive_json(timeout=5) == {"type": "refresh"}
    for ws in (requester, console1, console2):
        await ws.close()


async def test_send_with_no_socket_open_succeeds(desk, serve) -> None:
    _, sender = await serve(desk)
    message_id = await sender.send(OutboundMessage(ChatRef(Platform.WEB, "x" * 32), "Hello"))
    assert isinstance(message_id, str) and message_id
    assert await sender.send(OutboundMessage(AGENTS, "New ticket #1", ticket_id=1))


async def test_send_after_the_tab_went_away_succeeds(chat) -> None:
    client, sender, chat_id = chat
    ws = await client.ws_connect("/ws/chat")
    await ws.close()
    assert await sender.send(OutboundMessage(ChatRef(Platform.WEB, chat_id), "Hello"))


async def test_requester_posts_refresh_their_tabs_and_the_consoles(chat) -> None:
    client, _, _ = chat
    tab = await client.ws_connect("/ws/chat")
    console = await client.ws_connect("/ws/agent")

    response = await client.post("/api/chat/messages", json={"text": "Thanks", "event_id": "u"})

    assert response.status == 202
    assert await tab.receive_json(timeout=5) == {"type": "refresh"}
    assert await console.receive_json(timeout=5) == {"type": "refresh", "ticket_id": None}
    await tab.close()
    await console.close()


async def test_chat_socket_needs_the_chat_cookie(desk, serve) -> None:
    client, _ = await serve(desk)
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/ws/chat")
    assert refused.value.status == 400


async def test_sockets_refuse_other_sites(chat) -> None:
    client, _, _ = chat
    for path in ("/ws/chat", "/ws/agent"):
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect(path, origin="https://evil.example")
        assert refused.value.status == 403
    same = await client.ws_connect("/ws/chat", origin=str(client.make_url("/")).rstrip("/"))
    await same.close()


async def test_plain_http_on_a_socket_route_answers_json(chat) -> None:
    client, _, _ = chat
    response = await client.get("/ws/chat")
    assert response.status == 400
    assert "WebSocket" in (await response.json())["error"]


async def test_shutdown_closes_sockets_so_pages_reconnect(chat) -> None:
    client, _, _ = chat
    ws = await client.ws_connect("/ws/chat")
    await client.server.close()
    message = await ws.receive(timeout=5)
    assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
    assert ws.close_code == WSCloseCode.GOING_AWAY
