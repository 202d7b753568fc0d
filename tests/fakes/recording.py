"""A recording sender and a controllable clock: the engine's side of a chat platform, in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conversations.messages import DeliveryError, OutboundMessage


class Clock:
    """A clock tests move by hand: nothing in a test waits for real time to pass."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RecordingSender:
    """Records every delivered message. ``failures`` are raised, in order, before anything is
    recorded: the way to make the platform answer 429 or 500."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []
        self.failures: list[Exception] = []
        self.attempts = 0

    async def send(self, message: OutboundMessage) -> str:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return f"m{len(self.sent)}"

    def rate_limit(self, seconds: float) -> None:
        self.failures.append(DeliveryError("429 Too Many Requests", retry_after=seconds))
