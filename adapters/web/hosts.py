"""Which host names the server answers to (``DESKBOT_ALLOWED_HOSTS``).

A page on ``attacker.example`` can make its own name resolve to 127.0.0.1 (DNS rebinding); the
browser then treats the Deskbot behind that address as the attacker's own origin, and the
page can read the API and open sockets with ``Host: attacker.example``. Comparing ``Origin``
with ``Host`` cannot catch that, as both name the attacker. So every request's ``Host``, and its
``Origin`` when a browser sends one, must name a host the operator listed; ``X-Forwarded-Host``
is never trusted, since a rebound page may set it on its own requests.

Entries are names or addresses without a port (``help.example.com``, ``10.0.0.5``); one with a
leading dot (``.example.com``) also allows every subdomain; ``*`` allows any name (for a proxy
that checks the name itself). The default is the loopback names.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web
from yarl import URL

from adapters.web.http_json import json_error

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")

# Health checks come from load balancers and orchestrators that address the instance by its IP
# (Kubernetes probes, AWS target groups); the answer reveals nothing.
_UNCHECKED_PATHS = frozenset({"/healthz"})

# Each refused name is logged once, and only this many names in all: a scan must not fill the log.
_LOGGED_NAMES_CAP = 100

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def parse_allowed_hosts(value: str) -> tuple[str, ...]:
    """``DESKBOT_ALLOWED_HOSTS``: names separated by commas; ValueError names the bad entry."""
    entries = tuple(entry.strip().lower() for entry in value.split(",") if entry.strip())
    if not entries:
        raise ValueError("must name at least one host (or * for any)")
    for entry in entries:
        if entry == "*":
            continue
        name = entry.removeprefix(".")
        if not name or any(c in name for c in "/@ ") or (":" in name and not _is_ipv6(name)):
            raise ValueError(f"{entry!r} is not a host name (give names without scheme or port)")
    return entries


class AllowedHosts:
    def __init__(self, entries: Iterable[str] = LOOPBACK_HOSTS) -> None:
        self.entries = tuple(entry.lower().strip("[]") for entry in entries)
        self._any = "*" in self.entries
        self._exact = frozenset(e for e in self.entries if not e.startswith("."))
        self._suffixes = tuple(e for e in self.entries if e.startswith("."))
        self._logged: set[str] = set()

    @property
    def only_loopback(self) -> bool:
        return not self._any and set(self.entries) <= set(LOOPBACK_HOSTS)

    def allows_name(self, name: str | None) -> bool:
        if self._any:
            return True
        if not name:
            return False
        name = name.lower().rstrip(".")  # "example.com." is the same name
        return name in self._exact or any(
            name.endswith(suffix) or name == suffix[1:] for suffix in self._suffixes
        )

    def allows_host_header(self, host: str | None) -> bool:
        return self.allows_name(_name_in(f"http://{host}") if host else None)

    def allows_origin(self, origin: str) -> bool:
        # "null" (sandboxed frames, file: pages) names no host, so it is refused.
        return self.allows_name(_name_in(origin))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in _UNCHECKED_PATHS:
            return await handler(request)
        host = request.headers.get("Host")
        if not self.allows_host_header(host):
            self._log_once("Host", host)
            return json_error(
                400,
                f"This server does not answer to the name {host!r}; its operator lists the names "
                "it answers to in DESKBOT_ALLOWED_HOSTS.",
            )
        origin = request.headers.get("Origin")
        if origin is not None and not self.allows_origin(origin):
            self._log_once("Origin", origin)
            return json_error(403, "This server only takes requests from its own pages.")
        return await handler(request)

    def _log_once(self, header: str, value: str | None) -> None:
        key = f"{header}:{value}"
        if key in self._logged or len(self._logged) >= _LOGGED_NAMES_CAP:
            return
        self._logged.add(key)
        log.warning(
            "refused a request with %s %r: not in DESKBOT_ALLOWED_HOSTS (%s)",
            header,
            value,
            ", ".join(self.entries),
        )


def _is_ipv6(name: str) -> bool:
    try:
        return ipaddress.ip_address(name.strip("[]")).version == 6
    except ValueError:
        return False


def _name_in(url: str) -> str | None:
    try:
        return URL(url).host
    except ValueError:
        return None
