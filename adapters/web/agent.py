"""The agent console: its page, login, the ticket queue and detail, the activity feed, agent
commands, button presses and the refresh socket. Agents act through the same commands and buttons
as on Slack or Telegram (``claim 12``, the Claim button), so the console never decides help-desk
policy itself.

The activity feed is the web agent channel (``ChatRef(Platform.WEB, "agents")``) read back through
``Desk.transcript``: whatever the engine posts there (new tickets, transfer offers, SLA alerts) is
recorded before it is delivered, so the feed is the same list an agent channel on Slack shows.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web

from adapters.web.auth import AgentAuth
from adapters.web.http_json import (
    json_endpoint,
    json_error,
    read_form_or_json,
    read_json_object,
    unavailable,
)
from adapters.web.inbound import (
    AGENT_CHAT,
    InputError,
    agent_user,
    parse_after,
    parse_agent_action,
    parse_agent_command,
    parse_agent_name,
    parse_queue_view,
    parse_ticket_id,
    queue_view_key,
)
from adapters.web.pages import serve_page
from adapters.web.render import (
    render_queue,
    render_reply,
    render_ticket_detail,
    render_transcript,
)
from adapters.web.sockets import SocketHub
from conversations.messages import InboundEvent, Unavailable
from conversations.views import Desk

AGENT_HEADER = "X-Deskbot-Agent"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AgentRoutes:
    def __init__(self, desk: Desk, hub: SocketHub, auth: AgentAuth) -> None:
        self._desk = desk
        self._hub = hub
        self._auth = auth

    async def page(self, request: web.Request) -> web.StreamResponse:
        # The page holds no data; it shows its login form when the API answers 401.
        return serve_page(request, "agent.html")

    @json_endpoint
    async def login(self, request: web.Request) -> web.StreamResponse:
        """``POST /agent/login`` with ``token`` as a form field or JSON: sets the session cookie.
        Wrong tokens from one address are refused with 429 after a few a minute."""
        if not self._auth.required:
            return web.json_response({"ok": True})
        client = request.remote or "unknown"
        wait = await self._auth.throttle.wait_seconds(client)
        if wait:
            return json_error(
                429,
                f"Too many wrong agent tokens from this address; try again in {wait} s.",
                **{"Retry-After": str(wait)},
            )
        token = (await read_form_or_json(request, max_bytes=4096)).get("token")
        if not isinstance(token, str) or not token:
            raise InputError("'token' is required: the agent token the server was started with.")
        if not self._auth.token_matches(token.strip()):
            await self._auth.throttle.count(client)
            return json_error(401, "That agent token is not right.")
        response = web.json_response({"ok": True})
        await self._auth.log_in(request, response)
        return response

    @json_endpoint
    async def logout(self, request: web.Request) -> web.StreamResponse:
        response = web.json_response({"ok": True})
        await self._auth.log_out(request, response)
        return response

    def guarded(self, handler: Handler) -> Handler:
        """Answer 401 unless the request carries the agent token (bearer or login cookie)."""

        @functools.wraps(handler)
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                allowed = await self._auth.allows(request)
            except Unavailable:  # the session look-up found the database down
                return unavailable()
            if not allowed:
                return json_error(
                    401,
                    "Agent login required: sign in on /agent, or send "
                    "'Authorization: Bearer <agent token>'.",
                    **{"WWW-Authenticate": 'Bearer realm="deskbot agents"'},
                )
            return await handler(request)

        return wrapped

    @json_endpoint
    async def tickets(self, request: web.Request) -> web.StreamResponse:
        view = parse_queue_view(request.query.get("view"))
        agent = None
        if view == "mine":
            agent = agent_user(parse_agent_name(request.headers.get(AGENT_HEADER)))
        tickets = await self._desk.queue(view=queue_view_key(view, agent))
        return web.json_response(render_queue(tickets), headers={"Cache-Control": "no-store"})

    @json_endpoint
    async def ticket(self, request: web.Request) -> web.StreamResponse:
        raw_id = request.match_info["ticket_id"]
        ticket_id = parse_ticket_id(raw_id)
        detail = await self._desk.ticket(ticket_id) if ticket_id is not None else None
        if detail is None:
            return json_error(404, f"There is no ticket #{raw_id.removeprefix('#')}.")
        return web.json_response(
            render_ticket_detail(detail), headers={"Cache-Control": "no-store"}
        )

    @json_endpoint
    async def feed(self, request: web.Request) -> web.StreamResponse:
        """``GET /api/agent/feed?after=N``: the agent channel's lines after line ``N``."""
        after = parse_after(request.query.get("after"))
        lines = await self._desk.transcript(AGENT_CHAT, after=after)
        return web.json_response(render_transcript(lines), headers={"Cache-Control": "no-store"})

    @json_endpoint
    async def command(self, request: web.Request) -> web.StreamResponse:
        name = parse_agent_name(request.headers.get(AGENT_HEADER))
        body = await read_json_object(request)
        return await self._dispatch(parse_agent_command(name, body, now=datetime.now(UTC)))

    @json_endpoint
    async def action(self, request: web.Request) -> web.StreamResponse:
        """``POST /api/agent/actions``: a press of a button on a feed line, e.g. Claim."""
        name = parse_agent_name(request.headers.get(AGENT_HEADER))
        body = await read_json_object(request)
        return await self._dispatch(parse_agent_action(name, body, now=datetime.now(UTC)))

    async def _dispatch(self, event: InboundEvent) -> web.StreamResponse:
        reply = await self._desk.dispatch(event)
        # Other consoles show the claim, reply or note without waiting for their next poll.
        await self._hub.notify_agents({"type": "refresh", "ticket_id": None})
        return web.json_response(render_reply(reply))

    async def socket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=25.0, max_msg_size=4096)
        if not ws.can_prepare(request).ok:
            return json_error(400, "/ws/agent speaks WebSocket only; open it with new WebSocket().")
        await ws.prepare(request)
        self._hub.add_agent(ws)
        try:
            async for _ in ws:
                pass
        finally:
            self._hub.remove_agent(ws)
        return ws
