"""Serving the two HTML pages and their static files, with headers that keep them safe to embed
user text in: a strict Content-Security-Policy (no inline script, nothing from other origins; the
pages work offline) and no framing."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static/web"

_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::\d+)?|\[[0-9A-Fa-f:.]+\](?::\d+)?")


def page_headers(request: web.Request) -> dict[str, str]:
    connect = "'self'"
    if _HOST.fullmatch(request.host):
        # Older Safari does not count ws:// as 'self'; name the socket origins explicitly.
        connect += f" ws://{request.host} wss://{request.host}"
    policy = (
        "default-src 'none'; "
        "script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-cache",
    }


def serve_page(request: web.Request, name: str) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / name, headers=page_headers(request))


#: The files under STATIC_PREFIX. A fixed list rather than a directory listing: nothing else in
#: the package directory is ever served, whatever the path says.
STATIC_FILES = frozenset(
    {
        "chat.js",
        "agent.js",
        "markdown.js",
        "server.js",
        "dom.js",
        "style.css",
        "reports.js",
        "reports.css",
        "reports-i18n.js",
    }
)


async def serve_static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound()
    # "no-cache" means revalidate (a cheap 304 by ETag), so after an upgrade no browser runs an
    # old script against a new page.
    return web.FileResponse(
        STATIC_DIR / name,
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
