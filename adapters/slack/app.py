"""Set-up of the Slack adapter: a bolt ``AsyncApp``, its listeners, the aiohttp route and Socket
Mode. The composition root builds one ``SlackAdapter``, mounts it, registers ``adapter.sender`` for
``Platform.SLACK`` and calls ``start``/``stop`` with the server's lifecycle.

Events, slash commands and interactivity all arrive on one path (``/slack/events``), as with
bolt's own aiohttp adapter: request -> ``AsyncBoltRequest`` -> ``app.async_dispatch`` ->
response. bolt verifies every HTTP request's signature (HMAC-SHA256 over
``v0:{timestamp}:{body}``, at most five minutes old) and answers 401 otherwise, before any
listener runs. With an app token the same listeners are fed over Socket Mode instead.

Slack wants an answer within three seconds
(https://docs.slack.dev/apis/events-api/#responding), so every listener acknowledges first and
hands the slow part (user look-ups, the engine, ephemeral answers) to a background task. The
tasks are tracked: ``drain()`` waits for them (tests, shutdown). ``process_before_response`` is on
so that bolt runs the listener to its end (the ack and the hand-off) before answering: nothing of
ours runs in a task bolt does not tell us about.

Redelivery: Slack retries an event it thinks we missed (``X-Slack-Retry-Num``) with the same
``event_id``; slash commands carry a ``trigger_id`` and button presses an ``action_ts``. Those are
the event ids handed to the engine, which handles each once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Coroutine, Hashable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import AdapterStartError
from adapters.slack.directory import SlackDirectory
from adapters.slack.inbound import (
    MessageKind,
    action_thread,
    event_of,
    member,
    mention_chat,
    parse_actions,
    parse_command,
    parse_mention,
    parse_message,
    parse_reaction,
    reaction_command_name,
    route_message,
)
from adapters.slack.outbound import MAX_TEXT_CHARS, SlackSender, render_mrkdwn, truncate
from conversations.messages import ChatRef, Dispatch, Platform
from conversations.views import Desk

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"

DEFAULT_API_URL = "https://slack.com/api/"
SLASH_COMMAND = "/desk"
#: Threads in channels where someone mentioned the bot, so their later replies (without another
#: mention) join that conversation. In memory, bounded: after a restart a reply in an old thread
#: needs a new mention.
MAX_MENTION_THREADS = 10_000
DRAIN_ON_STOP_SECONDS = 10.0


def utcnow() -> datetime:
    return datetime.now(UTC)


class SlackStartError(AdapterStartError):
    """Slack refused the bot token (or the app token) at start: a configuration problem."""


class SlackAdapter:
    def __init__(
        self,
        *,
        bot_token: str,
        signing_secret: str,
        agent_channel: str,
        dispatch: Dispatch,
        desk: Desk,
        api_url: str | None = None,
        app_token: str | None = None,
        path: str = "/slack/events",
    ) -> None:
        self.agent_channel = agent_channel
        self.agent_chat = ChatRef(Platform.SLACK, agent_channel)
        self.path = path
        self._dispatch = dispatch
        self._app_token = app_token or None
        self._signing_secret = signing_secret
        base_url = api_url or DEFAULT_API_URL
        # No retry handlers: the Outbox owns retries (and honours Retry-After itself); a client
        # retrying on its own would hold the delivery worker and hide 429s from it.
        self.client = AsyncWebClient(
            token=bot_token,
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            retry_handlers=[],
        )
        self.directory = SlackDirectory(self.client)
        self.sender = SlackSender(self.client, agent_channel=agent_channel, desk=desk)
        self.bolt = AsyncApp(
            name="deskbot",
            client=self.client,
            signing_secret=signing_secret,
            process_before_response=True,
            attaching_conversation_kwargs_enabled=False,
        )
        self.bot_user_id: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._mention_threads: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._chat_locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}
        self._socket: AsyncSocketModeHandler | None = None
        self._register()

    # -- lifecycle -----------------------------------------------------------------------------

    def mount(self, app: web.Application) -> None:
        """Add ``POST <path>`` (events, slash commands and interactivity) to ``app``; not without
        a signing secret (Socket Mode alone): bolt answered every request there with a 500, and a
        signature made with an empty key is one anyone could make."""
        if not self._signing_secret:
            log.info("Slack: no SLACK_SIGNING_SECRET, so no HTTP route (Socket Mode only)")
            return
        app.router.add_post(self.path, self.handle_http)

    async def start(self) -> None:
        """Learn who the bot is (``auth.test``: its own messages are ignored by user id) and, with
        an app token, connect Socket Mode. A refused token fails here, loudly."""
        try:
            identity = await self.client.auth_test()
        except Exception as error:
            raise SlackStartError(
                f"Slack auth.test failed ({_reason(error)}); "
                "check SLACK_BOT_TOKEN and DESKBOT_SLACK_API_URL"
            ) from error
        self.bot_user_id = identity.get("user_id")
        log.info("Slack: connected as %s (%s)", identity.get("user"), self.bot_user_id)
        if self._app_token:
            await self._connect_socket_mode(self._app_token)

    async def _connect_socket_mode(self, app_token: str) -> None:
        handler = AsyncSocketModeHandler(self.bolt, app_token, web_client=self.client)
        try:
            # Asked for here, not inside connect(): the SDK retries a refused app token forever.
            handler.client.wss_uri = await handler.client.issue_new_wss_url()
        except Exception as error:
            await handler.close_async()
            raise SlackStartError(
                f"Slack Socket Mode could not start ({_reason(error)}); check SLACK_APP_TOKEN"
            ) from error
        await handler.connect_async()
        self._socket = handler
        log.info("Slack: Socket Mode connected")

    async def stop(self) -> None:
        if self._socket is not None:
            socket, self._socket = self._socket, None
            await socket.close_async()
        try:
            await asyncio.wait_for(self.drain(), DRAIN_ON_STOP_SECONDS)
        except TimeoutError:
            log.warning("Slack: %d task(s) still running at stop; cancelling", len(self._tasks))
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until every event handed to the background has been handled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- HTTP ----------------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        """Slack's request -> bolt -> Slack's response, as ``slack_bolt.adapter.aiohttp`` does."""
        timestamp = request.headers.get(TIMESTAMP_HEADER)
        if timestamp is not None and not (timestamp.isascii() and timestamp.isdigit()):
            # bolt would fail to read it as a number (a 500); it is simply not signed right.
            return web.json_response({"error": f"{TIMESTAMP_HEADER} is not a number."}, status=401)
        bolt_request = await to_bolt_request(request)
        bolt_response = await self.bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    # -- listeners: acknowledge, then hand over ---------------------------------------------------

    def _register(self) -> None:
        self.bolt.event("message")(self._on_message)
        self.bolt.event("app_mention")(self._on_mention)
        self.bolt.event("reaction_added")(self._on_reaction)
        # Anything else subscribed to is acknowledged, so Slack does not retry it.
        self.bolt.event(re.compile(".*"))(self._on_other_event)
        self.bolt.command(SLASH_COMMAND)(self._on_command)
        self.bolt.action(re.compile(".*"))(self._on_action)

    def _bot_user_id(self, context: AsyncBoltContext) -> str | None:
        return context.bot_user_id or self.bot_user_id

    async def _on_message(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        event = event_of(body)
        route = route_message(
            event, agent_channel=self.agent_channel, bot_user_id=self._bot_user_id(context)
        )
        if route is None:
            return
        user = str(event["user"])
        if route.kind is MessageKind.CHANNEL_THREAD:
            # A reply in some channel thread: only the thread of a mention, from its requester
            # (others join by mentioning the bot), so colleagues' chatter stays theirs.
            key = (route.chat.chat_id, route.chat.thread_id or "")
            if self._mention_threads.get(key) != user:
                return
        self._spawn(self._handle_message(body, route.chat, user), "message")

    async def _on_mention(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        event = event_of(body)
        bot_user_id = self._bot_user_id(context)
        user = event.get("user")
        if not isinstance(user, str) or not user or user == bot_user_id or event.get("bot_id"):
            return
        chat = mention_chat(event, agent_channel=self.agent_channel)
        if chat is None:
            return
        self._remember_mention_thread(chat, user)
        self._spawn(self._handle_mention(body, chat, user, bot_user_id), "app_mention")

    async def _on_reaction(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        event = event_of(body)
        user = event.get("user")
        if not isinstance(user, str) or not user or user == self._bot_user_id(context):
            return
        if reaction_command_name(event, agent_channel=self.agent_channel) is None:
            return
        item = member(event, "item")
        found = self.sender.posts.ticket_of(str(item.get("ts") or ""))
        if found is None:
            log.debug("reaction on a post this process does not know; ignored")
            return
        ticket_id, root_ts = found
        self._spawn(self._handle_reaction(body, user, ticket_id, root_ts), "reaction_added")

    async def _on_other_event(self, ack: AsyncAck) -> None:
        await ack()

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # empty: the answer follows through response_url, ephemeral
        self._spawn(self._handle_command(body, respond), "slash command")

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        self._spawn(self._handle_actions(body), "block_actions")

    # -- the slow part ---------------------------------------------------------------------------

    async def _handle_message(self, body: Mapping[str, Any], chat: ChatRef, user: str) -> None:
        async with self._in_order(chat):
            sender = await self.directory.user(user)
            reply = await self._dispatch(
                parse_message(body, chat=chat, sender=sender, now=utcnow())
            )
        # A reply in a ticket thread is echoed into the thread by the engine; only a refusal
        # ("You're not allowed...") needs saying, to the agent alone.
        if reply is not None and not reply.ok and chat.chat_id == self.agent_channel:
            await self.sender.post_ephemeral(
                channel=self.agent_channel, user=user, text=reply.text, thread_ts=chat.thread_id
            )

    async def _handle_mention(
        self, body: Mapping[str, Any], chat: ChatRef, user: str, bot_user_id: str | None
    ) -> None:
        async with self._in_order(chat):
            sender = await self.directory.user(user)
            await self._dispatch(
                parse_mention(body, chat=chat, sender=sender, bot_user_id=bot_user_id, now=utcnow())
            )

    async def _handle_reaction(
        self, body: Mapping[str, Any], user: str, ticket_id: int, root_ts: str
    ) -> None:
        sender = await self.directory.user(user)
        command = parse_reaction(
            body, agent_chat=self.agent_chat, sender=sender, ticket_id=ticket_id, now=utcnow()
        )
        if command is None:
            return
        reply = await self._dispatch(command)
        if reply is not None:
            await self.sender.post_ephemeral(
                channel=self.agent_channel, user=user, text=reply.text, thread_ts=root_ts
            )

    async def _handle_command(self, body: Mapping[str, Any], respond: AsyncRespond) -> None:
        user = str(body.get("user_id") or "")
        sender = await self.directory.user(user, fallback_name=str(body.get("user_name") or ""))
        command = parse_command(body, agent_chat=self.agent_chat, sender=sender, now=utcnow())
        reply = await self._dispatch(command)
        if reply is None:  # a redelivery: answered the first time
            return
        try:
            await respond(
                text=render_mrkdwn(truncate(reply.text, MAX_TEXT_CHARS - 1000)),
                response_type="ephemeral",
            )
        except Exception:
            log.warning("could not answer /desk through its response_url", exc_info=True)

    async def _handle_actions(self, body: Mapping[str, Any]) -> None:
        who = member(body, "user")
        user = str(who.get("id") or "")
        if not user:
            return
        sender = await self.directory.user(
            user, fallback_name=str(who.get("name") or who.get("username") or "")
        )
        for press in parse_actions(
            body, agent_channel=self.agent_channel, sender=sender, now=utcnow()
        ):
            if press.chat == self.agent_chat:
                reply = await self._dispatch(press)
                if reply is not None:
                    await self.sender.post_ephemeral(
                        channel=self.agent_channel,
                        user=user,
                        text=reply.text,
                        thread_ts=action_thread(body),
                    )
            else:
                async with self._in_order(press.chat):
                    await self._dispatch(press)

    # -- bookkeeping -----------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        task = asyncio.create_task(self._guarded(work, what), name=f"slack {what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Awaitable[None], what: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            # Slack was acknowledged already; the engine logs and apologises for its own failures,
            # so this is a failure around it (a look-up, an ephemeral answer).
            log.exception("Slack %s failed after it was acknowledged", what)

    def _remember_mention_thread(self, chat: ChatRef, user: str) -> None:
        key = (chat.chat_id, chat.thread_id or "")
        self._mention_threads.setdefault(key, user)
        self._mention_threads.move_to_end(key)
        while len(self._mention_threads) > MAX_MENTION_THREADS:
            self._mention_threads.popitem(last=False)

    @contextlib.asynccontextmanager
    async def _in_order(self, chat: ChatRef) -> AsyncIterator[None]:
        """One event at a time per requester chat, in arrival order (``asyncio.Lock`` is FIFO):
        two quick messages must reach the engine in the order they were written."""
        key = (chat.chat_id, chat.thread_id)
        lock, users = self._chat_locks.get(key, (asyncio.Lock(), 0))
        self._chat_locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chat_locks[key]
            if users <= 1:
                del self._chat_locks[key]
            else:
                self._chat_locks[key] = (lock, users - 1)


def _reason(error: Exception) -> str:
    """Slack's own error code (``invalid_auth``) for an API refusal, else the first line."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "refused")
    return (str(error).splitlines() or [type(error).__name__])[0]


__all__ = ["SlackAdapter", "SlackStartError"]
