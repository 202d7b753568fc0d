"""Browser JSON -> boundary types.

Pure functions: they take already-decoded JSON (or query/header strings) and return the events the
engine understands, or raise ``InputError`` with a message written for whoever sent the request.
Nothing here knows about aiohttp, so every rule can be tested without a server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from conversations.messages import (
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundMessage,
    Platform,
    UserRef,
)
from conversations.views import QUEUE_VIEWS

#: Longest message a person may type. Telegram allows 4096; staying under it means a web message
#: can be relayed to any agent channel unchanged.
MAX_TEXT_CHARS = 4000
#: Agent commands wrap a reply (``reply 12 <text>``), so they get room for the prefix.
MAX_COMMAND_CHARS = MAX_TEXT_CHARS + 100
MAX_NAME_CHARS = 80
MAX_EVENT_ID_CHARS = 100
#: ``Button`` promises that ``action_id`` + ``value`` fit in 64 bytes (Telegram's callback_data).
MAX_ACTION_BYTES = 64

AGENT_CHAT_ID = "agents"
AGENT_CHAT = ChatRef(Platform.WEB, AGENT_CHAT_ID)
DEFAULT_VISITOR_NAME = "Web visitor"

# secrets.token_urlsafe(24) gives 32 characters; anything this shape is accepted as a chat id, and
# the length floor keeps it from ever colliding with AGENT_CHAT_ID.
_CHAT_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_EVENT_ID = re.compile(r"[A-Za-z0-9_.:-]+")
_LOCALE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")
_COMMAND = re.compile(r"/([A-Za-z][\w-]*)(?:\s+(.*))?", re.DOTALL)
_AGENT_COMMAND = re.compile(r"/?(\S+)(?:\s+(.*))?", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Neither can be stored everywhere: PostgreSQL text refuses NUL, and a lone surrogate (which JSON's
# \uD800 escapes can carry) is not a character at all, so UTF-8 cannot encode it.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
# Database ids (tickets, transcript lines) are at most a signed 32-bit integer on PostgreSQL;
# larger numbers cannot exist.
_MAX_DB_ID = 2**31 - 1


class InputError(Exception):
    """The request cannot be turned into an event. ``message`` is safe to show to the client."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def is_chat_id(value: str | None) -> bool:
    return value is not None and _CHAT_ID.fullmatch(value) is not None


def requester_chat(chat_id: str) -> ChatRef:
    return ChatRef(Platform.WEB, chat_id)


def parse_requester(chat_id: str, body: Mapping[str, Any]) -> UserRef:
    """The person behind a web chat: the chat id is their identity, the name is whatever they
    typed (optional) and the locale is the browser's ``navigator.language``."""
    name = _optional_str(body, "name", MAX_NAME_CHARS)
    locale = _optional_str(body, "locale", 35)
    if locale is not None and _LOCALE.fullmatch(locale) is None:
        raise InputError(f"'locale' must be a language tag like 'en-US' or 'fa'; got {locale!r}.")
    return UserRef(
        Platform.WEB,
        user_id=chat_id,
        display_name=name or DEFAULT_VISITOR_NAME,
        locale=locale or None,
    )


def parse_chat_message(
    chat_id: str, body: Mapping[str, Any], *, now: datetime
) -> InboundMessage | InboundCommand:
    """``{"text", "event_id", "name"?, "locale"?}`` -> a message, or a command when the text
    starts with ``/`` (``/lang fa`` -> ``name="lang", args="fa"``)."""
    text = _text(body, "text", MAX_TEXT_CHARS)
    event_id = _event_id(body, chat_id)
    chat = requester_chat(chat_id)
    sender = parse_requester(chat_id, body)
    command = _COMMAND.fullmatch(text)
    if command is not None:
        return InboundCommand(
            event_id=event_id,
            chat=chat,
            sender=sender,
            name=command.group(1).lower(),
            args=(command.group(2) or "").strip(),
            sent_at=now,
            raw=dict(body),
        )
    return InboundMessage(
        event_id=event_id, chat=chat, sender=sender, text=text, sent_at=now, raw=dict(body)
    )


