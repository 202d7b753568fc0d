"""Set-up of the Slack adapter: a bolt ``AsyncApp``, its listeners, the aiohttp route and Socket
Mode. The composition root builds one ``SlackAdapter``, mounts it, registers ``adapter.sender`` for
``Platform.SLACK`` and calls ``start``/``stop`` with the server's lifecycle.

Events, slash commands and interactivity all arrive on one path (``/slack/events``), as with
bolt's own aiohttp adapter: request -> ``AsyncBoltRequest`` -> ``app.async_dispatch`` ->
response. bolt verifies every HTTP request's signature (HMAC-SHA256 over
``v0:{timestamp}:{body}``, at most five minutes old) and answers 401 otherwise, before any
listener runs. With an app token the same listeners are fed over Socket Mode instead.

Nothing is acknowledged before the engine has taken it: each listener runs the engine's part
(the user look-up, ``dispatch``, which commits) and only then acks; what follows (an ephemeral
answer, the slash command's ``response_url`` answer) runs in a background task after the ack.
``process_before_response`` is on so that bolt answers only when the listener has finished. When
the engine raises ``Unavailable`` (the database is down) there is no ack: bolt answers 500 over
HTTP and sends nothing over Socket Mode, and Slack delivers the event again. Slack never sends a
slash command again, so ``/desk`` is answered with a notice to run it again instead. Slack wants
an answer within three seconds (https://docs.slack.dev/apis/events-api/#responding); the
engine's part takes milliseconds, and an event answered late is sent again and taken once. The
background tasks are tracked: ``drain()`` waits for them (tests, shutdown).

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
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import BODY_SECONDS, AdapterStartError
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
from conversations.messages import ChatRef, Dispatch, Platform, Unavailable
from conversations.views import Desk

log = logging.getLogger(__name__)

#: What a listener leaves to do once Slack has been acknowledged (an ephemeral answer), if any.
FollowUp = Coroutine[Any, Any, None] | None

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
        try:
            async with asyncio.timeout(BODY_SECONDS):
                bolt_request = await to_bolt_request(request)  # reads the body
        except TimeoutError:
            return web.json_response(
                {"error": "The body did not arrive in time; send it again."}, status=408
            )
        try:
            bolt_response = await self.bolt.async_dispatch(bolt_request)
        except Exception as error:
            # Bolt itself could not read the payload (a block_actions without actions makes
            # its error handling fail in turn): a 400, not aiohttp's 500 and traceback.
            log.warning("Slack payload bolt could not read: %s: %s", type(error).__name__, error)
            return web.json_response({"error": "Deskbot cannot read this payload."}, status=400)
        return await to_aiohttp_response(bolt_response)

    # -- listeners: take, acknowledge, then follow up ------------------------------------------

    def _register(self) -> None:
        self.bolt.event("message")(self._on_message)
        self.bolt.event("app_mention")(self._on_mention)
        self.bolt.event("reaction_added")(self._on_reaction)
        # Anything else subscribed to is acknowledged, so Slack does not retry it.
        self.bolt.event(re.compile(".*"))(self._on_other_event)
        self.bolt.command(SLASH_COMMAND)(self._on_command)
        self.bolt.action(re.compile(".*"))(self._on_action)
        # Interactivity Deskbot does not use (another app's modal on the same Slack app, a
        # shortcut someone added): acknowledged and ignored, so Slack shows no error and does not
        # retry. Unmatched, bolt answers 404 over HTTP and never acks it in Socket Mode.
        every = re.compile(".*")
        self.bolt.view(every)(self._on_unused)
        self.bolt.view_closed(every)(self._on_unused)
        self.bolt.shortcut(every)(self._on_unused)
        self.bolt.options(every)(self._on_unused_options)
        self.bolt.error(self._on_listener_error)

    def _bot_user_id(self, context: AsyncBoltContext) -> str | None:
        return context.bot_user_id or self.bot_user_id

    async def _take(self, ack: AsyncAck, work: Awaitable[FollowUp], what: str) -> None:
        """Run ``work`` (the engine's part), acknowledge, then start its follow-up.

        ``Unavailable`` escapes unacknowledged: bolt answers 500 over HTTP and sends no ack over
        Socket Mode, so Slack delivers the event again (``_on_listener_error``). Any other
        failure is a bug that would fail the same way again: logged once and acknowledged.
        """
        try:
            follow_up = await work
        except Unavailable:
            raise
        except Exception:
            log.exception("Slack %s failed; acknowledged, as it would fail again", what)
            follow_up = None
        await ack()
        if follow_up is not None:
            self._spawn(follow_up, what)

    async def _on_listener_error(self, error: Exception) -> BoltResponse | None:
        if isinstance(error, Unavailable):
            # The engine logged it once already; Slack sends the event again.
            return BoltResponse(status=500, body="Deskbot cannot take this now; send it again.")
        log.error("Slack listener failed", exc_info=error)
        return None

    async def _on_message(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        event = event_of(body)
        route = route_message(
            event, agent_channel=self.agent_channel, bot_user_id=self._bot_user_id(context)
        )
        if route is None:
            await ack()
            return
        user = str(event["user"])
        if route.kind is MessageKind.CHANNEL_THREAD:
            # A reply in some channel thread: only the thread of a mention, from its requester
            # (others join by mentioning the bot), so colleagues' chatter stays theirs.
            key = (route.chat.chat_id, route.chat.thread_id or "")
            if self._mention_threads.get(key) != user:
                await ack()
                return
        await self._take(ack, self._handle_message(body, route.chat, user), "message")

    async def _on_mention(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        event = event_of(body)
        bot_user_id = self._bot_user_id(context)
        user = event.get("user")
        chat = None
        if isinstance(user, str) and user and user != bot_user_id and not event.get("bot_id"):
            chat = mention_chat(event, agent_channel=self.agent_channel)
        if chat is None or not isinstance(user, str):
            await ack()
            return
        self._remember_mention_thread(chat, user)
        await self._take(ack, self._handle_mention(body, chat, user, bot_user_id), "app_mention")

    async def _on_reaction(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        event = event_of(body)
        user = event.get("user")
        found = None
        if (
            isinstance(user, str)
            and user
            and user != self._bot_user_id(context)
            and reaction_command_name(event, agent_channel=self.agent_channel) is not None
        ):
            item = member(event, "item")
            found = self.sender.posts.ticket_of(str(item.get("ts") or ""))
            if found is None:
                log.debug("reaction on a post this process does not know; ignored")
        if found is None or not isinstance(user, str):
            await ack()
            return
        ticket_id, root_ts = found
        await self._take(
            ack, self._handle_reaction(body, user, ticket_id, root_ts), "reaction_added"
        )

    async def _on_other_event(self, ack: AsyncAck) -> None:
        await ack()

    async def _on_unused(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        log.debug("Slack %s: Deskbot does not use it; acknowledged", body.get("type"))
        await ack()

    async def _on_unused_options(self, ack: AsyncAck) -> None:
        await ack(options=[])  # a menu asking for choices gets none, rather than an error

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        # The answer follows through response_url, ephemeral; the ack is empty. Slack does not
        # send a slash command again, so when it cannot be taken the person is told, to run it
        # again, rather than shown Slack's bare "dispatch_failed".
        try:
            await self._take(ack, self._handle_command(body, respond), "slash command")
        except Unavailable as unavailable:
            await ack(text=unavailable.notice)

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await self._take(ack, self._handle_actions(body), "block_actions")

    # -- the engine's part; what follows it runs after the ack -----------------------------------

    async def _handle_message(self, body: Mapping[str, Any], chat: ChatRef, user: str) -> FollowUp:
        async with self._in_order(chat):
            sender = await self.directory.user(user)
            reply = await self._dispatch(
                parse_message(body, chat=chat, sender=sender, now=utcnow())
            )
        # A reply in a ticket thread is echoed into the thread by the engine; only a refusal
        # ("You're not allowed...") needs saying, to the agent alone.
        if reply is not None and not reply.ok and chat.chat_id == self.agent_channel:
            return self.sender.post_ephemeral(
                channel=self.agent_channel, user=user, text=reply.text, thread_ts=chat.thread_id
            )
        return None

    async def _handle_mention(
        self, body: Mapping[str, Any], chat: ChatRef, user: str, bot_user_id: str | None
    ) -> FollowUp:
        async with self._in_order(chat):
            sender = await self.directory.user(user)
            await self._dispatch(
                parse_mention(body, chat=chat, sender=sender, bot_user_id=bot_user_id, now=utcnow())
            )
        return None

    async def _handle_reaction(
        self, body: Mapping[str, Any], user: str, ticket_id: int, root_ts: str
    ) -> FollowUp:
        sender = await self.directory.user(user)
        command = parse_reaction(
            body, agent_chat=self.agent_chat, sender=sender, ticket_id=ticket_id, now=utcnow()
        )
        if command is None:
            return None
        reply = await self._dispatch(command)
        if reply is None:
            return None
        return self.sender.post_ephemeral(
            channel=self.agent_channel, user=user, text=reply.text, thread_ts=root_ts
        )

    async def _handle_command(self, body: Mapping[str, Any], respond: AsyncRespond) -> FollowUp:
        user = str(body.get("user_id") or "")
        sender = await self.directory.user(user, fallback_name=str(body.get("user_name") or ""))
        command = parse_command(body, agent_chat=self.agent_chat, sender=sender, now=utcnow())
        reply = await self._dispatch(command)
        if reply is None:  # a redelivery: answered the first time
            return None
        return self._respond(respond, reply.text)

    @staticmethod
    async def _respond(respond: AsyncRespond, answer: str) -> None:
        try:
            await respond(
                text=render_mrkdwn(truncate(answer, MAX_TEXT_CHARS - 1000)),
                response_type="ephemeral",
            )
        except Exception:
            log.warning("could not answer /desk through its response_url", exc_info=True)

    async def _handle_actions(self, body: Mapping[str, Any]) -> FollowUp:
        who = member(body, "user")
        user = str(who.get("id") or "")
        if not user:
            return None
        sender = await self.directory.user(
            user, fallback_name=str(who.get("name") or who.get("username") or "")
        )
        answers: list[Coroutine[Any, Any, None]] = []
        for press in parse_actions(
            body, agent_channel=self.agent_channel, sender=sender, now=utcnow()
        ):
            if press.chat == self.agent_chat:
                reply = await self._dispatch(press)
                if reply is not None:
                    answers.append(
                        self.sender.post_ephemeral(
                            channel=self.agent_channel,
                            user=user,
                            text=reply.text,
                            thread_ts=action_thread(body),
                        )
                    )
            else:
                async with self._in_order(press.chat):
                    await self._dispatch(press)
        return _in_turn(answers) if answers else None

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
            # Slack was acknowledged already, after the engine took the event; this is the
            # answer that follows (an ephemeral message) failing.
            log.exception("Slack %s: answering after the acknowledgement failed", what)

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


async def _in_turn(answers: list[Coroutine[Any, Any, None]]) -> None:
    for answer in answers:
        await answer


def _reason(error: Exception) -> str:
    """Slack's own error code (``invalid_auth``) for an API refusal, else the first line."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "refused")
    return (str(error).splitlines() or [type(error).__name__])[0]


__all__ = ["SlackAdapter", "SlackStartError"]
