"""Who may use the agent console.

With a token configured, every agent API call and the agent socket need either
``Authorization: Bearer <token>`` (scripts) or the ``deskbot_agent`` cookie that ``POST
/agent/login`` sets (the console). The cookie holds a random session token that the desk keeps
server-side (``Desk.console_sessions``): a new one at every login, expiring after
``DESKBOT_AGENT_SESSION_HOURS``, ended for every process at logout. Failed logins are throttled
per client address (``login_throttle``). Without a token the console is open; the CLI refuses to
bind a non-loopback address in that case.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from aiohttp import web
from limits import RateLimitItemPerMinute

from conversations.throttle import Throttle
from conversations.views import ConsoleSessions

AGENT_COOKIE = "deskbot_agent"
DEFAULT_SESSION_LIFETIME = timedelta(hours=12)  # a working day, as help desks' consoles keep

#: Wrong tokens one client address may try per minute; a person mistyping never gets there.
FAILED_LOGINS_PER_MINUTE = 10


def login_throttle(per_minute: int = FAILED_LOGINS_PER_MINUTE) -> Throttle:
    """Failed logins per client address: ``wait_seconds(address)`` before trying the token,
    ``count(address)`` when it was wrong."""
    return Throttle([RateLimitItemPerMinute(per_minute)])


class AgentAuth:
    def __init__(
        self,
        token: str | None,
        sessions: ConsoleSessions,
        *,
        lifetime: timedelta = DEFAULT_SESSION_LIFETIME,
        throttle: Throttle | None = None,
    ) -> None:
        self._token = token.encode() if token else None
        self._sessions = sessions
        self.lifetime = lifetime
        self.throttle = throttle or login_throttle()

    @property
    def required(self) -> bool:
        return self._token is not None

    def token_matches(self, candidate: str) -> bool:
        if self._token is None:
            return True
        return hmac.compare_digest(candidate.encode("utf-8", "surrogatepass"), self._token)

    async def allows(self, request: web.Request) -> bool:
        if self._token is None:
            return True
        authorization = request.headers.get("Authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials:
            return self.token_matches(credentials.strip())
        cookie = request.cookies.get(AGENT_COOKIE)
        if not cookie:
            return False
        return await self._sessions.holds(cookie)

    async def log_in(self, request: web.Request, response: web.StreamResponse) -> None:
        """Open a new session and hand its cookie to the browser."""
        session = await self._sessions.open(lifetime=self.lifetime)
        response.set_cookie(
            AGENT_COOKIE,
            session,
            max_age=int(self.lifetime.total_seconds()),
            path="/",
            httponly=True,
            samesite="Strict",
            secure=request.secure or None,
        )

    async def log_out(self, request: web.Request, response: web.StreamResponse) -> None:
        """End the request's session everywhere, not only in this browser."""
        cookie = request.cookies.get(AGENT_COOKIE)
        if cookie:
            await self._sessions.close(cookie)
        response.del_cookie(AGENT_COOKIE, path="/")
