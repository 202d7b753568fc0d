"""A fake Slack for adapter tests: the Web API, Socket Mode and response_url on one local aiohttp
server (127.0.0.1, port 0), plus a client that calls Deskbot the way Slack does.

Modelled on bolt-python's ``tests/mock_web_api_server``: the real SDK talks to it over HTTP, it
records every request, and tests assert on what was recorded. Facts it honours:

- methods live under ``/api/<method>``; slack_sdk sends ``chat.postMessage``, ``chat.update`` and
  ``chat.postEphemeral`` as JSON, ``users.info`` and ``usergroups.list`` as GET query strings and
  others as form fields or query parameters: all are accepted and merged into ``ApiCall.args``;
- the token arrives as ``Authorization: Bearer ...``; a wrong one answers ``invalid_auth``, and
  ``apps.connections.open`` wants the app-level token (``xapp-``), everything else the bot token;
- message timestamps ("1700000000.000100") grow with every post;
- ``rate_limit_next`` answers a method's next call with HTTP 429, ``Retry-After`` and
  ``{"ok": false, "error": "ratelimited"}``; ``fail_next`` with any other error;
- ``apps.connections.open`` returns a ``ws://`` URL on this server, whose WebSocket says ``hello``,
  sends the envelopes a test queues (``events_api``, ``slash_commands``, ``interactive``) and
  records the acks (``{"envelope_id": ...}``) Deskbot sends back;
- ``response_url(name)`` is a URL on this server that records what is posted to it.

``SlackClient`` signs requests exactly as Slack does (https://docs.slack.dev/authentication/
verifying-requests-from-slack): ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}`` over the very
bytes sent, in ``X-Slack-Signature`` with ``X-Slack-Request-Timestamp``. Events go as JSON, slash
commands as a form, interactivity as a form with one ``payload`` field of JSON.

Waiting is bounded and event-driven: ``wait_for`` sleeps on an ``asyncio.Condition`` that every
recorded request notifies, never on the clock.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

BOT_TOKEN = "xoxb-1-deskbot-test"
APP_TOKEN = "xapp-1-deskbot-test"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM_ID = "T0DESK001"
APP_ID = "A0DESK001"
BOT_USER_ID = "U0DESKBOT"
BOT_ID = "B0DESKBOT"
WAIT_SECONDS = 5.0


@dataclass
class ApiCall:
    """One Web API request as the fake saw it, and what it answered."""

    method: str
    http_method: str
    content_type: str
    args: dict[str, Any]
    token: str | None
    status: int
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    @property
    def text(self) -> str:
        return str(self.args.get("text") or "")

    @property
    def channel(self) -> str:
        return str(self.args.get("channel") or "")

    @property
    def thread_ts(self) -> str | None:
        value = self.args.get("thread_ts")
        return str(value) if value else None

    @property
    def ts(self) -> str | None:
        """The ts of the message this call created (postMessage) or changed (update)."""
        value = self.response.get("ts")
        return str(value) if value else None

    def buttons(self) -> list[dict[str, Any]]:
        return [
            element
            for block in self.blocks
            if block.get("type") == "actions"
            for element in block.get("elements", [])
            if element.get("type") == "button"
        ]

    def button_labels(self) -> list[str]:
        return [button["text"]["text"] for button in self.buttons()]

    def section_texts(self) -> list[str]:
        texts = []
        for block in self.blocks:
            if block.get("type") != "section":
                continue
            if "text" in block:
                texts.append(block["text"]["text"])
            texts.extend(f["text"] for f in block.get("fields", []))
        return texts


@dataclass
class PostedButton:
    """A button on a message the bot posted: what a click sends back."""

    call: ApiCall
    element: dict[str, Any]

    @property
    def channel(self) -> str:
        return self.call.channel

    @property
    def message_ts(self) -> str:
        assert self.call.ts is not None
        return self.call.ts

    @property
    def thread_ts(self) -> str | None:
        return self.call.thread_ts


@dataclass
class ResponseUrlPost:
    name: str
    body: dict[str, Any]


@dataclass
class Planned:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    after: int = 0  # good answers to give first


class FakeSlack:
    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        team_id: str = TEAM_ID,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.calls: list[ApiCall] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: list[dict[str, Any]] = []
        self.responses: list[ResponseUrlPost] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self.socket_connections = 0
        self._planned: dict[str, list[Planned]] = {}
        self._ts = itertools.count(1)
        self._changed = asyncio.Condition()
        self._sockets: set[web.WebSocketResponse] = set()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/respond/{name}", self._respond)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # -- test set-up ---------------------------------------------------------------------------

    def add_user(
        self, user_id: str, name: str, *, locale: str = "en-US", real_name: str | None = None
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name.lower(),
            "real_name": real_name or name,
            "tz": "Europe/London",
            "locale": locale,
            "is_bot": False,
            "profile": {"display_name": name, "real_name": real_name or name},
        }

    def add_usergroup(self, group_id: str, handle: str, users: Iterable[str]) -> None:
        members = list(users)
        self.usergroups.append(
            {
                "id": group_id,
                "team_id": self.team_id,
                "is_usergroup": True,
                "name": handle,
                "handle": handle,
                "date_delete": 0,
                "users": members,
                "user_count": len(members),
            }
        )

    def rate_limit_next(self, method: str, retry_after: int, *, after: int = 0) -> None:
        """Answer the next call of ``method`` (after ``after`` good ones) with 429."""
        headers = {"Retry-After": str(retry_after)}
        self._plan(method, Planned(429, {"ok": False, "error": "ratelimited"}, headers, after))

    def fail_next(self, method: str, error: str, *, status: int = 200, after: int = 0) -> None:
        """Answer the next call of ``method`` (after ``after`` good ones) with ``error``."""
        self._plan(method, Planned(status, {"ok": False, "error": error}, {}, after))

    def _plan(self, method: str, planned: Planned) -> None:
        self._planned.setdefault(method, []).append(planned)

    def response_url(self, name: str) -> str:
        return f"{self.url}/respond/{name}"

    # -- reading what happened -----------------------------------------------------------------

    def calls_to(self, method: str, *, ok: bool | None = True) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def posts(self, channel: str | None = None, *, thread_ts: str | None = None) -> list[ApiCall]:
        """Successful chat.postMessage calls, optionally in one channel / thread."""
        return [
            c
            for c in self.calls_to("chat.postMessage")
            if (channel is None or c.channel == channel)
            and (thread_ts is None or c.thread_ts == thread_ts)
        ]

    def texts(self, channel: str, *, thread_ts: str | None = None) -> str:
        return "\n".join(c.text for c in self.posts(channel, thread_ts=thread_ts))

    def find_button(self, label: str, *, channel: str, nth: int = -1) -> PostedButton:
        found = [
            PostedButton(call, element)
            for call in self.posts(channel)
            for element in call.buttons()
            if element["text"]["text"] == label
        ]
        assert found, f"no button {label!r} in {channel}"
        return found[nth]

    async def wait_for(
        self, predicate: Callable[[], bool], *, within: float = WAIT_SECONDS
    ) -> None:
        """Until ``predicate()`` holds, woken by each request the fake records; at most ``within``
        seconds (then TimeoutError)."""
        async with asyncio.timeout(within):
            async with self._changed:
                await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- Socket Mode ---------------------------------------------------------------------------

    async def send_envelope(
        self, kind: str, payload: Mapping[str, Any], *, retry_attempt: int = 0
    ) -> str:
        """Queue one envelope to the connected app (waits for the connection)."""
        await self.wait_for(lambda: bool(self._sockets))
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": dict(payload),
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        socket = next(iter(self._sockets))
        await socket.send_str(json.dumps(envelope))
        return envelope_id

    async def wait_for_ack(self, envelope_id: str) -> dict[str, Any]:
        await self.wait_for(lambda: envelope_id in self.acks)
        return self.acks[envelope_id]

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.add(socket)
        self.socket_connections += 1
        await socket.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": APP_ID},
                }
            )
        )
        await self._notify()
        try:
            async for message in socket:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                if isinstance(data, dict) and "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data
                    await self._notify()
        finally:
            self._sockets.discard(socket)
            await self._notify()
        return socket

    # -- response_url --------------------------------------------------------------------------

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        self.responses.append(ResponseUrlPost(request.match_info["name"], await request.json()))
        await self._notify()
        return web.Response(text="ok")

    # -- the Web API ---------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw and request.content_type == "application/json":
            args.update(json.loads(raw))
        elif raw and request.content_type == "application/x-www-form-urlencoded":
            args.update(parse_qsl(raw.decode(), keep_blank_values=True))
        token = args.pop("token", None)
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ")
        planned = self._planned.get(method)
        if planned and planned[0].after == 0:
            answer = planned.pop(0)
        else:
            if planned:
                planned[0].after -= 1
            answer = Planned(200, self._answer(method, args, token))
        self.calls.append(
            ApiCall(
                method=method,
                http_method=request.method,
                content_type=request.content_type,
                args=args,
                token=token,
                status=answer.status,
                response=answer.body,
            )
        )
        await self._notify()
        return web.json_response(answer.body, status=answer.status, headers=answer.headers)

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts) * 100:06d}"

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != wanted:
            if token in (self.bot_token, self.app_token):
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        return handler(args)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "deskbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": APP_ID,
            "team": self.team_id,
            "text": args.get("text", ""),
            "ts": ts,
        }
        if args.get("blocks"):
            message["blocks"] = args["blocks"]
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        return message

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if len(str(args.get("text", ""))) > 40000:
            return {"ok": False, "error": "msg_too_long"}
        blocks = args.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if len(blocks) > 50 or any(_invalid_block(block) for block in blocks):
            return {"ok": False, "error": "invalid_blocks"}
        ts = self._next_ts()
        return {
            "ok": True,
            "channel": args["channel"],
            "ts": ts,
            "message": self._message(args, ts),
        }

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": args.get("channel"),
            "ts": args["ts"],
            "text": args.get("text", ""),
            "message": self._message(args, args["ts"]),
        }

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        if str(args.get("include_locale")).lower() not in ("1", "true"):
            user = {k: v for k, v in user.items() if k != "locale"}
        return {"ok": True, "user": user}

    def _usergroups_list(self, args: dict[str, Any]) -> dict[str, Any]:
        with_users = str(args.get("include_users")).lower() in ("1", "true")
        groups = [
            group if with_users else {k: v for k, v in group.items() if k != "users"}
            for group in self.usergroups
        ]
        return {"ok": True, "usergroups": groups}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        host = self.url.removeprefix("http://")
        return {"ok": True, "url": f"ws://{host}/link/?ticket={uuid.uuid4()}&app_id={APP_ID}"}


def _invalid_block(block: Mapping[str, Any]) -> bool:
    """The Block Kit limits Slack enforces (invalid_blocks): the ones the adapter must respect."""
    if block.get("type") == "section":
        text = block.get("text", {}).get("text", "")
        fields = block.get("fields", [])
        return (
            (not text and not fields)
            or len(text) > 3000
            or len(fields) > 10
            or any(len(f.get("text", "")) > 2000 for f in fields)
        )
    if block.get("type") == "actions":
        elements = block.get("elements", [])
        action_ids = [e.get("action_id") for e in elements]
        return (
            not elements
            or len(elements) > 25
            or len(set(action_ids)) != len(action_ids)
            or any(
                len(e.get("text", {}).get("text", "")) > 75
                or len(e.get("value", "")) > 2000
                or len(e.get("action_id", "")) > 255
                for e in elements
            )
        )
    return False


# -- what Slack sends Deskbot ------------------------------------------------------------------


def event_callback(
    event: Mapping[str, Any], *, event_id: str | None = None, team_id: str = TEAM_ID
) -> dict[str, Any]:
    """An Events API envelope around ``event``."""
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


_ts_counter = itertools.count(1)


def user_ts() -> str:
    """A fresh ts for something a person wrote (distinct from the fake's bot posts)."""
    return f"1700001000.{next(_ts_counter):06d}"


def dm_event(user: str, channel: str, text: str, **extra: Any) -> dict[str, Any]:
    ts = user_ts()
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
        "team": TEAM_ID,
        **extra,
    }


