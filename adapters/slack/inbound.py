"""Slack payloads -> boundary types.

Pure functions over the dicts Slack sends (Events API envelopes, slash command forms, interactivity
payloads): nothing here calls Slack or knows about bolt, so every rule is testable on its own.
Who a person is (name, locale, user groups) needs API calls; callers look it up first
(``directory.py``) and pass the ``UserRef`` in.

Routing, decided here once:

- a direct message to the bot (``channel_type`` ``im``) is the requester's chat; threads inside a
  DM are flattened onto it, so one DM is one conversation;
- a mention in a channel (``app_mention``) starts or continues a conversation in its thread:
  ``ChatRef(SLACK, channel, thread_ts or ts)``;
- in the agent channel, only replies inside a thread reach the engine (it maps the thread to its
  ticket); top-level chatter does nothing;
- message subtypes (edits, deletions, joins, bot posts...) and bots' messages are ignored, except
  ``file_share`` and ``thread_broadcast``, which are a person's words with an attachment or an
  "also send to channel" tick.

Slack's text formats: https://docs.slack.dev/messaging/formatting-message-text
"""

from __future__ import annotations

import enum
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from conversations.actions import AgentAction
from conversations.messages import (
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundMessage,
    Platform,
    UserRef,
)


def member(payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The object under ``key``, or an empty one when Slack sent none (or something else)."""
    value = payload.get(key)
    return value if isinstance(value, Mapping) else {}


#: Our button action ids get ":<index>" appended, because Block Kit wants action ids unique within
#: a message and the engine reuses them ("faq.ok" on every suggestion). See ``outbound.py``.
ACTION_INDEX_SEPARATOR = ":"

#: Subtypes that still carry a person's own words.
TEXT_SUBTYPES = frozenset({"file_share", "thread_broadcast"})

#: Emoji shortcuts on a ticket's posts in the agent channel: reaction name -> agent command.
REACTION_COMMANDS: Mapping[str, str] = {
    "eyes": AgentAction.CLAIM,
    "white_check_mark": AgentAction.RESOLVE,
}

# <@U123>, <@U123|sara>, <#C123|general>, <!here>, <!subteam^S123|@it>, <https://x|label>
_ENTITY = re.compile(r"<([^<>\n]+)>")


class MessageKind(enum.StrEnum):
    DIRECT = "direct"  # a DM to the bot
    AGENT_THREAD = "agent_thread"  # a reply in a ticket thread of the agent channel
    CHANNEL_THREAD = "channel_thread"  # a reply in a thread elsewhere (a mention's thread?)


@dataclass(frozen=True, slots=True)
class MessageRoute:
    kind: MessageKind
    chat: ChatRef


def slack_time(ts: object, *, default: datetime) -> datetime:
    """A Slack ``ts`` ("1700000000.000100", seconds since the epoch) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(float(str(ts)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return default


def plain_text(text: str) -> str:
    """Slack's wire text -> what the person typed: ``<@U1|sara>`` -> ``@sara``, links -> their
    URL (or "label (URL)"), and the ``&amp;`` ``&lt;`` ``&gt;`` escapes undone."""

    def entity(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@" + target.removeprefix("!subteam^")
        if target.startswith("!"):
            return "@" + (label or target[1:]).split("^", 1)[0]
        url = target
        if not label or label == url or url.removeprefix("mailto:") == label:
            return label or url
        return f"{label} ({url})"

    return html.unescape(_ENTITY.sub(entity, text)) if "<" in text or "&" in text else text


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """``<@UBOT> my VPN is down`` -> ``my VPN is down`` (every mention of the bot, anywhere)."""
    if not bot_user_id:
        return text
    return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text).strip()


def mentions(text: str, user_id: str | None) -> bool:
    return bool(user_id) and f"<@{user_id}" in text


def event_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    event = body.get("event")
    return event if isinstance(event, Mapping) else {}


def event_id_of(body: Mapping[str, Any]) -> str:
    """The envelope's ``event_id``: Slack redelivers (``X-Slack-Retry-Num``) with the same one, so
    the engine's deduplication makes a retried event take effect once."""
    event_id = body.get("event_id")
    if isinstance(event_id, str) and event_id:
        return event_id
    event = event_of(body)  # pragma: no cover - Slack always sends one; keep it deterministic
    return f"{event.get('channel', '')}:{event.get('event_ts') or event.get('ts', '')}"


def is_person_message(event: Mapping[str, Any], *, bot_user_id: str | None) -> bool:
    """Typed by a person: not a bot, not the bot itself, not an edit/deletion/join."""
    subtype = event.get("subtype")
    if subtype is not None and subtype not in TEXT_SUBTYPES:
        return False
    if event.get("bot_id") or event.get("bot_profile") or event.get("hidden"):
        return False
    user = event.get("user")
    return isinstance(user, str) and bool(user) and user != bot_user_id


def route_message(
    event: Mapping[str, Any], *, agent_channel: str, bot_user_id: str | None
) -> MessageRoute | None:
    """Where a ``message`` event goes, or None when it does nothing (see the module docstring).

    A channel message that mentions the bot is left to its ``app_mention`` event, which Slack
    sends as well: answering both would answer twice."""
    if not is_person_message(event, bot_user_id=bot_user_id):
        return None
    channel = event.get("channel")
    if not isinstance(channel, str) or not channel:
        return None
    if event.get("channel_type") == "im":
        return MessageRoute(MessageKind.DIRECT, ChatRef(Platform.SLACK, channel))
    thread_ts = event.get("thread_ts")
    if not isinstance(thread_ts, str) or not thread_ts or thread_ts == event.get("ts"):
        return None  # top level (or a thread's own root): not part of any conversation
    if channel == agent_channel:
        return MessageRoute(MessageKind.AGENT_THREAD, ChatRef(Platform.SLACK, channel, thread_ts))
    if mentions(str(event.get("text") or ""), bot_user_id):
        return None
    return MessageRoute(MessageKind.CHANNEL_THREAD, ChatRef(Platform.SLACK, channel, thread_ts))


def parse_message(
    body: Mapping[str, Any], *, chat: ChatRef, sender: UserRef, now: datetime
) -> InboundMessage:
    event = event_of(body)
    return InboundMessage(
        event_id=event_id_of(body),
        chat=chat,
        sender=sender,
        text=plain_text(str(event.get("text") or "")).strip(),
        sent_at=slack_time(event.get("ts"), default=now),
        raw=body,
    )


def mention_chat(event: Mapping[str, Any], *, agent_channel: str) -> ChatRef | None:
    """The thread an ``app_mention`` is answered in; None in the agent channel (its ``message``
    event is the one that counts there)."""
    channel = event.get("channel")
    ts = event.get("thread_ts") or event.get("ts")
    if not isinstance(channel, str) or not channel or channel == agent_channel:
        return None
    if not isinstance(ts, str) or not ts:
        return None
    return ChatRef(Platform.SLACK, channel, ts)


def parse_mention(
    body: Mapping[str, Any],
    *,
    chat: ChatRef,
    sender: UserRef,
    bot_user_id: str | None,
    now: datetime,
) -> InboundMessage:
    """``@Deskbot my VPN is down`` -> the message ``my VPN is down`` in the mention's thread."""
    event = event_of(body)
    text = strip_mention(str(event.get("text") or ""), bot_user_id)
    return InboundMessage(
        event_id=event_id_of(body),
        chat=chat,
        sender=sender,
        text=plain_text(text).strip(),
        sent_at=slack_time(event.get("ts"), default=now),
        raw=body,
    )


def parse_command(
    body: Mapping[str, Any], *, agent_chat: ChatRef, sender: UserRef, now: datetime
) -> InboundCommand:
    """``/desk claim 12`` -> ``InboundCommand(name="claim", args="12")``; ``/desk`` -> help.

    A slash command is always an agent command, wherever it was typed: its answer is ephemeral
    (only the agent sees it), and the engine checks the team file, since any workspace member can
    run any slash command. The event id is the ``trigger_id``, unique per invocation."""
    text = plain_text(str(body.get("text") or "")).strip()
    name, _, args = text.partition(" ")
    if not name:
        name = "help"
    trigger = body.get("trigger_id")
    event_id = (
        trigger
        if isinstance(trigger, str) and trigger
        else f"command:{body.get('user_id', '')}:{now.timestamp()}"
    )
    return InboundCommand(
        event_id=event_id,
        chat=agent_chat,
        sender=sender,
        name=name.lower().removeprefix("/"),
        args=args.strip(),
        sent_at=now,
        raw=body,
    )


def decode_action_id(action_id: str) -> str:
    """``faq.ok:2`` -> ``faq.ok``: drop the index ``outbound.encode_action_id`` added."""
    head, separator, index = action_id.rpartition(ACTION_INDEX_SEPARATOR)
    if separator and index.isdigit():
        return head
    return action_id


def action_chat(body: Mapping[str, Any], *, agent_channel: str) -> ChatRef | None:
    """The chat a button was pressed in: the agent channel, a DM (thread ignored, as for
    messages), or a mention's thread in a channel."""
    channel = member(body, "channel")
    container = member(body, "container")
    message = member(body, "message")
    channel_id = channel.get("id") or container.get("channel_id")
    if not isinstance(channel_id, str) or not channel_id:
        return None
    if channel_id == agent_channel:
        return ChatRef(Platform.SLACK, channel_id)
    if channel_id.startswith("D") or channel.get("name") == "directmessage":
        return ChatRef(Platform.SLACK, channel_id)
    thread = message.get("thread_ts") or container.get("thread_ts")
    return ChatRef(Platform.SLACK, channel_id, thread if isinstance(thread, str) else None)


def action_thread(body: Mapping[str, Any]) -> str | None:
    """The thread of the message whose button was pressed (for answering in the same place)."""
    message = member(body, "message")
    container = member(body, "container")
    thread = message.get("thread_ts") or container.get("thread_ts")
    return thread if isinstance(thread, str) and thread else None


def parse_actions(
    body: Mapping[str, Any], *, agent_channel: str, sender: UserRef, now: datetime
) -> list[InboundAction]:
    """A ``block_actions`` payload -> the button presses in it (Slack sends one per click).

    The event id is ``"<message ts>:<action_ts>"``: stable if Slack redelivers the payload, and
    different for every click, so pressing a button twice counts twice (the engine decides whether
    the second press still means anything)."""
    if body.get("type") != "block_actions":
        return []
    chat = action_chat(body, agent_channel=agent_channel)
    if chat is None:
        return []
    container = member(body, "container")
    message = member(body, "message")
    message_ts = container.get("message_ts") or message.get("ts") or ""
    presses = []
    for action in body.get("actions") or ():
        if not isinstance(action, Mapping) or action.get("type") != "button":
            continue
        action_id = action.get("action_id")
        if not isinstance(action_id, str) or not action_id:
            continue
        action_ts = str(action.get("action_ts") or "")
        presses.append(
            InboundAction(
                event_id=f"{message_ts}:{action_ts}",
                chat=chat,
                sender=sender,
                action_id=decode_action_id(action_id),
                value=str(action.get("value") or ""),
                sent_at=slack_time(action_ts, default=now),
                raw=body,
            )
        )
    return presses


def reaction_command_name(event: Mapping[str, Any], *, agent_channel: str) -> str | None:
    """The agent command an emoji on an agent-channel message stands for, if any."""
    item = member(event, "item")
    if item.get("type") != "message" or item.get("channel") != agent_channel:
        return None
    return REACTION_COMMANDS.get(str(event.get("reaction") or "").split("::", 1)[0])


def parse_reaction(
    body: Mapping[str, Any],
    *,
    agent_chat: ChatRef,
    sender: UserRef,
    ticket_id: int,
    now: datetime,
) -> InboundCommand | None:
    """:eyes: on a ticket's post -> ``claim <id>``; :white_check_mark: -> ``resolve <id>``."""
    event = event_of(body)
    name = reaction_command_name(event, agent_channel=agent_chat.chat_id)
    if name is None:
        return None
    return InboundCommand(
        event_id=event_id_of(body),
        chat=agent_chat,
        sender=sender,
        name=name,
        args=str(ticket_id),
        sent_at=slack_time(event.get("event_ts"), default=now),
        raw=body,
    )


def parse_user(
    user_id: str,
    info: Mapping[str, Any] | None,
    *,
    groups: frozenset[str] = frozenset(),
    fallback_name: str = "",
) -> UserRef:
    """A ``users.info`` ``user`` object -> ``UserRef`` with the name people see and the locale
    (``include_locale=true``). ``info`` None (the lookup failed): just the id."""
    name = fallback_name
    locale = None
    if info:
        profile = member(info, "profile")
        for candidate in (
            profile.get("display_name"),
            profile.get("real_name"),
            info.get("real_name"),
            info.get("name"),
        ):
            if isinstance(candidate, str) and candidate.strip():
                name = candidate.strip()
                break
        raw_locale = info.get("locale")
        locale = raw_locale if isinstance(raw_locale, str) and raw_locale else None
    return UserRef(Platform.SLACK, user_id, name, locale, groups)


def parse_usergroups(usergroups: object) -> dict[str, frozenset[str]]:
    """``usergroups.list?include_users=true`` -> user id -> ``{"slack-usergroup:S…"}``. Disabled
    groups (``date_delete`` set) grant nothing."""
    members: dict[str, set[str]] = {}
    for group in usergroups if isinstance(usergroups, list) else ():
        if not isinstance(group, Mapping) or group.get("date_delete"):
            continue
        group_id = group.get("id")
        if not isinstance(group_id, str) or not group_id:
            continue
        for user in group.get("users") or ():
            if isinstance(user, str):
                members.setdefault(user, set()).add(f"slack-usergroup:{group_id}")
    return {user: frozenset(names) for user, names in members.items()}
