"""The requester's side of the web chat: the page, the transcript, messages, button presses and
the notification socket. Each route is convert -> dispatch -> convert."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web

from adapters.web.chat_ids import ChatIds
from adapters.web.http_json import (
    RETRY_AFTER_SECONDS,
    json_endpoint,
    json_error,
    read_json_object,
    unavailable,
)
from adapters.web.inbound import (
    InputError,
    parse_after,
    parse_chat_action,
    parse_chat_message,
    requester_chat,
)
from adapters.web.pages import serve_page
from adapters.web.post_limits import PostLimits
from adapters.web.render import render_transcript
from adapters.web.sockets import SocketHub
from conversations.messages import InboundEvent, Unavailable
from conversations.throttle import Throttle
from conversations.views import Desk

log = logging.getLogger(__name__)

CHAT_COOKIE = "deskbot_chat"
_CHAT_COOKIE_MAX_AGE = 365 * 24 * 3600
_ACCEPTED = {"ok": True}

Parse = Callable[..., InboundEvent]


class RequesterRoutes:
    def __init__(self, desk: Desk, hub: SocketHub, limits: PostLimits | None = None) -> None:
        self._desk = desk
        self._hub = hub
        self._chat_ids = ChatIds(desk.server_keys)
        limits = limits or PostLimits()
        self._per_chat = Throttle(limits.per_chat)
        self._per_address = Throttle(limits.per_address)
        self._new_chats = Throttle(limits.new_chats)

    async def page(self, request: web.Request) -> web.StreamResponse:
        """The chat page. Issues the chat id cookie on the first visit: the id is the requester's
        identity, so it is random, server-made and signed (``chat_ids``), and out of reach of
        page scripts (HttpOnly)."""
        try:
            chat_id = await self._chat_ids.chat_of(request.cookies.get(CHAT_COOKIE))
            cookie = None if chat_id is not None else await self._chat_ids.issue()
        except Unavailable:  # the signing key is read once per process; the database is down
            return web.Response(
                status=503,
                text="Deskbot is restarting; reload this page in a moment.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        address = request.remote or "unknown"
        if cookie is not None and (wait := await self._new_chats.wait_seconds(address)):
            # Each new chat is a new requester who can open tickets: a script must not be many.
            return web.Response(
                status=429,
                text="Too many new chats were started from your network; please try again in "
                f"{_minutes(wait)} minutes, or go on in a chat you already have.",
                headers={"Retry-After": str(wait)},
            )
        response = serve_page(request, "chat.html")
        if cookie is not None:
            await self._new_chats.count(address)
            response.set_cookie(
                CHAT_COOKIE,
                cookie,
                max_age=_CHAT_COOKIE_MAX_AGE,
                path="/",
                httponly=True,
                samesite="Lax",
                secure=request.secure or None,
            )
        return response

    @json_endpoint
    async def transcript(self, request: web.Request) -> web.StreamResponse:
        chat_id = await self._chat_id(request)
        after = parse_after(request.query.get("after"))
        lines = await self._desk.transcript(requester_chat(chat_id), after=after)
        return web.json_response(render_transcript(lines), headers={"Cache-Control": "no-store"})

    @json_endpoint
    async def post_message(self, request: web.Request) -> web.StreamResponse:
        return await self._take(request, parse_chat_message)

    @json_endpoint
    async def post_action(self, request: web.Request) -> web.StreamResponse:
        return await self._take(request, parse_chat_action)

    async def _take(self, request: web.Request, parse: Parse) -> web.StreamResponse:
        """Check the limits, dispatch, count: one post of a chat at a time, so that posts sent
        at once cannot all pass the check before any is counted."""
        chat_id = await self._chat_id(request)
        body = await read_json_object(request)
        address = request.remote or "unknown"
        async with self._per_chat.turn(chat_id):
            wait = max(
                await self._per_chat.wait_seconds(chat_id),
                await self._per_address.wait_seconds(address),
            )
            if wait:
                return _slow_down(wait)
            await self._desk.dispatch(parse(chat_id, body, now=datetime.now(UTC)))
            # Counted once taken: a post the database refused (503) is sent again, counted then.
            await self._per_chat.count(chat_id)
            await self._per_address.count(address)
        # The requester's own line is in the transcript now: show it in their other tabs, and let
        # agent consoles refetch (a follow-up on an open ticket changes its conversation even when
        # the engine posts nothing to the agent channel about it).
        await self._hub.notify_chat(chat_id, {"type": "refresh"})
        await self._hub.notify_agents({"type": "refresh", "ticket_id": None})
        return web.json_response(_ACCEPTED, status=202)

    async def socket(self, request: web.Request) -> web.StreamResponse:
        try:
            chat_id = await self._chat_id(request)
        except InputError as error:
            return json_error(error.status, error.message)
        except Unavailable:
            return unavailable()
        ws = web.WebSocketResponse(heartbeat=25.0, max_msg_size=4096)
        if not ws.can_prepare(request).ok:
            return json_error(400, "/ws/chat speaks WebSocket only; open it with new WebSocket().")
        await ws.prepare(request)
        self._hub.add_chat(chat_id, ws)
        try:
            async for _ in ws:  # the page never talks on this socket; reading keeps it alive
                pass
        finally:
            self._hub.remove_chat(chat_id, ws)
        return ws

    async def _chat_id(self, request: web.Request) -> str:
        chat_id = await self._chat_ids.chat_of(request.cookies.get(CHAT_COOKIE))
        if chat_id is None:
            raise InputError(_NO_CHAT)
        return chat_id


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def _slow_down(wait: int) -> web.Response:
    # Not taken: the page keeps the text, shows this, and the person sends it again.
    return json_error(
        429,
        f"You are sending messages faster than Deskbot can take them; wait {wait} s and "
        "send again.",
        **{"Retry-After": str(wait)},
    )


_NO_CHAT = (
    "No chat session: the deskbot_chat cookie is missing or was not issued by this server. "
    "Open the chat page (/) first; it sets the cookie."
)