def channel_message_event(
    user: str, channel: str, text: str, *, thread_ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    ts = user_ts()
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        "team": TEAM_ID,
        **extra,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = user
    return event


def mention_event(
    user: str, channel: str, text: str, *, thread_ts: str | None = None
) -> dict[str, Any]:
    ts = user_ts()
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def reaction_event(user: str, channel: str, item_ts: str, reaction: str) -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item_user": BOT_USER_ID,
        "item": {"type": "message", "channel": channel, "ts": item_ts},
        "event_ts": user_ts(),
    }


def command_payload(
    *,
    user_id: str,
    user_name: str,
    channel_id: str,
    text: str,
    response_url: str,
    command: str = "/desk",
    trigger_id: str | None = None,
) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "acme",
        "channel_id": channel_id,
        "channel_name": "it-agents",
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or f"{int(time.time())}.{uuid.uuid4().int % 10**12}.abc",
    }


def block_actions_payload(
    *, user_id: str, user_name: str, button: PostedButton, response_url: str
) -> dict[str, Any]:
    """What Slack sends when ``user_id`` clicks ``button``, on the message as it was posted."""
    message = dict(button.call.response.get("message") or {})
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": button.message_ts,
        "channel_id": button.channel,
        "is_ephemeral": False,
    }
    if button.thread_ts:
        container["thread_ts"] = button.thread_ts
    action = {
        "type": "button",
        "action_id": button.element["action_id"],
        "block_id": "b" + uuid.uuid4().hex[:6],
        "text": button.element["text"],
        "action_ts": f"{time.time():.6f}",
    }
    if "value" in button.element:
        action["value"] = button.element["value"]
    if "style" in button.element:
        action["style"] = button.element["style"]
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": f"{int(time.time())}.{uuid.uuid4().int % 10**12}.def",
        "team": {"id": TEAM_ID, "domain": "acme"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {
            "id": button.channel,
            "name": "directmessage" if button.channel.startswith("D") else "it-agents",
        },
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }


