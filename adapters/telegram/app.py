"""The Telegram adapter: python-telegram-bot's ``Application`` set up, its one handler, and the
lifecycle the composition root drives.

Every update goes through one handler: ``parse_update`` -> ``dispatch`` -> answer. The engine
answers requesters through the outbox (``TelegramSender``); what it returns is for an agent:

- a command in the agent chat (``/claim 12``): the Reply is sent as a reply to the command
  message, straight away (Telegram has no ephemeral messages; it is not part of any ticket);
- a button press: the Reply is the callback query's answer, a short toast;
- free text in a ticket's thread: only a refusal is sent back, since the engine already posts
  "X replied: ..." under the ticket.

Updates arrive by long polling unless a webhook URL is given; then ``mount`` adds the route to
Deskbot's own aiohttp application and ``start`` calls ``setWebhook``. PTB's ``Updater`` is not used
(``updater(None)``, as in its ``customwebhookbot`` example) in either mode: it confirms updates
before they are handled, so Deskbot polls itself (``polling.py``, after ``deleteWebhook``). Both
modes hand each update to ``_process``, which says whether it was taken.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import (
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    CallbackQuery,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from adapters.base import AdapterStartError
from adapters.telegram.inbound import parse_update
from adapters.telegram.menu import agent_menu, requester_menu
from adapters.telegram.outbound import TelegramSender
from adapters.telegram.polling import Poller
from adapters.telegram.render import toast
from adapters.telegram.webhook import webhook_route
from conversations.messages import (
    ChatRef,
    Dispatch,
    InboundAction,
    InboundCommand,
    InboundEvent,
    Platform,
    Reply,
    Sender,
    Unavailable,
)
from conversations.views import Desk

log = logging.getLogger(__name__)

#: The updates Deskbot acts on; others (edits, reactions, member changes) are not even sent.
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")


class TelegramAdapter:
    """Customers in private chats, agents in one group (optionally a forum, a topic per ticket)."""

    def __init__(
        self,
        *,
        token: str,
        agent_chat_id: str,
        dispatch: Dispatch,
        desk: Desk,
        base_url: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_path: str = "/telegram/webhook",
    ) -> None:
        # The settings were validated by TelegramSettings (channel.py) at start-up.
        assert webhook_secret or not webhook_url
        if webhook_url and urlsplit(webhook_url).path.rstrip("/") != webhook_path.rstrip("/"):
            # A reverse proxy may rewrite the path, so this is only worth a word.
            log.warning(
                "the Telegram webhook URL %s does not end in %s, where the route is mounted",
                webhook_url,
                webhook_path,
            )
        self._dispatch = dispatch
        self._desk = desk  # what agent surfaces may read; the handler needs only dispatch
        self._agent_chat_id = agent_chat_id
        self._webhook_url = webhook_url
        self._webhook_secret = webhook_secret
        self._webhook_path = webhook_path
        # Updates the engine could not take (``Unavailable``): the webhook answers 500 for them
        # and the poller asks for them again, so Telegram delivers them again.
        self._not_taken: set[int] = set()

        builder = Application.builder().token(token).updater(None)
        if base_url:
            builder = builder.base_url(base_url)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self._poller = (
            None
            if webhook_url
            else Poller(self.application.bot, self._process, allowed_updates=ALLOWED_UPDATES)
        )

        self.agent_chat = ChatRef(Platform.TELEGRAM, agent_chat_id)
        self._sender = TelegramSender(self.application.bot, agent_chat_id=agent_chat_id)
        self.sender: Sender = self._sender

    # -- lifecycle -----------------------------------------------------------------------------

    def mount(self, app: web.Application) -> None:
        """Add the webhook route to ``app`` (before it starts); nothing in polling mode."""
        if not self._webhook_url:
            return
        assert self._webhook_secret is not None
        route = webhook_route(
            self.application.bot,
            lambda: self.application.running,
            self._process,
            self._webhook_secret,
        )
        app.router.add_post(self._webhook_path, route)

    async def _process(self, update: Update) -> bool:
        """Run ``update`` through the application; False when the engine could not take it."""
        await self.application.process_update(update)
        if update.update_id in self._not_taken:
            self._not_taken.discard(update.update_id)
            return False
        return True

    async def start(self) -> None:
        """Connect (``getMe``), learn whether the agent chat is a forum, register the command
        menus, then poll or set the webhook."""
        application = self.application
        try:
            await application.initialize()
        except TelegramError as error:
            # PTB's InvalidToken message quotes the token: a secret must not reach the logs.
            reason = error.message.replace(application.bot.token, "<TELEGRAM_BOT_TOKEN>")
            raise AdapterStartError(
                f"Telegram refused the bot ({reason}): check TELEGRAM_BOT_TOKEN"
            ) from error
        try:
            await self._check_agent_chat()
            await self._register_commands()
            await application.start()
            if self._webhook_url:
                await application.bot.set_webhook(
                    url=self._webhook_url,
                    secret_token=self._webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
                log.info("Telegram: webhook set to %s", self._webhook_url)
            else:
                assert self._poller is not None
                await application.bot.delete_webhook()  # getUpdates is refused while one is set
                self._poller.start()
                log.info("Telegram: polling for updates as @%s", application.bot.username)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop polling (the parked getUpdates is abandoned at once), finish the update being
        handled, and close the HTTP connections. Safe to call more than once."""
        application = self.application
        if self._poller is not None:
            await self._poller.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def _check_agent_chat(self) -> None:
        """Fail at start, not at the first ticket, when the bot cannot see the agent chat."""
        try:
            forum = await self._sender.agent_chat_is_forum()
        except TelegramError as error:
            raise AdapterStartError(
                f"Telegram cannot show the agent chat {self._agent_chat_id} to the bot "
                f"({error.message}): check TELEGRAM_AGENT_CHAT_ID and that the bot is a member"
            ) from error
        log.info(
            "Telegram: agent chat %s%s",
            self._agent_chat_id,
            " is a forum: one topic per ticket" if forum else "",
        )

    async def _register_commands(self) -> None:
        bot = self.application.bot
        try:
            await bot.set_my_commands(
                agent_menu(), scope=BotCommandScopeChat(int(self._agent_chat_id))
            )
            await bot.set_my_commands(requester_menu(), scope=BotCommandScopeAllPrivateChats())
        except TelegramError as error:
            # Only the "/" menu suffers: commands typed in full still work.
            log.warning("Telegram: could not register the command menus: %s", error.message)

    # -- updates -------------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        event = parse_update(
            update,
            agent_chat_id=self._agent_chat_id,
            bot_username=self.application.bot.username,
            now=datetime.now(UTC),
        )
        reply: Reply | None = None
        try:
            if event is not None:
                reply = await self._dispatch(event)
        except Unavailable:
            # ``_process`` says so: the webhook answers 500, the poller asks for it again.
            self._not_taken.add(update.update_id)
            return
        finally:
            if update.callback_query is not None:
                # Always answered, or the button keeps spinning on the person's screen.
                await self._answer_press(update.callback_query, reply)
        message = update.message
        if reply is not None and message is not None and self._answers_in_chat(event, reply):
            await self._reply_to(message, reply)

    @staticmethod
    def _answers_in_chat(event: InboundEvent | None, reply: Reply) -> bool:
        if isinstance(event, InboundAction):
            return False  # a toast
        return isinstance(event, InboundCommand) or not reply.ok

    async def _answer_press(self, query: CallbackQuery, reply: Reply | None) -> None:
        try:
            await query.answer(text=toast(reply.text) if reply is not None else None)
        except TelegramError as error:  # e.g. "query is too old": the press itself counted
            log.info("Telegram: could not answer callback query %s: %s", query.id, error.message)

    async def _reply_to(self, message: Message, reply: Reply) -> None:
        thread = message.message_thread_id if message.is_topic_message else None
        try:
            await self._sender.send_reply(
                str(message.chat.id),
                reply.text,
                reply_to=message.message_id,
                message_thread_id=thread,
            )
        except TelegramError as error:
            log.warning(
                "Telegram: could not answer %s in %s: %s",
                message.message_id,
                message.chat.id,
                error.message,
            )

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram: update %s failed", update_id, exc_info=context.error)
