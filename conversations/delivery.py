"""Delivering recorded outbound messages: the outbox worker.

The engine commits a message before anything is sent (decide, commit, deliver). This worker then
sends due messages through the ``Sender`` of their platform, in order within each chat, and
records the outcome: sent (with the platform's message id), retried later (rate limits honour the
platform's ``retry_after``, other failures back off exponentially), or failed, which is logged as
an error and stays visible in the database; nothing is dropped silently.

Several processes may run workers on one database (``serve`` and ``deskbot chat``, or several web
processes): each message is taken with a conditional UPDATE and a lease, so one process sends it.
A process only takes messages for platforms it has a sender for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.messages import (
    Button,
    ChatRef,
    DeliveryError,
    OutboundMessage,
    Platform,
    Sender,
)
from conversations.models import Message
from conversations.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
#: Called when a platform refuses a message for good (e.g. the user blocked the bot), with the
#: message; running out of attempts is not such a refusal and only logs.
FailureHook = Callable[[Message, DeliveryError], Awaitable[None]]

#: How long a taken message is another process's to leave alone. A process that dies mid-send
#: holds the message, and its chat's next messages, this long before another sends it (at
#: least once: the platform may have got it). A send is rarely over in more than a few seconds,
#: but one can be (a 429 the SDK waits out, a slow platform), so the lease is renewed every
#: ``LEASE / 3`` while the send is in flight rather than made long.
LEASE = timedelta(seconds=15)


class Outbox:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        senders: Mapping[Platform, Sender],
        *,
        clock: Clock,
        max_attempts: int = 10,
        base_delay: float = 2.0,
        max_delay: float = 900.0,
        poll_interval: float = 1.0,
        on_permanent_failure: FailureHook | None = None,
        lease_renewal: float = LEASE.total_seconds() / 3,
    ) -> None:
        self._sessions = sessions
        self._senders = dict(senders)
        self._only_chat: dict[Platform, str] = {}
        self._clock = clock
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._poll_interval = poll_interval
        self._lease_renewal = lease_renewal
        self.on_permanent_failure = on_permanent_failure
        self._wake = asyncio.Event()
        self._stopping = False

    def add_sender(self, platform: Platform, sender: Sender, *, chat_id: str | None = None) -> None:
        """Deliver ``platform``'s messages through ``sender``; given ``chat_id``, only that chat's
        (``deskbot chat`` serves one person: another's replies wait for their own console)."""
        self._senders[platform] = sender
        if chat_id is None:
            self._only_chat.pop(platform, None)
        else:
            self._only_chat[platform] = chat_id

    def wake(self) -> None:
        """Something was committed: deliver now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Make ``run`` return once the message being sent is sent and recorded: cancelled in
        between, the platform may have it while the database says "sending", and it is sent
        again once its lease runs out."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Deliver until stopped (or cancelled). Polls too, for messages other processes
        recorded."""
        while not self._stopping:
            self._wake.clear()
            try:
                await self.deliver_due()
            except Exception:  # the worker must outlive a database hiccup
                log.exception("delivery round failed; retrying")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)
            except TimeoutError:
                pass

    async def deliver_due(self) -> int:
        """Send every message that is due now; returns how many were sent."""
        sent = 0
        while True:
            batch = await self._due()
            if not batch:
                return sent
            progressed = False
            for message_id in batch:
                if self._stopping:
                    return sent
                outcome = await self._deliver(message_id)
                sent += outcome == "sent"
                progressed = progressed or outcome != "skipped"
            if not progressed:
                return sent

    async def _due(self) -> list[int]:
        platforms = [str(p) for p in self._senders if p not in self._only_chat]
        chats = [(str(p), chat_id) for p, chat_id in self._only_chat.items()]
        if not platforms and not chats:
            return []
        async with self._sessions() as session:
            return await Store(session, self._clock()).messages.due(platforms, chats=chats)

    async def _deliver(self, message_id: int) -> str:
        async with self._sessions.begin() as session:
            store = Store(session, self._clock())
            row = await store.messages.lease(message_id, LEASE)
            if row is None:
                return "skipped"  # another process took it
            outbound = await self._outbound(store, row)
        sender = self._senders[Platform(row.platform)]
        renewing = asyncio.create_task(self._keep_lease(message_id))
        try:
            platform_message_id = await sender.send(outbound)
        except DeliveryError as error:
            await self._failed(row, error)
            return "failed"
        except Exception as error:  # a bug or a network error: retry, but say so
            log.warning("sending message %s failed", message_id, exc_info=True)
            await self._failed(row, DeliveryError(f"{type(error).__name__}: {error}"))
            return "failed"
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        async with self._sessions.begin() as session:
            await Store(session, self._clock()).messages.mark_sent(message_id, platform_message_id)
        return "sent"

    async def _keep_lease(self, message_id: int) -> None:
        """Renew the lease of a message being sent, until cancelled when the send is over."""
        while True:
            await asyncio.sleep(self._lease_renewal)
            try:
                async with self._sessions.begin() as session:
                    await Store(session, self._clock()).messages.renew_lease(message_id, LEASE)
            except Exception:  # the send goes on; at worst another process sends it too
                log.warning("could not renew the lease of message %s", message_id, exc_info=True)

    async def _outbound(self, store: Store, row: Message) -> OutboundMessage:
        thread_id = row.thread_id
        if row.in_ticket_thread and thread_id is None:
            # Thread it under the ticket's first post in this chat (sent before it: chat order).
            thread_id = await store.messages.thread_of_ticket(row)
        return OutboundMessage(
            chat=ChatRef(Platform(row.platform), row.chat_id, thread_id),
            text=row.text,
            buttons=tuple(Button(**b) for b in row.buttons),
            ticket_id=row.ticket_id,
            lang=row.lang,
        )

    async def _failed(self, row: Message, error: DeliveryError) -> None:
        attempts = row.attempts + 1
        give_up = error.permanent or attempts >= self._max_attempts
        if error.retry_after is not None:
            delay = error.retry_after
        else:
            # Exponential backoff with jitter, so many failed messages do not retry in lockstep.
            delay = self._base_delay * 2 ** (attempts - 1) * random.uniform(0.8, 1.2)
            delay = min(self._max_delay, delay)
        async with self._sessions.begin() as session:
            await Store(session, self._clock()).messages.mark_failed(
                row.id, attempts=attempts, give_up=give_up, retry_in=delay, reason=error.reason
            )
        if give_up:
            log.error(
                "gave up on message %s to %s:%s after %d attempt(s): %s",
                row.id,
                row.platform,
                row.chat_id,
                attempts,
                error.reason,
            )
            if error.permanent and self.on_permanent_failure is not None:
                await self.on_permanent_failure(row, error)
        else:
            log.info("message %s will be retried in %.1fs: %s", row.id, delay, error.reason)