def unused_interaction_payloads(user_id: str = "U0SARA") -> dict[str, dict[str, Any]]:
    """Interactivity Deskbot never asks for, shaped as Slack sends it: another app's modal
    submitted and closed, a global and a message shortcut, a select menu asking for options."""
    user = {"id": user_id, "username": "sara", "name": "sara", "team_id": TEAM_ID}
    team = {"id": TEAM_ID, "domain": "acme"}
    common = {"api_app_id": APP_ID, "token": "legacy-verification-token", "team": team}
    trigger = f"{int(time.time())}.{uuid.uuid4().int % 10**12}.abc"
    view = {
        "id": "V0" + uuid.uuid4().hex[:8].upper(),
        "team_id": TEAM_ID,
        "type": "modal",
        "callback_id": "expenses_modal",
        "private_metadata": "",
        "state": {
            "values": {"amount": {"amount_input": {"type": "plain_text_input", "value": "12"}}}
        },
        "hash": "1700000000.abcdef",
        "app_id": APP_ID,
        "bot_id": "B0DESKBOT",
    }
    return {
        "view_submission": {
            **common,
            "type": "view_submission",
            "user": user,
            "trigger_id": trigger,
            "view": view,
            "response_urls": [],
        },
        "view_closed": {
            **common,
            "type": "view_closed",
            "user": user,
            "view": view,
            "is_cleared": False,
        },
        "shortcut": {
            **common,
            "type": "shortcut",
            "user": user,
            "callback_id": "new_expense",
            "trigger_id": trigger,
            "action_ts": f"{time.time():.6f}",
        },
        "message_action": {
            **common,
            "type": "message_action",
            "user": user,
            "callback_id": "save_message",
            "trigger_id": trigger,
            "action_ts": f"{time.time():.6f}",
            "message_ts": user_ts(),
            "channel": {"id": "C0GENERAL1", "name": "general"},
            "message": {"type": "message", "user": user_id, "ts": user_ts(), "text": "hi"},
            "response_url": "https://hooks.slack.com/app/T0/1/abc",
        },
        "block_suggestion": {
            **common,
            "type": "block_suggestion",
            "user": user,
            "container": {"type": "view", "view_id": view["id"]},
            "action_id": "pick_project",
            "block_id": "project",
            "value": "sal",
            "view": view,
        },
    }


