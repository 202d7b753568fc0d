"""The types that cross the adapter boundary.

Adapters turn platform payloads into these (``parse_*``) and these into platform calls
(``render_*``/``send``). The engine sees nothing else: raw payloads may ride along in ``raw`` for
logging, but the engine never reads them.

Text is a small Markdown subset that each adapter renders for its platform: ``*bold*``,
``_italic_``, ``` `code` ```, and bare URLs. Everything else is plain text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol


class Platform(str):
    """A channel's name, as stored in the database ("web", "slack", "email"...).

    An open set: each adapter names its own platform, so a new channel needs no edit here. The
    constants are the channels that ship with Deskbot.
    """

    __slots__ = ()

    WEB: ClassVar[Platform]
    CONSOLE: ClassVar[Platform]
    SLACK: ClassVar[Platform]
    TELEGRAM: ClassVar[Platform]

    def __new__(cls, name: str) -> Platform:
        if not name or not name.isascii() or not name.replace("-", "").isalnum():
            raise ValueError(f"not a platform name: {name!r}")
        return super().__new__(cls, name.lower())

    def __repr__(self) -> str:
        return f"Platform({str.__repr__(self)})"


Platform.WEB = Platform("web")
Platform.CONSOLE = Platform("console")
Platform.SLACK = Platform("slack")
Platform.TELEGRAM = Platform("telegram")


@dataclass(frozen=True, slots=True)
class UserRef:
    """Who sent something. ``locale`` is the platform's language hint (``en-US``, ``fa``)."""

    platform: Platform
    user_id: str
    display_name: str = ""
    locale: str | None = None
    # Groups the platform says this person belongs to, named "platform-kind:id" (e.g.
    # "slack-usergroup:S0123", "telegram-group:-100123"): the team file can grant roles to them.
    groups: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.display_name or self.user_id

    @property
    def key(self) -> str:
        """One string naming this person across platforms, e.g. ``slack:U024BE7LH``."""
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class ChatRef:
    """Where something was said: a chat, and a thread inside it where the platform has threads."""

    platform: Platform
    chat_id: str
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """Free text from a person. ``event_id`` is the platform's id, unique per platform: redelivered
    events carry the same one and take effect once."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    text: str
    sent_at: datetime
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class InboundAction:
    """A button press. ``action_id`` and ``value`` come back exactly as the ``Button`` set them."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    action_id: str
    value: str
    sent_at: datetime
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class InboundCommand:
    """A command: ``/help`` from a requester, or ``claim 12`` from an agent (``name="claim"``,
    ``args="12"``). Adapters strip the platform's prefix (``/desk``, ``/``, ``@bot``)."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    name: str
    args: str
    sent_at: datetime
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class InboundUnreachable:
    """The platform says the person can no longer be written to in ``chat`` (they blocked the
    bot): agents are told on their live ticket at once, not after the next send fails."""

    event_id: str
    chat: ChatRef
    sender: UserRef
    reason: str
    sent_at: datetime
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


InboundEvent = InboundMessage | InboundAction | InboundCommand | InboundUnreachable

# NUL (PostgreSQL's text cannot hold it) and UTF-16 surrogates, which in a Python str are always
# lone (a JSON "\ud800" escape can carry one) and are no character any database or platform takes.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` with what no database can keep replaced by U+FFFD, the replacement character."""
    return _UNSTORABLE.sub("\ufffd", text)


def storable_event(event: InboundEvent) -> InboundEvent:
    """``event`` with every string in it ``storable``: what a person wrote on a chat platform is
    kept, marked where it held something unstorable, rather than refused after it was received.
    (The web chat, which can answer the sender, refuses such input with a 400 instead.)"""
    cleaned: InboundEvent = _storable_fields(event)
    return cleaned


def _storable_fields(value: Any) -> Any:
    changes = {}
    for item in dataclasses.fields(value):
        if item.name == "raw":
            continue  # the platform's payload, kept for debugging and never stored
        current = getattr(value, item.name)
        if isinstance(current, str):
            cleaned: Any = storable(current)
        elif isinstance(current, frozenset):
            cleaned = frozenset(storable(v) if isinstance(v, str) else v for v in current)
        elif dataclasses.is_dataclass(current) and not isinstance(current, type):
            cleaned = _storable_fields(current)
        else:
            continue
        if cleaned != current:
            changes[item.name] = cleaned
    return dataclasses.replace(value, **changes) if changes else value


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered with a message. ``action_id`` + ``value`` must fit in 64 bytes together
    (Telegram's callback_data limit), so values are short ids, never text."""

    label: str
    action_id: str
    value: str = ""
    style: str | None = None  # "primary" | "danger" | None; a hint, platforms may ignore it


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """Something to say in a chat. ``ticket_id`` links agent-channel posts to their ticket, so an
    adapter can thread them under the ticket's first post. ``lang`` tells the adapter the text
    direction (Persian is right-to-left)."""

    chat: ChatRef
    text: str
    buttons: tuple[Button, ...] = ()
    ticket_id: int | None = None
    lang: str = "en"


@dataclass(frozen=True, slots=True)
class Reply:
    """What an agent command answers to the agent who ran it (ephemeral where the platform can)."""

    text: str
    ok: bool = True


class DeliveryError(Exception):
    """A ``Sender`` raises this when a platform refused a message.

    ``retry_after`` (seconds) is the platform's own wait (Slack ``Retry-After``, Telegram
    ``parameters.retry_after``); ``permanent`` means retrying cannot help (the user blocked the bot,
    the chat is gone), so the message is marked failed at once instead of retried.
    """

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


class Unavailable(Exception):
    """``Dispatch`` raises this when an event's effect could not be committed for a reason outside
    the event: the database is down, restarting or out of connections, or SQLite's lock stayed
    held past its timeout. Nothing of the event was kept (its transaction rolled back, its
    deduplication row with it), so the adapter answers in the way that makes the sender deliver
    it again (the web chat: 503; Telegram's webhook: 500), never as if it had been taken.

    ``notice`` says so to the person, in their language, for a surface whose platform will not
    deliver the event again by itself (a Slack slash command)."""

    def __init__(self, reason: str, *, notice: str = "") -> None:
        super().__init__(reason)
        self.notice = notice


class Sender(Protocol):
    """Delivers one outbound message on one platform and returns the platform's message id."""

    async def send(self, message: OutboundMessage) -> str: ...


#: What an adapter is handed to feed the engine: an event in, an optional answer for the person who
#: acted out (agent commands answer ephemerally; requester events answer through the outbox).
#: Raises ``Unavailable`` when the event was not taken and must be delivered again.
Dispatch = Callable[[InboundEvent], Awaitable[Reply | None]]
