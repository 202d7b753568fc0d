"""The web chat's ``Sender``.

The engine records every outbound message before a delivery worker hands it to a sender, and the
web pages read those records through ``Desk.transcript``. So "delivering" on the web means telling
the open tabs of that chat to fetch what is new; the text itself never travels through here.
"""

from __future__ import annotations

import logging
import uuid

from adapters.web.inbound import AGENT_CHAT_ID
from adapters.web.sockets import SocketHub
from conversations.messages import OutboundMessage

log = logging.getLogger(__name__)


class WebSender:
    def __init__(self, hub: SocketHub) -> None:
        self._hub = hub

    async def send(self, message: OutboundMessage) -> str:
        """Notify the chat's open sockets; succeeds with none open (the line waits in the
        transcript). Returns a fresh id, since the web has no platform message id of its own."""
        message_id = uuid.uuid4().hex
        if message.chat.chat_id == AGENT_CHAT_ID:
            event: dict[str, object] = {"type": "refresh", "ticket_id": message.ticket_id}
            pushed = await self._hub.notify_agents(event)
        else:
            pushed = await self._hub.notify_chat(message.chat.chat_id, {"type": "refresh"})
        log.debug("web message %s for %s: notified %d socket(s)", message_id, message.chat, pushed)
        return message_id
