"""The open WebSockets of the web chat, by chat, and of the agent console.

Sockets only carry "something changed, fetch it" notices; the data itself always comes from the
transcript or the ticket API, so a notice lost to a reconnect costs nothing: the page fetches
everything after its last id when it reconnects.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from aiohttp import WSCloseCode, web

log = logging.getLogger(__name__)


class SocketHub:
    def __init__(self) -> None:
        self._chats: defaultdict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self._agents: set[web.WebSocketResponse] = set()

    def add_chat(self, chat_id: str, ws: web.WebSocketResponse) -> None:
        self._chats[chat_id].add(ws)

    def remove_chat(self, chat_id: str, ws: web.WebSocketResponse) -> None:
        sockets = self._chats.get(chat_id)
        if sockets is None:
            return
        sockets.discard(ws)
        if not sockets:
            del self._chats[chat_id]

    def add_agent(self, ws: web.WebSocketResponse) -> None:
        self._agents.add(ws)

    def remove_agent(self, ws: web.WebSocketResponse) -> None:
        self._agents.discard(ws)

    async def notify_chat(self, chat_id: str, event: dict[str, Any]) -> int:
        """Push ``event`` to every tab that has this chat open; returns how many got it."""
        return await self._push(tuple(self._chats.get(chat_id, ())), event)

    async def notify_agents(self, event: dict[str, Any]) -> int:
        return await self._push(tuple(self._agents), event)

    async def close_all(self) -> None:
        """On shutdown: close every socket so the server can stop at once (aiohttp otherwise waits
        for them) and the pages reconnect to the next process."""
        sockets = [ws for group in self._chats.values() for ws in group] + list(self._agents)
        closing = (ws.close(code=WSCloseCode.GOING_AWAY, message=b"restarting") for ws in sockets)
        await asyncio.gather(*closing, return_exceptions=True)

    async def _push(self, sockets: Iterable[web.WebSocketResponse], event: dict[str, Any]) -> int:
        live = [ws for ws in sockets if not ws.closed]
        sends = (ws.send_json(event) for ws in live)
        results = await asyncio.gather(*sends, return_exceptions=True)
        delivered = 0
        for result in results:
            if isinstance(result, BaseException):
                # A tab that went away mid-send; it refetches on reconnect, so nothing is lost.
                log.debug("web socket push failed: %r", result)
            else:
                delivered += 1
        return delivered
