"""Who may use the agent console.

With a token configured, every agent API call and the agent socket need either
``Authorization: Bearer <token>`` (scripts) or the ``deskbot_agent`` cookie that ``POST
/agent/login`` sets (the console). Without a token the console is open; the CLI refuses to bind a
non-loopback address in that case.
"""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

AGENT_COOKIE = "deskbot_agent"
_COOKIE_MAX_AGE = 30 * 24 * 3600


class AgentAuth:
    def __init__(self, token: str | None) -> None:
        self._token = token.encode() if token else None
        # The cookie holds a value derived from the token rather than the token itself, so a
        # cookie that leaks (a proxy log, a shared profile) does not reveal the shared secret.
        self._session = (
            hmac.new(self._token, b"deskbot agent console session", hashlib.sha256).hexdigest()
            if self._token
            else None
        )

    @property
    def required(self) -> bool:
        return self._token is not None

    def token_matches(self, candidate: str) -> bool:
        if self._token is None:
            return True
        return hmac.compare_digest(candidate.encode(), self._token)

    def allows(self, request: web.Request) -> bool:
        if self._token is None or self._session is None:
            return True
        authorization = request.headers.get("Authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials:
            return self.token_matches(credentials.strip())
        cookie = request.cookies.get(AGENT_COOKIE)
        return cookie is not None and hmac.compare_digest(cookie.encode(), self._session.encode())

    def set_session_cookie(self, request: web.Request, response: web.StreamResponse) -> None:
        assert self._session is not None
        response.set_cookie(
            AGENT_COOKIE,
            self._session,
            max_age=_COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=request.secure or None,
        )