@dataclass
class Answer:
    status: int
    body: str


class SlackClient:
    """Calls Deskbot's Slack endpoint as Slack does, signed with ``signing_secret``."""

    def __init__(self, url: str, *, signing_secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.signing_secret = signing_secret
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def signed_headers(
        self, body: bytes, *, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        verifier = SignatureVerifier(secret or self.signing_secret)
        signature = verifier.generate_signature(timestamp=stamp, body=body)
        assert signature is not None
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: Mapping[str, str] | None = None,
        sign: bool = True,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> Answer:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        sent = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if sign:
            sent.update(self.signed_headers(body, timestamp=timestamp, secret=secret))
        sent.update(headers or {})
        async with self._session.post(self.url, data=body, headers=sent) as response:
            return Answer(response.status, await response.text())

    async def event(
        self,
        event: Mapping[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> Answer:
        return await self.send_event(event_callback(event, event_id=event_id), retry_num=retry_num)

    async def send_event(
        self, envelope: Mapping[str, Any], *, retry_num: int | None = None
    ) -> Answer:
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(json.dumps(envelope).encode(), "application/json", headers=headers)

    async def command(self, payload: Mapping[str, str]) -> Answer:
        return await self.post(urlencode(payload).encode(), "application/x-www-form-urlencoded")

    async def interaction(self, payload: Mapping[str, Any]) -> Answer:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body, "application/x-www-form-urlencoded")
