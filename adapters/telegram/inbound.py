"""Telegram updates -> boundary types.

Pure functions over ``telegram.Update`` objects: no network, no engine. ``parse_update`` returns
the event the engine should see, or ``None`` for updates Deskbot ignores (other bots, groups that
are not the agents', service messages, stickers...).

Where things come from (https://core.telegram.org/bots/api#update):

- Customers write to the bot in a private chat. Text, a photo's caption or a document's file name
  becomes the message text, so whatever they send joins their open ticket.
- Agents work in one group (the agent chat). ``/claim 12`` or ``/claim@deskbot 12`` is a command;
  any other message there is free text, threaded under a ticket when it is a reply to one of the
  ticket's posts (``reply_to_message``), to a reply under one (the reply thread's root,
  ``message_thread_id``) or written in the ticket's forum topic (``message_thread_id``). The
  engine maps that thread id back to the ticket; nothing here reads ``forward_from``, which
  privacy settings hide.
- Button presses arrive as ``callback_query`` with our ``action_id|value`` as data.
- A customer blocking the bot arrives as ``my_chat_member`` (the bot ``kicked`` from their
  private chat): an ``InboundUnreachable``.

``event_id`` is the ``update_id``: Telegram redelivers an update with the same id, and the engine
handles each id once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from telegram import CallbackQuery, ChatMemberUpdated, Message, MessageEntity, Update, User
from telegram.constants import ChatType

from adapters.telegram.render import CALLBACK_SEPARATOR
from conversations.messages import (
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundEvent,
    InboundMessage,
    InboundUnreachable,
    Platform,
    UserRef,
)

# https://core.telegram.org/bots/features#commands: up to 32 of a-z, 0-9 and _; clients also
# send "/command@botname" in groups.
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+(.*))?", re.DOTALL)


def group_name(agent_chat_id: str) -> str:
    """The group everyone writing in the agent chat belongs to; the team file can grant it a role
    (``who: telegram-group:-100123``)."""
    return f"telegram-group:{agent_chat_id}"


def parse_user(user: User, *, agent_chat_id: str | None = None) -> UserRef:
    """``agent_chat_id`` when the person acted in the agent chat: they are a member of it."""
    groups = frozenset({group_name(agent_chat_id)}) if agent_chat_id else frozenset()
    return UserRef(
        Platform.TELEGRAM,
        user_id=str(user.id),
        display_name=user.full_name,
        locale=user.language_code or None,
        groups=groups,
    )


def parse_update(
    update: Update, *, agent_chat_id: str, bot_username: str | None, now: datetime
) -> InboundEvent | None:
    """The event for ``update``, or ``None`` when Deskbot has nothing to do with it.

    ``bot_username`` (without ``@``) tells our commands from other bots' in a group; ``now`` is
    the time of a button press, which Telegram does not date.
    """
    if update.callback_query is not None:
        return parse_callback_query(
            update.update_id, update.callback_query, agent_chat_id=agent_chat_id, now=now
        )
    if update.message is not None:
        return parse_message(
            update.update_id,
            update.message,
            agent_chat_id=agent_chat_id,
            bot_username=bot_username,
            now=now,
        )
    if update.my_chat_member is not None:
        return parse_blocked(update.update_id, update.my_chat_member)
    return None


def parse_blocked(update_id: int, change: ChatMemberUpdated) -> InboundUnreachable | None:
    """A customer who blocks the bot: Telegram says so at once (``my_chat_member``, the bot's
    own membership of the private chat, now ``kicked``). Other membership changes (the bot
    added to a group, or unblocked) need nothing from the desk."""
    if change.chat.type != ChatType.PRIVATE or change.new_chat_member.status != "kicked":
        return None
    return InboundUnreachable(
        event_id=str(update_id),
        chat=ChatRef(Platform.TELEGRAM, str(change.chat.id)),
        sender=parse_user(change.from_user),
        reason="they blocked the bot",
        sent_at=change.date,
        raw=change.to_dict(),
    )


def _chat_ref(chat_id: int, agent_chat_id: str, chat_type: str) -> ChatRef | None:
    """Private chats and the agent chat; other groups the bot was added to are not ours."""
    if str(chat_id) == agent_chat_id or chat_type == ChatType.PRIVATE:
        return ChatRef(Platform.TELEGRAM, str(chat_id))
    return None


def parse_message(
    update_id: int,
    message: Message,
    *,
    agent_chat_id: str,
    bot_username: str | None,
    now: datetime,
) -> InboundMessage | InboundCommand | None:
    user = message.from_user
    # Other bots (and "anonymous admin" posts, which come from a bot account) cannot be told
    # apart, so they can neither ask nor answer.
    if user is None or user.is_bot:
        return None
    chat = _chat_ref(message.chat.id, agent_chat_id, message.chat.type)
    if chat is None:
        return None
    in_agent_chat = chat.chat_id == agent_chat_id
    sender = parse_user(user, agent_chat_id=agent_chat_id if in_agent_chat else None)
    event_id = str(update_id)
    sent_at = message.date or now
    raw = message.to_dict()

    command = parse_command(message)
    if command is not None:
        if not command.is_for(bot_username):
            return None
        return InboundCommand(
            event_id=event_id,
            chat=chat,
            sender=sender,
            name=command.name,
            args=command.args,
            sent_at=sent_at,
            raw=raw,
        )

    text = message_text(message)
    if text is None:
        return None
    if in_agent_chat:
        chat = ChatRef(Platform.TELEGRAM, chat.chat_id, thread_of(message))
    return InboundMessage(
        event_id=event_id, chat=chat, sender=sender, text=text, sent_at=sent_at, raw=raw
    )


def thread_of(message: Message) -> str | None:
    """The agent-chat message a message answers, whose platform id the engine maps to a ticket.
    ``None``: not threaded.

    - In a forum topic: the topic (its id is the ticket's first post there).
    - A reply to one of the bot's posts: that post.
    - A reply to a person's message (a colleague's reply under a ticket): the reply thread's root,
      which a plain supergroup gives as ``message_thread_id`` without ``is_topic_message``. The
      colleague's message itself is not the bot's, so it would map to no ticket.
    """
    if message.is_topic_message and message.message_thread_id is not None:
        return str(message.message_thread_id)
    replied = message.reply_to_message
    if replied is None:
        return None
    by_a_bot = replied.from_user is not None and replied.from_user.is_bot
    if not by_a_bot and message.message_thread_id is not None:
        return str(message.message_thread_id)
    return str(replied.message_id)


def message_text(message: Message) -> str | None:
    """What a message says, attachments named: ``"Here it is\\n[file: report.pdf]"``. ``None``
    for what carries no words (stickers, service messages): nothing for a ticket."""
    lines = [(message.text or message.caption or "").strip()]
    if message.photo:
        lines.append("[photo]")
    if message.video is not None:
        lines.append("[video]")
    if message.voice is not None:
        lines.append("[voice message]")
    if message.audio is not None:
        lines.append(f"[audio: {message.audio.file_name or message.audio.title or 'audio'}]")
    if message.document is not None:
        lines.append(f"[file: {message.document.file_name or 'unnamed'}]")
    text = "\n".join(line for line in lines if line)
    return text or None


@dataclass(frozen=True, slots=True)
class CommandText:
    """``/claim@deskbot 12``: ``name="claim"``, ``args="12"``, ``addressee="deskbot"``."""

    name: str
    args: str
    addressee: str | None = None

    def is_for(self, bot_username: str | None) -> bool:
        """In a group, ``/claim@otherbot`` is another bot's business."""
        return not (
            self.addressee and bot_username and self.addressee.casefold() != bot_username.casefold()
        )


