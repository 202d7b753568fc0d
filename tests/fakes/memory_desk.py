"""What a desk keeps in its database, kept in memory for fake desks: console sessions and
signing keys."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta


class MemoryConsoleSessions:
    """``views.ConsoleSessions`` in a dict (the database one has its own tests)."""

    def __init__(self) -> None:
        self.open_tokens: set[str] = set()

    async def open(self, *, lifetime: timedelta) -> str:
        token = uuid.uuid4().hex
        self.open_tokens.add(token)
        return token

    async def holds(self, token: str) -> bool:
        return token in self.open_tokens

    async def close(self, token: str) -> None:
        self.open_tokens.discard(token)


class MemoryServerKeys:
    """``views.ServerKeys`` in a dict."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}

    async def key(self, name: str) -> bytes:
        return self.keys.setdefault(name, secrets.token_bytes(32))
