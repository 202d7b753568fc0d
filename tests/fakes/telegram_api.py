"""A fake Telegram Bot API server, for running the real python-telegram-bot against.

It speaks the wire format (https://core.telegram.org/bots/api#making-requests): methods at
``/bot<token>/<method>``, parameters form-encoded with JSON-encoded values (what PTB sends), or a
JSON body, or a query string; answers ``{"ok": true, "result": ...}`` with realistic objects, or
``{"ok": false, "error_code": ..., "description": ...}``. It records every request, so tests assert
on what the bot really sent, and holds the facts the real API enforces: ``update_id`` grows by one,
``getUpdates`` confirms with ``offset`` and long-polls (refused with 409 while a webhook is set),
message ids grow per chat, text is at most 4096 characters and must be valid HTML in HTML mode,
callback data is at most 64 bytes, topics exist only in forums.

It also builds the updates Telegram would send (``text_update``, ``callback_update``...), queues
them for ``getUpdates`` or POSTs them to the webhook with the secret ``setWebhook`` registered.

Tests wait for requests with ``wait_for``: a bounded wait on a condition, never a sleep.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123456789:AAH-fake-token_for-tests"
BOT_ID = 123456789
BOT_USERNAME = "deskbot_test_bot"

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# Telegram's HTML mode: https://core.telegram.org/bots/api#html-style
_HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "a",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_BARE_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")

FAILURES: dict[int, tuple[str, dict[str, Any] | None]] = {
    429: ("Too Many Requests: retry after 3", {"retry_after": 3}),
    403: ("Forbidden: bot was blocked by the user", None),
    400: ("Bad Request: chat not found", None),
    500: ("Internal Server Error", None),
}


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class ApiCall:
    """One request the bot made: the method, its decoded parameters, and what it was answered."""

    method: str
    params: dict[str, Any]
    content_type: str
    status: int | None = None  # None while a long poll is parked
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    is_forum: bool = False
    topics: set[int] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.title is not None:
            data["title"] = self.title
        if self.first_name is not None:
            data["first_name"] = self.first_name
        if self.username is not None:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data


class _VisibleText(HTMLParser):
    """Telegram's HTML check: known tags, properly nested; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.error = self.error or f'can\'t find end tag corresponding to start tag "{tag}"'
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """What a person sees of ``text``; raises ``ApiError`` where Telegram would refuse it."""
    if (parse_mode or "").upper() != "HTML":
        return text
    if _BARE_AMPERSAND.search(text):
        raise ApiError(400, "Bad Request: can't parse entities: unsupported character '&'")
    parser = _VisibleText()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.open:
        parser.error = f'can\'t find end tag corresponding to start tag "{parser.open[-1]}"'
    if parser.error is not None:
        raise ApiError(400, f"Bad Request: can't parse entities: {parser.error}")
    return "".join(parser.text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_form_value(value: str) -> Any:
    """Form values are JSON-encoded where they are not plain strings or numbers."""
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _normalise_json_value(value: Any) -> Any:
    """JSON bodies: scalars as the strings a form would carry, so assertions read the same."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class FakeTelegramAPI:
    def __init__(self, *, token: str = TOKEN) -> None:
        self.token = token
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Deskbot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": True,
            "supports_inline_queries": False,
        }
        self.calls: list[ApiCall] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope as JSON -> commands
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_message_id: defaultdict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._update_ids = itertools.count(700_000_001)
        self._callback_ids = itertools.count(4_100_000_000_000_000_001)
        self._queued: list[dict[str, Any]] = []
        # method -> [calls to let through first, the error, the chat it is for], in order
        self._failures: defaultdict[str, list[list[Any]]] = defaultdict(list)
        self._changed = asyncio.Condition()
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server --------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Release parked long polls, then stop the server."""
        async with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What ``Application.builder().base_url(...)`` takes: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- failures ------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        after: int = 0,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next call of ``method`` (or the one ``after`` more calls; only calls for
        ``chat_id`` if given) with an error: 429 (``retry_after`` 3 unless told), 403 (blocked by
        the user), 400 (chat not found) or 500, or ``description``."""
        default, parameters = FAILURES.get(status, (f"Error {status}", None))
        if retry_after is not None:
            parameters = {"retry_after": retry_after}
            default = f"Too Many Requests: retry after {retry_after}"
        error = ApiError(status, description or default, parameters)
        chat = str(chat_id) if chat_id is not None else None
        self._failures[method].append([after, error, chat])

    # -- waiting -------------------------------------------------------------------------------

    def calls_of(self, method: str, *, ok: bool | None = None) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    async def wait_for(
        self,
        method: str,
        where: Callable[[ApiCall], bool] = lambda call: True,
        *,
        count: int = 1,
        answered: bool = True,
        within: float = 5.0,
    ) -> list[ApiCall]:
        """The calls of ``method`` matching ``where``, once there are ``count`` of them. Only
        answered ones, unless ``answered=False`` (a long poll parked right now counts)."""

        def matching() -> list[ApiCall]:
            return [
                c
                for c in self.calls
                if c.method == method and (c.status is not None or not answered) and where(c)
            ]

        try:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(lambda: len(matching()) >= count)
        except TimeoutError:
            seen = [(c.method, c.status) for c in self.calls]
            raise AssertionError(
                f"expected {count} {method} call(s) within {within}s; got {len(matching())}. "
                f"Calls so far: {seen}"
            ) from None
        return matching()

    # -- what chats saw ------------------------------------------------------------------------

    def sent(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent (answered sendMessage calls), in order, as Telegram stored them
        plus ``html`` (the text as sent) and ``params``."""
        out = []
        for call in self.calls_of("sendMessage", ok=True):
            message = dict(call.result)
            if chat_id is None or message["chat"]["id"] == int(chat_id):
                message["html"] = call.params["text"]
                message["params"] = call.params
                out.append(message)
        return out

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
        markup = message.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    # -- building updates ----------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """A person (and their private chat with the bot, whose id is theirs)."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.chats.setdefault(
            user_id, Chat(user_id, "private", first_name=first_name, username=username)
        )
        return user

    def group(self, chat_id: int | str, title: str, *, forum: bool = False) -> Chat:
        chat = Chat(int(chat_id), "supergroup", title=title, is_forum=forum)
        self.chats[chat.id] = chat
        return chat

    def _store(self, chat_id: int, message: dict[str, Any]) -> dict[str, Any]:
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def message(
        self,
        chat_id: int | str,
        sender: dict[str, Any],
        text: str | None = None,
        *,
        caption: str | None = None,
        photo: bool = False,
        document: str | None = None,
        reply_to: int | None = None,
        topic: int | None = None,
    ) -> dict[str, Any]:
        """A message a person writes: text (``/commands`` get their ``bot_command`` entity), or a
        photo/document with an optional caption; ``reply_to`` a message id of the chat; ``topic``
        a forum topic's message_thread_id."""
        chat = self.chats[int(chat_id)]
        message: dict[str, Any] = {
            "message_id": next(self._next_message_id[chat.id]),
            "from": sender,
            "chat": chat.to_json(),
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            command = re.match(r"/\S+", text)
            if command:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": utf16_length(command.group())}
                ]
        if caption is not None:
            message["caption"] = caption
        if photo:
            message["photo"] = [
                {
                    "file_id": f"AgAC{size}",
                    "file_unique_id": f"AQAD{size}",
                    "width": size,
                    "height": size,
                    "file_size": size * 40,
                }
                for size in (90, 320, 1280)
            ]
        if document is not None:
            message["document"] = {
                "file_id": "BQACAgIAAxkBAAI",
                "file_unique_id": "AgADxQ",
                "file_name": document,
                "mime_type": "application/octet-stream",
                "file_size": 2048,
            }
        if topic is not None:
            # Telegram marks topic messages, and a message that replies to nothing in particular
            # "replies" to the topic's creation message.
            message["message_thread_id"] = topic
            message["is_topic_message"] = True
            if reply_to is None:
                reply_to = topic
        if reply_to is not None:
            replied = self.messages.get((chat.id, reply_to))
            assert replied is not None, f"no message {reply_to} in chat {chat.id}"
            message["reply_to_message"] = replied
            _join_reply_thread(chat, message, replied)
        return self._store(chat.id, message)

    def update(self, **payload: Any) -> dict[str, Any]:
        """An Update with the next ``update_id``."""
        return {"update_id": next(self._update_ids), **payload}

    def text_update(
        self, chat_id: int | str, sender: dict[str, Any], text: str, **options: Any
    ) -> dict[str, Any]:
        """An update carrying ``message(chat_id, sender, text, **options)``."""
        return self.update(message=self.message(chat_id, sender, text, **options))

    def callback_update(
        self, sender: dict[str, Any], message: dict[str, Any], data: str
    ) -> dict[str, Any]:
        """A press of the button with callback ``data`` on ``message`` (a message the bot sent)."""
        assert data in [b.get("callback_data") for b in self.buttons(message)], (
            f"{data!r} is not a button of message {message['message_id']}"
        )
        stored = self.messages[(message["chat"]["id"], message["message_id"])]
        return self.update(
            callback_query={
                "id": str(next(self._callback_ids)),
                "from": sender,
                "message": stored,
                "chat_instance": f"-{abs(message['chat']['id'])}7",
                "data": data,
            }
        )

    def press(
        self, chat_id: int | str, sender: dict[str, Any], label: str, *, nth: int = -1
    ) -> dict[str, Any]:
        """A press of the ``nth`` button labelled ``label`` among what the bot sent the chat."""
        found = [
            (message, button)
            for message in self.sent(chat_id)
            for button in self.buttons(message)
            if button["text"] == label
        ]
        assert found, f"no button {label!r} in chat {chat_id}"
        message, button = found[nth]
        return self.callback_update(sender, message, button["callback_data"])

    # -- delivering updates --------------------------------------------------------------------

    async def queue(self, update: dict[str, Any]) -> int:
        """Queue an update for ``getUpdates``; wakes a parked long poll."""
        async with self._changed:
            self._queued.append(update)
            self._changed.notify_all()
        return int(update["update_id"])

    async def post_webhook(
        self,
        update: dict[str, Any] | bytes,
        *,
        secret: str | None = None,
        omit_secret: bool = False,
        url: str | None = None,
    ) -> tuple[int, Any]:
        """POST an update to the registered webhook, as Telegram does: JSON, with the secret
        ``setWebhook`` gave (or ``secret``, or none). Returns the status and the JSON answer."""
        assert self.webhook is not None or url is not None, "no webhook was set"
        target = url or self.webhook["url"]  # type: ignore[index]
        headers = {"Content-Type": "application/json"}
        token = secret if secret is not None else (self.webhook or {}).get("secret_token")
        if token is not None and not omit_secret:
            headers[SECRET_HEADER] = token
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        async with (
            aiohttp.ClientSession() as session,
            session.post(target, data=body, headers=headers) as response,
        ):
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = await response.text()
            return response.status, answer

    # -- the API -------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: _decode_form_value(v) for k, v in request.query.items()}
        if request.content_type == "application/json":
            body = await request.json()
            params.update({k: _normalise_json_value(v) for k, v in body.items()})
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            params.update({k: _decode_form_value(str(v)) for k, v in form.items()})
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        call = ApiCall(method, params, request.content_type)
        async with self._changed:
            failure = self._take_failure(method, params)
        if method == "getUpdates" and failure is None:
            return await self._get_updates(call)
        async with self._changed:
            try:
                if failure is not None:
                    raise failure
                handler = getattr(self, f"_api_{method}", None)
                if handler is None:
                    raise ApiError(404, "Not Found")
                call.result = handler(params)
                call.status = 200
            except ApiError as error:
                call.status = error.status
                call.result = error
            self.calls.append(call)
            self._changed.notify_all()
        return self._answer(call)

    def _take_failure(self, method: str, params: dict[str, Any]) -> ApiError | None:
        failures = self._failures.get(method, [])
        for index, (after, error, chat) in enumerate(failures):
            if chat is not None and str(params.get("chat_id")) != chat:
                continue
            if after > 0:
                failures[index][0] -= 1
                return None
            del failures[index]
            return error
        return None

    @staticmethod
    def _answer(call: ApiCall) -> web.Response:
        if call.ok:
            return web.json_response({"ok": True, "result": call.result})
        error: ApiError = call.result
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.status,
            "description": error.description,
        }
        if error.parameters:
            body["parameters"] = error.parameters
        return web.json_response(body, status=error.status)

    async def _get_updates(self, call: ApiCall) -> web.Response:
        params = call.params
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
            if self.webhook is not None:
                call.status = 409
                call.result = ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
                return self._answer(call)
            # An offset confirms every update before it: they are never sent again.
            self._queued = [u for u in self._queued if u["update_id"] >= offset]
            self._poll_generation += 1
            generation = self._poll_generation
            try:
                async with asyncio.timeout(timeout):
                    await self._changed.wait_for(
                        lambda: (
                            bool(self._queued)
                            or self._closing
                            or self._poll_generation != generation
                        )
                    )
            except TimeoutError:
                pass
            if self._poll_generation != generation and not self._closing:
                call.status = 409
                call.result = ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            else:
                call.status = 200
                call.result = self._queued[:limit]
            self._changed.notify_all()
        return self._answer(call)

    # Each _api_<method> takes the decoded parameters and returns the result, or raises ApiError.

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _chat(self, chat_id: Any) -> Chat:
        try:
            chat = self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        return {**chat.to_json(), "accent_color_id": 0, "max_reaction_count": 11}

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates") == "true":
            self._queued.clear()
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        if not url:
            self.webhook = None
            return True
        self.webhook = {"url": url, "secret_token": params.get("secret_token")}
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._queued),
        }

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = params.get("scope") or {"type": "default"}
        self.commands[json.dumps(scope, sort_keys=True)] = commands
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if len(params.get("text") or "") > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        if not chat.is_forum:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        name = params.get("name") or ""
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        thread_id = next(self._next_message_id[chat.id])
        chat.topics.add(thread_id)
        # The topic is born with a service message whose id is the topic's id.
        self._store(
            chat.id,
            {
                "message_id": thread_id,
                "from": self.bot_user,
                "chat": chat.to_json(),
                "date": int(time.time()),
                "message_thread_id": thread_id,
                "forum_topic_created": {"name": name, "icon_color": 7322096},
                "is_topic_message": True,
            },
        )
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        raw = params.get("text") or ""
        text = visible_text(raw, params.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        message: dict[str, Any] = {
            "message_id": 0,
            "from": self.bot_user,
            "chat": chat.to_json(),
            "date": int(time.time()),
            "text": text,
        }
        markup = params.get("reply_markup")
        if markup:
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data", "")
                    if not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            message["reply_markup"] = markup
        thread = params.get("message_thread_id")
        if thread is not None:
            if int(thread) not in chat.topics:
                raise ApiError(400, "Bad Request: message thread not found")
            message["message_thread_id"] = int(thread)
            message["is_topic_message"] = True
        reply = params.get("reply_parameters") or {}
        if "reply_to_message_id" in params:
            reply = {"message_id": int(params["reply_to_message_id"])}
        if reply:
            replied = self.messages.get((chat.id, int(reply["message_id"])))
            if replied is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            if replied is not None:
                message["reply_to_message"] = replied
                _join_reply_thread(chat, message, replied)
        message["message_id"] = next(self._next_message_id[chat.id])
        return self._store(chat.id, message)


def _join_reply_thread(chat: Chat, message: dict[str, Any], replied: dict[str, Any]) -> None:
    """In a supergroup that is not a forum, a reply belongs to the thread of the message it answers:
    Telegram gives it that thread's root as ``message_thread_id``, without ``is_topic_message``."""
    if chat.type == "supergroup" and not chat.is_forum:
        message["message_thread_id"] = replied.get("message_thread_id", replied["message_id"])


def plain(text: str) -> str:
    """HTML as sent -> what a person sees (for tests comparing with engine copy)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
