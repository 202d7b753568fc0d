"""How many posts the web chat takes from one chat and from one client address."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from limits import RateLimitItem

from conversations.throttle import parse_limits

#: A person types a few messages a minute; a script posting in a loop is stopped at once.
DEFAULT_PER_CHAT = "20/minute"
#: Many people may share one address (an office's NAT), so it allows several chats' worth.
DEFAULT_PER_ADDRESS = "120/minute"
#: New chats (each a new requester, who may open a ticket) started from one address.
DEFAULT_NEW_CHATS = "60/hour"


@dataclass(frozen=True)
class PostLimits:
    """How many messages and button presses the web chat takes from one chat and from one
    client address (``DESKBOT_CHAT_RATE_LIMIT``, ``DESKBOT_ADDRESS_RATE_LIMIT``), and how many
    new chats it starts for one address (``DESKBOT_NEW_CHATS_RATE_LIMIT``)."""

    per_chat: Sequence[RateLimitItem] = field(
        default_factory=lambda: parse_limits(DEFAULT_PER_CHAT)
    )
    per_address: Sequence[RateLimitItem] = field(
        default_factory=lambda: parse_limits(DEFAULT_PER_ADDRESS)
    )
    new_chats: Sequence[RateLimitItem] = field(
        default_factory=lambda: parse_limits(DEFAULT_NEW_CHATS)
    )
