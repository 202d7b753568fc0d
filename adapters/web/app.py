"""Set-up of the built-in web chat: routes on the shared aiohttp application, and the sender the
composition root registers for ``Platform.WEB``.

Routes::

    GET  /                              requester chat page (issues the deskbot_chat cookie)
    GET  /agent                         agent console page
    GET  /static/web/...                the pages' JS and CSS
    GET  /api/chat/transcript?after=N   {"lines": [...]}
    POST /api/chat/messages             {"text", "event_id", "name"?, "locale"?}  -> 202
    POST /api/chat/actions              {"action_id", "value", "event_id", ...}  -> 202
    GET  /ws/chat                       WebSocket: {"type": "refresh"}
    POST /agent/login | /agent/logout   console session cookie
    GET  /api/agent/tickets?view=all|unassigned|urgent|mine
    GET  /api/agent/tickets/{id}
    GET  /api/agent/feed?after=N        {"lines": [...]}: the web agent channel, as a transcript
    POST /api/agent/commands            {"text": "claim 12", "event_id"} -> {"text", "ok"}
    POST /api/agent/actions             {"action_id", "value", "event_id"} -> {"text", "ok"}
    GET  /ws/agent                      WebSocket: {"type": "refresh", "ticket_id": N | null}
    GET  /agent/reports                 the reports dashboard page
    GET  /api/agent/reports?from=&to=&by=&channel=&priority=&team=&agent=&lang=&article=
                                        the JSON of `deskbot report --format json`
    GET  /api/agent/reports/live?<filters>                           {"live": {...}, "filters"}
    GET  /api/agent/reports/tickets?figure=NAME&from=&to=&<filters>   {"tickets": [...]}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web

from adapters.web.agent import AgentRoutes
from adapters.web.auth import DEFAULT_SESSION_LIFETIME, AgentAuth
from adapters.web.hosts import AllowedHosts
from adapters.web.http_json import json_error
from adapters.web.outbound import WebSender
from adapters.web.pages import STATIC_PREFIX, serve_static
from adapters.web.post_limits import PostLimits
from adapters.web.proxies import TrustedProxies
from adapters.web.reports import ReportRoutes
from adapters.web.requester import RequesterRoutes
from adapters.web.sockets import SocketHub
from conversations.views import Desk

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup_web_chat(
    app: web.Application,
    desk: Desk,
    *,
    agent_token: str | None = None,
    allowed_hosts: AllowedHosts | None = None,
    trusted_proxies: TrustedProxies | None = None,
    post_limits: PostLimits | None = None,
    session_lifetime: timedelta = DEFAULT_SESSION_LIFETIME,
) -> WebSender:
    """Add the web chat's routes to ``app`` and return its sender for ``Platform.WEB``.

    The host check goes on the whole application, not only on these routes: the web channel is
    part of every server, and a request to any route must name a host the operator listed.
    """
    app.middlewares.append((allowed_hosts or AllowedHosts()).middleware)
    # A listed proxy's word on the client's address and scheme, for everything after the host check.
    app.middlewares.append((trusted_proxies or TrustedProxies()).middleware)
    hub = SocketHub()
    requester = RequesterRoutes(desk, hub, post_limits)
    auth = AgentAuth(agent_token, desk.console_sessions, lifetime=session_lifetime)
    agent = AgentRoutes(desk, hub, auth)
    reports = ReportRoutes(desk)

    app.router.add_get("/", requester.page)
    app.router.add_get("/agent", agent.page)
    app.router.add_get("/agent/reports", reports.page)
    app.router.add_get(STATIC_PREFIX + "/{name}", serve_static)

    _add_api(app, "/api/chat/transcript", GET=requester.transcript)
    _add_api(app, "/api/chat/messages", POST=requester.post_message)
    _add_api(app, "/api/chat/actions", POST=requester.post_action)
    _add_api(app, "/ws/chat", GET=requester.socket)

    _add_api(app, "/agent/login", POST=agent.login)
    _add_api(app, "/agent/logout", POST=agent.logout)
    _add_api(app, "/api/agent/tickets", GET=agent.guarded(agent.tickets))
    _add_api(app, "/api/agent/tickets/{ticket_id}", GET=agent.guarded(agent.ticket))
    _add_api(app, "/api/agent/feed", GET=agent.guarded(agent.feed))
    _add_api(app, "/api/agent/commands", POST=agent.guarded(agent.command))
    _add_api(app, "/api/agent/actions", POST=agent.guarded(agent.action))
    _add_api(app, "/ws/agent", GET=agent.guarded(agent.socket))
    _add_api(app, "/api/agent/reports", GET=agent.guarded(reports.report))
    _add_api(app, "/api/agent/reports/live", GET=agent.guarded(reports.live))
    _add_api(app, "/api/agent/reports/tickets", GET=agent.guarded(reports.tickets))

    # Registered last, so they only catch what the routes above do not: unknown API paths still
    # answer in JSON, as every error of this API does.
    for prefix in ("/api/chat", "/api/agent"):
        app.router.add_route("*", prefix + "/{tail:.*}", _unknown_endpoint)

    app.on_shutdown.append(lambda _app: hub.close_all())
    return WebSender(hub)


def _add_api(app: web.Application, path: str, **handlers: Handler) -> None:
    resource = app.router.add_resource(path)
    for method, handler in handlers.items():
        resource.add_route(method, handler)
    allowed = ", ".join(handlers)

    async def method_not_allowed(request: web.Request) -> web.StreamResponse:
        return json_error(
            405, f"{request.method} is not supported on {path}; use {allowed}.", Allow=allowed
        )

    resource.add_route("*", method_not_allowed)


async def _unknown_endpoint(request: web.Request) -> web.StreamResponse:
    return json_error(404, f"There is no API endpoint {request.method} {request.path}.")
