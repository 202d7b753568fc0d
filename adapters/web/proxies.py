"""Which reverse proxies may say who the client is and whether it came over TLS
(``DESKBOT_TRUSTED_PROXIES``).

Behind a TLS-terminating proxy every request reaches Deskbot over plain HTTP from the proxy's
address. The proxy says what it saw in ``X-Forwarded-For`` (the client, appended to whatever the
client sent) and ``X-Forwarded-Proto``. Those headers are believed only when the connection
itself comes from a listed proxy: anyone else could send them to pose as another address (and
dodge the login throttle) or as TLS. Then the client is the right-most ``X-Forwarded-For``
entry that is not itself a listed proxy (entries to its left were written by the client), and
the scheme is the right-most ``X-Forwarded-Proto``. ``X-Forwarded-Host`` is never used: the
host check (``hosts.py``) reads the ``Host`` the proxy forwards.

aiohttp-remotes was the library to use, but its ``XForwardedFiltered`` believes the headers
from any peer, and ``XForwardedStrict`` refuses a request whose client sent its own
``X-Forwarded-For`` (a corporate proxy adds one), so this small middleware does it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_SCHEMES = frozenset({"http", "https"})


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """``DESKBOT_TRUSTED_PROXIES``: addresses or networks separated by commas
    (``10.0.0.0/8,127.0.0.1``); empty trusts none. ValueError names the bad entry."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network (e.g. 10.0.0.0/8 or 127.0.0.1)"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _entries(request: web.Request, header: str) -> list[str]:
    # Several headers of one name count as one comma-separated list, in order (RFC 9110 5.3).
    return [e.strip() for line in request.headers.getall(header, []) for e in line.split(",")]


class TrustedProxies:
    def __init__(self, networks: Iterable[Network] = ()) -> None:
        self.networks = tuple(networks)

    def _trusts(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return address is not None and any(address in network for network in self.networks)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.networks or not self._trusts(_address(request.remote or "")):
            return await handler(request)
        overrides: dict[str, Any] = {}
        for entry in reversed(_entries(request, "X-Forwarded-For")):
            client = _address(entry)
            if client is None:
                break  # unreadable: keep the proxy's own address rather than guess
            if not self._trusts(client):
                overrides["remote"] = str(client)
                break
        protos = _entries(request, "X-Forwarded-Proto")
        if protos and protos[-1].lower() in _SCHEMES:
            overrides["scheme"] = protos[-1].lower()
        return await handler(request.clone(**overrides) if overrides else request)