def parse_chat_action(chat_id: str, body: Mapping[str, Any], *, now: datetime) -> InboundAction:
    """``{"action_id", "value", "event_id"}`` -> a button press, exactly as the button set them."""
    action_id, value = _button_press(body)
    return InboundAction(
        event_id=_event_id(body, chat_id),
        chat=requester_chat(chat_id),
        sender=parse_requester(chat_id, body),
        action_id=action_id,
        value=value,
        sent_at=now,
        raw=dict(body),
    )


def parse_agent_name(header: str | None) -> str:
    """The agent's name from ``X-Deskbot-Agent``.

    Browsers refuse non-Latin-1 header values, so the console percent-encodes the name
    (``encodeURIComponent``); plain ASCII names pass through unchanged.
    """
    if header is None or not header.strip():
        raise InputError(
            "Tell us who you are: send your name in the X-Deskbot-Agent header "
            "(the console asks for it once)."
        )
    try:
        name = unquote(header, errors="strict").strip()
    except UnicodeDecodeError:
        raise InputError(
            "X-Deskbot-Agent must be the name percent-encoded as UTF-8 (encodeURIComponent)."
        ) from None
    if _CONTROL.search(name):
        raise InputError("The agent name in X-Deskbot-Agent must not contain control characters.")
    if len(name) > MAX_NAME_CHARS:
        raise InputError(f"The agent name must be at most {MAX_NAME_CHARS} characters.")
    return name


def agent_user(name: str) -> UserRef:
    return UserRef(Platform.WEB, user_id=f"agent:{name}", display_name=name)


def parse_agent_command(name: str, body: Mapping[str, Any], *, now: datetime) -> InboundCommand:
    """``{"text": "claim 12", "event_id"}`` -> ``InboundCommand(name="claim", args="12")`` in the
    web agent channel. A leading ``/`` is tolerated (``/claim 12``)."""
    text = _text(body, "text", MAX_COMMAND_CHARS)
    sender = agent_user(name)
    match = _AGENT_COMMAND.fullmatch(text)
    if match is None:  # pragma: no cover - _text guarantees a non-blank string
        raise InputError("'text' must start with a command name, such as 'claim 12'.")
    return InboundCommand(
        event_id=_event_id(body, sender.user_id),
        chat=AGENT_CHAT,
        sender=sender,
        name=match.group(1).lower(),
        args=(match.group(2) or "").strip(),
        sent_at=now,
        raw=dict(body),
    )


def parse_agent_action(name: str, body: Mapping[str, Any], *, now: datetime) -> InboundAction:
    """``{"action_id": "claim", "value": "12", "event_id"}`` -> a press of a button on an agent
    channel post (Claim, Accept, Decline), made in the web agent channel by this agent. The engine
    runs it as the agent command it names, so it grants nothing ``parse_agent_command`` does not."""
    action_id, value = _button_press(body)
    sender = agent_user(name)
    return InboundAction(
        event_id=_event_id(body, sender.user_id),
        chat=AGENT_CHAT,
        sender=sender,
        action_id=action_id,
        value=value,
        sent_at=now,
        raw=dict(body),
    )


def parse_after(value: str | None) -> int:
    """The ``after`` query parameter of a transcript: the last line id the page already has.

    Numbers past the largest id there can be are clamped to it (there is nothing after it):
    PostgreSQL refuses a query parameter wider than the id column, and Python refuses to convert
    strings of more than 4300 digits.
    """
    if value is None or value == "":
        return 0
    if not value.isascii() or not value.isdigit():
        raise InputError(f"'after' must be a whole number (a line id), not {value!r}.")
    number = _database_id(value)
    return _MAX_DB_ID if number is None else number


