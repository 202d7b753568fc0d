"""Web chat ids, issued and signed by the server.

A chat id is who a web requester is: their conversation, their tickets. The server makes each one
(random, 144 bits) when the chat page is first opened and hands it over in the ``deskbot_chat``
cookie as ``<id>.<signature>``, an HMAC-SHA256 with a key the desk keeps (``Desk.server_keys``,
the same in every process and after a restart). A cookie whose signature does not match is no
chat: a script cannot make up ids and be a thousand requesters, each with their own tickets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from adapters.web.inbound import is_chat_id
from conversations.views import ServerKeys

KEY_NAME = "web-chat-ids"


class ChatIds:
    def __init__(self, keys: ServerKeys) -> None:
        self._keys = keys

    async def issue(self) -> str:
        """A new chat's cookie value."""
        chat_id = secrets.token_urlsafe(18)
        return f"{chat_id}.{await self._signature(chat_id)}"

    async def chat_of(self, cookie: str | None) -> str | None:
        """The chat id a cookie value carries, or None when the server did not issue it."""
        if not cookie:
            return None
        chat_id, dot, signature = cookie.partition(".")
        if not dot or not is_chat_id(chat_id):
            return None
        expected = await self._signature(chat_id)
        if not hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode()):
            return None
        return chat_id

    async def _signature(self, chat_id: str) -> str:
        digest = hmac.new(await self._keys.key(KEY_NAME), chat_id.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")
