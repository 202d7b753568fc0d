"""The requester's side of the web chat: the page, the transcript, messages, button presses and
the notification socket. Each route is convert -> dispatch -> convert."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime

from aiohttp import web

from adapters.web.http_json import json_endpoint, json_error, read_json_object
from adapters.web.inbound import (
    InputError,
    is_chat_id,
    parse_after,
    parse_chat_action,
    parse_chat_message,
    requester_chat,
)
from adapters.web.pages import serve_page
from adapters.web.render import render_transcript
from adapters.web.sockets import SocketHub
from conversations.views import Desk

log = logging.getLogger(__name__)

CHAT_COOKIE = "deskbot_chat"
_CHAT_COOKIE_MAX_AGE = 365 * 24 * 3600
_ACCEPTED = {"ok": True}


class RequesterRoutes:
    def __init__(self, desk: Desk, hub: SocketHub) -> None:
        self._desk = desk
        self._hub = hub

    async def page(self, request: web.Request) -> web.StreamResponse:
        """The chat page. Issues the chat id cookie on the first visit: the id is the requester's
        identity, so it is random, server-made, and out of reach of page scripts (HttpOnly)."""
        response = serve_page(request, "chat.html")
        if not is_chat_id(request.cookies.get(CHAT_COOKIE)):
            response.set_cookie(
                CHAT_COOKIE,
                secrets.token_urlsafe(24),
                max_age=_CHAT_COOKIE_MAX_AGE,
                path="/",
                httponly=True,
                samesite="Lax",
                secure=request.secure or None,
            )
        return response

    @json_endpoint
    async def transcript(self, request: web.Request) -> web.StreamResponse:
        chat_id = _chat_id(request)
        after = parse_after(request.query.get("after"))
        lines = await self._desk.transcript(requester_chat(chat_id), after=after)
        return web.json_response(render_transcript(lines), headers={"Cache-Control": "no-store"})

    @json_endpoint
    async def post_message(self, request: web.Request) -> web.StreamResponse:
        chat_id = _chat_id(request)
        body = await read_json_object(request)
        event = parse_chat_message(chat_id, body, now=datetime.now(UTC))
        await self._desk.dispatch(event)
        await self._after_dispatch(chat_id)
        return web.json_response(_ACCEPTED, status=202)

    @json_endpoint
    async def post_action(self, request: web.Request) -> web.StreamResponse:
        chat_id = _chat_id(request)
        body = await read_json_object(request)
        event = parse_chat_action(chat_id, body, now=datetime.now(UTC))
        await self._desk.dispatch(event)
        await self._after_dispatch(chat_id)
        return web.json_response(_ACCEPTED, status=202)

    async def socket(self, request: web.Request) -> web.StreamResponse:
        chat_id = request.cookies.get(CHAT_COOKIE)
        if not is_chat_id(chat_id):
            return json_error(400, _NO_CHAT)
        ws = web.WebSocketResponse(heartbeat=25.0, max_msg_size=4096)
        if not ws.can_prepare(request).ok:
            return json_error(400, "/ws/chat speaks WebSocket only; open it with new WebSocket().")
        await ws.prepare(request)
        assert chat_id is not None
        self._hub.add_chat(chat_id, ws)
        try:
            async for _ in ws:  # the page never talks on this socket; reading keeps it alive
                pass
        finally:
            self._hub.remove_chat(chat_id, ws)
        return ws

    async def _after_dispatch(self, chat_id: str) -> None:
        # The requester's own line is in the transcript now: show it in their other tabs, and let
        # agent consoles refetch (a follow-up on an open ticket changes its conversation even when
        # the engine posts nothing to the agent channel about it).
        await self._hub.notify_chat(chat_id, {"type": "refresh"})
        await self._hub.notify_agents({"type": "refresh", "ticket_id": None})


_NO_CHAT = (
    "No chat session: the deskbot_chat cookie is missing or malformed. "
    "Open the chat page (/) first; it sets the cookie."
)


def _chat_id(request: web.Request) -> str:
    chat_id = request.cookies.get(CHAT_COOKIE)
    if chat_id is None or not is_chat_id(chat_id):
        raise InputError(_NO_CHAT)
    return chat_id
