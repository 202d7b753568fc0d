"""JSON in and out of the web chat's HTTP API: bounded body reading, and one place where errors
become ``{"error": ...}`` answers."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

from adapters.base import read_body_within
from adapters.web.inbound import InputError
from conversations.messages import Unavailable

log = logging.getLogger(__name__)

#: Largest request body the web chat reads. A 4000-character message is at most 16 KB of UTF-8,
#: so 64 KiB leaves room for the JSON around it and nothing for abuse.
MAX_BODY_BYTES = 64 * 1024
APOLOGY = "Something went wrong on our side; please try again."
UNAVAILABLE = "Deskbot cannot save this right now; send it again in a moment."
#: How long a client should wait before sending again what a 503 refused.
RETRY_AFTER_SECONDS = 2

Handler = Callable[..., Awaitable[web.StreamResponse]]


def json_error(status: int, message: str, **extra_headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=extra_headers or None)


def unavailable() -> web.Response:
    """The answer to a request the database could not take: send it again after Retry-After."""
    return json_error(503, UNAVAILABLE, **{"Retry-After": str(RETRY_AFTER_SECONDS)})


def json_endpoint(handler: Handler) -> Handler:
    """Wrap a route (a function or a method) so input errors answer with their own message and
    anything unexpected is logged once here and answered with a short apology."""

    @functools.wraps(handler)
    async def wrapped(*args: Any) -> web.StreamResponse:
        request: web.Request = args[-1]
        try:
            return await handler(*args)
        except InputError as exc:
            return json_error(exc.status, exc.message)
        except web.HTTPException:
            raise
        except Unavailable:
            # Not taken: the page sends it again with the same event id (static/server.js).
            return unavailable()
        except Exception:
            log.exception("web chat: %s %s failed", request.method, request.path)
            return json_error(500, APOLOGY)

    return wrapped


async def read_body(request: web.Request, *, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """Read at most ``max_bytes`` of body (413 beyond), sent within ``BODY_SECONDS`` (408)."""
    try:
        body = await read_body_within(request, max_bytes)
    except TimeoutError:
        raise InputError(
            "The request body did not arrive in time; send it again.", status=408
        ) from None
    if body is None:
        raise InputError(
            f"The request body is larger than {max_bytes // 1024} KiB; messages are limited to "
            "a few thousand characters.",
            status=413,
        )
    return body


async def read_json_object(
    request: web.Request, *, max_bytes: int = MAX_BODY_BYTES
) -> dict[str, Any]:
    """The body as a JSON object, with an error that says what is wrong with it."""
    raw = await read_body(request, max_bytes=max_bytes)
    if not raw.strip():
        raise InputError("The request body is empty; send a JSON object.")
    try:
        body: Any = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("The request body must be UTF-8 encoded JSON.") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"The request body is not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})."
        ) from None
    except RecursionError:
        raise InputError("The request body is nested too deeply to read.") from None
    except ValueError:
        # Python refuses integers of more than 4300 digits (int_max_str_digits).
        raise InputError("The request body holds a number too long to read.") from None
    if not isinstance(body, dict):
        raise InputError(f"The request body must be a JSON object, not a {type(body).__name__}.")
    return body


async def read_form_or_json(request: web.Request, *, max_bytes: int) -> dict[str, Any]:
    """A small body sent either by a plain HTML form or by ``fetch`` with JSON."""
    if request.content_type == "application/json":
        return await read_json_object(request, max_bytes=max_bytes)
    raw = await read_body(request, max_bytes=max_bytes)
    try:
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise InputError("The form must be UTF-8 encoded.") from None
    return {name: values[0] for name, values in fields.items()}