def parse_command(message: Message) -> CommandText | None:
    """The command a message is, or ``None`` when it is not one.

    Telegram marks commands with a ``bot_command`` entity at offset 0; a message that has
    entities but not that one is text (``/ not a command``). Captions are never commands.
    """
    text = message.text
    if not text or not text.startswith("/"):
        return None
    if message.entities and not any(
        entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0
        for entity in message.entities
    ):
        return None
    match = _COMMAND.fullmatch(text.strip())
    if match is None:
        return None
    return CommandText(match.group(1).lower(), (match.group(3) or "").strip(), match.group(2))


def parse_callback_query(
    update_id: int, query: CallbackQuery, *, agent_chat_id: str, now: datetime
) -> InboundAction | None:
    """A button press: ``data`` is ``action_id|value`` exactly as the button set them."""
    message = query.message
    if message is None or not query.data:  # inline-mode messages and games carry no chat/data
        return None
    if query.from_user.is_bot:  # pragma: no cover - bots cannot press buttons
        return None
    chat = _chat_ref(message.chat.id, agent_chat_id, message.chat.type)
    if chat is None:
        return None
    action_id, _, value = query.data.partition(CALLBACK_SEPARATOR)
    if not action_id:
        return None
    in_agent_chat = chat.chat_id == agent_chat_id
    return InboundAction(
        event_id=str(update_id),
        chat=chat,
        sender=parse_user(query.from_user, agent_chat_id=agent_chat_id if in_agent_chat else None),
        action_id=action_id,
        value=value,
        sent_at=now,
        raw=query.to_dict(),
    )
