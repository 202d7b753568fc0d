"""The webhook route on Deskbot's own aiohttp application: convert -> process -> answer.

Telegram POSTs each update as JSON with the secret given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header (https://core.telegram.org/bots/api#setwebhook). A
request without the right secret is not from Telegram and is refused before its body is read.
The update is processed before the answer (``Application.process_update``). An update Deskbot
could not take (its database unavailable: ``process`` answers False) or a failure that escapes is
a 500, and Telegram delivers it again; redeliveries carry the same ``update_id`` and take effect
once.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Bot, Update

from adapters.base import read_body_within

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: An update is a few kilobytes; a megabyte is generous and bounds what an attacker can send.
MAX_UPDATE_BYTES = 1024 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


#: Runs one update; False when it was not taken and must come again.
Process = Callable[[Update], Awaitable[bool]]


def webhook_route(bot: Bot, running: Callable[[], bool], process: Process, secret: str) -> Handler:
    expected = secret.encode()

    async def receive(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return json_error(401, f"Missing or wrong {SECRET_HEADER} header.")
        if not running():
            # Starting or stopping: Telegram retries, and nothing is lost.
            return json_error(503, "The Telegram adapter is not running.")
        try:
            body = await read_body_within(request, MAX_UPDATE_BYTES)
        except TimeoutError:
            return json_error(408, "The update did not arrive in time; send it again.")
        if body is None:
            return json_error(413, f"An update is at most {MAX_UPDATE_BYTES // 1024} KiB.")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return json_error(400, f"The body is not UTF-8 JSON: {error}.")
        except RecursionError:
            return json_error(400, "The body is nested too deeply to be a Telegram Update.")
        except ValueError:  # an integer of more than 4300 digits (int_max_str_digits)
            return json_error(400, "The body holds a number too long to read.")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return json_error(400, "The body is not a Telegram Update (no integer update_id).")
        try:
            update = Update.de_json(data, bot)
        except Exception as error:  # PTB raises whatever the malformed field leads to
            log.warning("unreadable Telegram update %s: %r", data.get("update_id"), error)
            return json_error(400, "The body is not a readable Telegram Update.")
        if not await process(update):
            return json_error(500, "Deskbot could not take this update now; send it again.")
        return web.json_response({"ok": True})

    return receive
