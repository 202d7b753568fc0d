"""Long polling that confirms an update only once Deskbot has taken it.

Telegram forgets every update below the ``offset`` of a ``getUpdates`` call
(https://core.telegram.org/bots/api#getupdates). python-telegram-bot's ``Updater`` asks for the
next batch, and so confirms the last one, as soon as it has queued it, before any handler ran:
a process killed then loses the batch (a kill -9 loop lost 19 of 30 updates). And one update it
cannot parse fails the whole batch, for good. So Deskbot polls itself, with the Bot's own
request machinery (``do_api_request``, which keeps the raw JSON):

- each update is parsed on its own; one that cannot be parsed is skipped with one warning
  carrying its ``update_id``;
- the offset moves past an update only after ``process`` returned True (its effect committed,
  or a bug that would fail again); when it returns False (the database is unavailable) the
  poller waits and asks for the same update again;
- errors of ``getUpdates`` itself (network, 5xx, 409 Conflict, 429) are waited out, ``retry_after``
  when Telegram gives one, else doubling delays up to ``max_delay``; one line is logged per error.

A restart begins with no offset, so Telegram sends what was not confirmed; updates whose effect
was committed before the kill come again and take effect once (the engine deduplicates on the
``update_id``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from adapters.telegram.outbound import retry_after_seconds

log = logging.getLogger(__name__)

# PTB suggests Bot.get_updates, which parses the whole batch at once: the very thing avoided here.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)

#: Runs one update; False when it was not taken and must come again.
Process = Callable[[Update], Awaitable[bool]]

#: Seconds a ``getUpdates`` call stays parked at Telegram waiting for an update.
POLL_TIMEOUT = 10


class Poller:
    def __init__(
        self,
        bot: Bot,
        process: Process,
        *,
        allowed_updates: Sequence[str],
        timeout: int = POLL_TIMEOUT,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
    ) -> None:
        self._bot = bot
        self._process = process
        self._allowed_updates = list(allowed_updates)
        self._timeout = timeout
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._delay = first_delay
        self._offset: int | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="deskbot-telegram-poll")

    async def stop(self) -> None:
        """Abandon the parked ``getUpdates`` at once; an update being handled is finished."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            batch = await self._fetch()
            if batch is None:
                continue  # stopping, or an error already waited out
            for data in batch:
                if self._stopping.is_set():
                    return  # not confirmed: the next process gets it again
                if not await self._take(data):
                    await self._wait(self._next_delay())
                    break
            else:
                self._delay = self._first_delay

    async def _fetch(self) -> list[Any] | None:
        kwargs: dict[str, Any] = {
            "timeout": self._timeout,
            "allowed_updates": self._allowed_updates,
        }
        if self._offset is not None:
            kwargs["offset"] = self._offset
        call = asyncio.ensure_future(
            self._bot.do_api_request(
                "getUpdates", api_kwargs=kwargs, read_timeout=self._timeout + 5
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({call, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not call.done():
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await call
            return None
        try:
            result = call.result()
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            log.warning("Telegram: getUpdates rate-limited; waiting %g s", seconds)
            await self._wait(seconds)
            return None
        except TelegramError as error:
            delay = self._next_delay()
            log.warning("Telegram: getUpdates failed (%s); again in %.0f s", error.message, delay)
            await self._wait(delay)
            return None
        except Exception:  # a bug must not end polling for good
            delay = self._next_delay()
            log.exception("Telegram: getUpdates failed; again in %.0f s", delay)
            await self._wait(delay)
            return None
        if not isinstance(result, list):
            log.warning("Telegram: getUpdates answered %r, not a list; ignored", type(result))
            return None
        return result

    async def _take(self, data: Any) -> bool:
        """Process one raw update; True when the offset may move past it."""
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int):
            # Nothing to confirm it by; the updates after it confirm it.
            log.warning("Telegram: skipped an update without an update_id: %.200r", data)
            return True
        try:
            update = Update.de_json(data, self._bot)
        except Exception as error:  # PTB raises whatever the malformed field leads to
            log.warning("Telegram: skipped update %s, which cannot be read: %r", update_id, error)
            self._offset = update_id + 1
            return True
        if not await self._process(update):
            return False
        self._offset = update_id + 1
        return True

    def _next_delay(self) -> float:
        delay = self._delay
        self._delay = min(self._delay * 2, self._max_delay)
        return delay

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less when stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
