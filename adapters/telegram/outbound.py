"""The Telegram ``Sender``: outbound messages -> Bot API calls, and Telegram's refusals ->
``DeliveryError``.

Where a message goes:

- a customer's private chat: ``sendMessage``, HTML, buttons as an inline keyboard;
- the agent chat, a ticket's first post (``ticket_id`` set, no ``thread_id``): in a forum
  supergroup a new topic is created for the ticket and its ``message_thread_id`` is returned as
  the post's platform id, so later posts (``thread_id`` = that id) go into the topic and agents'
  messages in the topic map back to the ticket; in a plain group the post's message id is
  returned and later posts are sent as replies to it.

Texts longer than Telegram's 4096 characters go as several messages (buttons on the last); the
first one's id is returned.

Errors (https://core.telegram.org/bots/api#making-requests): 429 carries
``parameters.retry_after``, which the outbox honours (nothing sleeps here); 403 (blocked by the
user, kicked from the group) and 400 (chat not found, bad markup) cannot get better and are
permanent; network errors and 5xx propagate, and the outbox retries them with backoff.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.render import (
    ButtonError,
    render_html,
    render_keyboard,
    render_plain,
    split_text,
    topic_name,
)
from conversations.messages import DeliveryError, OutboundMessage

log = logging.getLogger(__name__)

#: 400s that say "later" rather than "never" (Telegram's own flood and timeout wordings).
TRANSIENT_BAD_REQUESTS = ("try again", "timeout", "too many requests", "flood", "internal")
_NO_PREVIEWS = LinkPreviewOptions(is_disabled=True)
# Remembered so a retry does not repeat work Telegram already did: topics created for tickets,
# and parts of a split message sent before a later part failed.
_MEMORY = 1000
_PARTIAL_TTL = 3600.0


@dataclass(frozen=True, slots=True)
class Placement:
    """Where in a chat a message goes: a forum topic, and/or as a reply to a message."""

    message_thread_id: int | None = None
    reply_to: int | None = None

    def reply_parameters(self) -> ReplyParameters | None:
        if self.reply_to is None:
            return None
        # The post replied to may have been deleted; say it anyway rather than fail.
        return ReplyParameters(message_id=self.reply_to, allow_sending_without_reply=True)


class TelegramSender:
    """Implements ``conversations.messages.Sender`` for ``Platform.TELEGRAM``."""

    def __init__(self, bot: Bot, *, agent_chat_id: str) -> None:
        self._bot = bot
        self._agent_chat_id = agent_chat_id
        self._forum: bool | None = None  # unknown until asked
        self._topics: OrderedDict[int, int] = OrderedDict()  # ticket id -> message_thread_id
        self._partial: OrderedDict[tuple[object, ...], tuple[float, list[int]]] = OrderedDict()

    async def send(self, message: OutboundMessage) -> str:
        try:
            return await self._send(message)
        except ButtonError as error:
            raise DeliveryError(str(error), permanent=True) from error
        except Exception as error:
            mapped = delivery_error(error)
            if mapped is error:
                raise
            raise mapped from error

    async def agent_chat_is_forum(self) -> bool:
        """Whether the agent chat has topics, asked once (``getChat``): before the first post
        there, whenever that is, so no post goes out on a wrong guess."""
        if self._forum is None:
            chat = await self._bot.get_chat(self._agent_chat_id)
            self._forum = bool(chat.is_forum)
        return self._forum

    async def _send(self, message: OutboundMessage) -> str:
        keyboard = render_keyboard(message.buttons)
        chat_id = message.chat.chat_id
        forum = chat_id == self._agent_chat_id and await self.agent_chat_is_forum()
        platform_id: str | None = None
        if forum and message.ticket_id is not None and message.chat.thread_id is None:
            # A ticket's first post: it opens the ticket's topic.
            topic = await self._topic_for(message.ticket_id, message.text)
            placement = Placement(message_thread_id=topic)
            platform_id = str(topic)
        else:
            placement = self._placement(message, forum=forum)
        parts = split_text(message.text)
        key = (chat_id, message.chat.thread_id, message.ticket_id, message.text, message.buttons)
        sent = self._resume(key)
        for index in range(len(sent), len(parts)):
            last = index == len(parts) - 1
            try:
                message_id = await self.send_text(
                    chat_id, parts[index], placement, keyboard if last else None
                )
            except Exception:
                if sent:  # the outbox retries the whole message; do not repeat these parts
                    self._remember_partial(key, sent)
                raise
            sent.append(message_id)
        self._partial.pop(key, None)
        return platform_id or str(sent[0])

    async def send_text(
        self,
        chat_id: str,
        text: str,
        placement: Placement = Placement(),
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> int:
        """Send one part (at most 4096 characters once rendered) and return its message id. Raises
        the SDK's errors; ``send`` turns them into ``DeliveryError``."""
        try:
            sent = await self._bot.send_message(
                chat_id=chat_id,
                text=render_html(text),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                message_thread_id=placement.message_thread_id,
                reply_parameters=placement.reply_parameters(),
                link_preview_options=_NO_PREVIEWS,
            )
        except BadRequest as error:
            if "can't parse entities" not in error.message.lower():
                raise
            # Our HTML should always parse; if Telegram disagrees, the words matter more.
            log.warning("Telegram refused our HTML (%s); sending plain text", error.message)
            sent = await self._bot.send_message(
                chat_id=chat_id,
                text=render_plain(text),
                reply_markup=keyboard,
                message_thread_id=placement.message_thread_id,
                reply_parameters=placement.reply_parameters(),
                link_preview_options=_NO_PREVIEWS,
            )
        return sent.message_id

    async def send_reply(
        self, chat_id: str, text: str, *, reply_to: int, message_thread_id: int | None = None
    ) -> None:
        """Answer a message directly (an agent's command), outside the outbox: it concerns only
        the agent who asked, and is not part of any ticket."""
        placement = Placement(message_thread_id=message_thread_id, reply_to=reply_to)
        for part in split_text(text):
            await self.send_text(chat_id, part, placement)

    # -- where a message goes ------------------------------------------------------------------

    def _placement(self, message: OutboundMessage, *, forum: bool) -> Placement:
        thread_id = message.chat.thread_id
        if message.chat.chat_id != self._agent_chat_id or thread_id is None:
            return Placement()
        if not thread_id.lstrip("-").isdigit():
            log.warning("ignoring thread id %r: not a Telegram message id", thread_id)
            return Placement()
        if forum:
            return Placement(message_thread_id=int(thread_id))
        return Placement(reply_to=int(thread_id))

    async def _topic_for(self, ticket_id: int, text: str) -> int:
        topic = self._topics.get(ticket_id)
        if topic is None:
            created = await self._bot.create_forum_topic(
                chat_id=self._agent_chat_id, name=topic_name(ticket_id, text)
            )
            topic = created.message_thread_id
            self._topics[ticket_id] = topic
            while len(self._topics) > _MEMORY:
                self._topics.popitem(last=False)
        return topic

    def _resume(self, key: tuple[object, ...]) -> list[int]:
        entry = self._partial.get(key)
        if entry is None or time.monotonic() - entry[0] > _PARTIAL_TTL:
            return []
        return list(entry[1])

    def _remember_partial(self, key: tuple[object, ...], sent: list[int]) -> None:
        self._partial[key] = (time.monotonic(), list(sent))
        self._partial.move_to_end(key)
        while len(self._partial) > _MEMORY:
            self._partial.popitem(last=False)


def delivery_error(error: Exception) -> Exception:
    """What the outbox should make of an SDK error: a ``DeliveryError`` when Telegram answered,
    the error itself (retried with backoff) when it did not."""
    if isinstance(error, RetryAfter):
        seconds = retry_after_seconds(error)
        return DeliveryError(
            f"429 Too Many Requests: retry after {seconds:g}s", retry_after=seconds
        )
    if isinstance(error, ChatMigrated):
        return DeliveryError(
            f"the group became a supergroup with id {error.new_chat_id}; "
            "update TELEGRAM_AGENT_CHAT_ID",
            permanent=True,
        )
    if isinstance(error, Forbidden):
        return DeliveryError(f"403 {error.message}", permanent=True)
    if isinstance(error, BadRequest):  # a NetworkError subclass: test it before those
        transient = any(word in error.message.lower() for word in TRANSIENT_BAD_REQUESTS)
        return DeliveryError(f"400 {error.message}", permanent=not transient)
    return error


def retry_after_seconds(error: RetryAfter) -> float:
    # PTB 22 returns an int, or a timedelta with PTB_TIMEDELTA=true, and warns about the change.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)