def parse_ticket_id(value: str) -> int | None:
    """A ticket id from the URL; ``None`` for numbers no ticket can have (answered as 404)."""
    text = value.removeprefix("#")
    if not text.isascii() or not text.isdigit():
        raise InputError(f"A ticket id is a whole number, such as 12; {value!r} is not.")
    number = _database_id(text)
    return number if number else None


def parse_queue_view(value: str | None) -> str:
    view = value or "all"
    if view not in QUEUE_VIEWS:
        raise InputError(f"'view' must be one of {', '.join(QUEUE_VIEWS)}; got {view!r}.")
    return view


def queue_view_key(view: str, agent: UserRef | None) -> str:
    """What ``Desk.queue(view=...)`` expects: ``mine`` becomes ``mine:<agent key>``."""
    if view != "mine":
        return view
    if agent is None:  # pragma: no cover - callers parse the agent first
        raise InputError("The 'mine' view needs your name in the X-Deskbot-Agent header.")
    return f"mine:{agent.key}"


def _storable(value: str, key: str) -> str:
    """``value``, refused when it holds what no database can keep (``_UNSTORABLE``)."""
    found = _UNSTORABLE.search(value)
    if found is not None:
        what = "a NUL character" if found.group() == "\x00" else "a lone surrogate (not text)"
        raise InputError(f"'{key}' contains {what}.")
    return value


def _text(body: Mapping[str, Any], key: str, limit: int) -> str:
    if key not in body or body[key] is None:
        raise InputError(f"'{key}' is required.")
    value = body[key]
    if not isinstance(value, str):
        raise InputError(f"'{key}' must be a string.")
    value = _storable(value, key).strip()
    if not value:
        raise InputError(f"'{key}' is empty; type something first.")
    if len(value) > limit:
        raise InputError(
            f"'{key}' is {len(value)} characters long; the limit is {limit}. "
            "Please split it into shorter messages.",
            status=413,
        )
    return value


def _database_id(digits: str) -> int | None:
    """An ASCII digit string as a number, or ``None`` past the largest id there can be. Long
    strings never reach ``int()``, which refuses more than 4300 digits."""
    significant = digits.lstrip("0")
    if len(significant) > len(str(_MAX_DB_ID)):
        return None
    number = int(significant or "0")
    return number if number <= _MAX_DB_ID else None


def _button_press(body: Mapping[str, Any]) -> tuple[str, str]:
    """``action_id`` and ``value`` of a button press, exactly as the button set them."""
    action_id = _required_str(body, "action_id")
    value = body.get("value", "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputError("'value' must be a string.")
    _storable(value, "value")
    if len(action_id.encode()) + len(value.encode()) > MAX_ACTION_BYTES:
        raise InputError(
            f"'action_id' and 'value' together must fit in {MAX_ACTION_BYTES} bytes; "
            "send them back exactly as the button gave them."
        )
    return action_id, value


def _required_str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"'{key}' is required and must be a non-empty string.")
    return _storable(value, key)


def _optional_str(body: Mapping[str, Any], key: str, limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"'{key}' must be a string.")
    value = _storable(value, key).strip()
    if _CONTROL.search(value):
        raise InputError(f"'{key}' must not contain control characters.")
    if len(value) > limit:
        raise InputError(f"'{key}' must be at most {limit} characters.")
    return value


def _event_id(body: Mapping[str, Any], scope: str) -> str:
    """The client's idempotency key, scoped to the chat (or agent) it came from.

    The engine deduplicates on (platform, event id) across *all* web chats; without the scope, one
    browser could make another's message vanish as a "duplicate" by reusing its id.
    """
    value = body.get("event_id")
    if not isinstance(value, str) or not value:
        raise InputError(
            "'event_id' is required: a unique string per message (a UUID), reused on retries."
        )
    if len(value) > MAX_EVENT_ID_CHARS or _EVENT_ID.fullmatch(value) is None:
        raise InputError(
            f"'event_id' must be at most {MAX_EVENT_ID_CHARS} characters of letters, digits, "
            "'-', '_', '.' or ':'."
        )
    return f"{scope}:{value}"
