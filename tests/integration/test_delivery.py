"""The outbox: recorded messages are delivered once, in order per chat, retried, or marked failed.

Every test runs on every configured database. "Processes" are separate ``Outbox`` instances, each
with its own database engine and connection pool, as two deskbot processes would have.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import db
from conversations.delivery import LEASE, Outbox
from conversations.messages import ChatRef, DeliveryError, OutboundMessage, Platform
from conversations.models import Message
from conversations.store import Store
from tests.fakes.recording import Clock, RecordingSender
from tests.harness import AGENTS, COFFEE, DeskHarness

Sessions = async_sessionmaker[AsyncSession]

SARA = ChatRef(Platform.WEB, "chat-sara")
OMID = ChatRef(Platform.WEB, "chat-omid")
LEILA = ChatRef(Platform.WEB, "chat-leila")
KAVEH = ChatRef(Platform.WEB, "chat-kaveh")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def other_process(database_url: str) -> AsyncIterator[Sessions]:
    """Sessions of a second process: its own engine and pool on the same database."""
    engine = db.create_engine(database_url)
    yield db.session_factory(engine)
    await engine.dispose()


async def enqueue(sessions: Sessions, clock: Clock, *messages: OutboundMessage) -> list[int]:
    """Record ``messages`` the way the engine does; returns their ids, in order."""
    async with sessions.begin() as session:
        before = await session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1))
        store = Store(session, clock())
        for message in messages:
            store.messages.enqueue(message)
    rows = await outbound(sessions)
    return [row.id for row in rows if before is None or row.id > before]


async def outbound(sessions: Sessions) -> list[Message]:
    async with sessions() as session:
        rows = await session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id)
        )
        return list(rows)


async def row(sessions: Sessions, message_id: int) -> Message:
    async with sessions() as session:
        found = await session.get(Message, message_id)
        assert found is not None
        return found


def say(chat: ChatRef, text: str) -> OutboundMessage:
    return OutboundMessage(chat, text)


def texts(messages: list[OutboundMessage]) -> list[str]:
    return [m.text for m in messages]


async def test_a_rate_limited_message_waits_for_the_platforms_retry_after(
    sessions: Sessions, clock: Clock
) -> None:
    sender = RecordingSender()
    outbox = Outbox(sessions, {Platform.WEB: sender}, clock=clock)
    (message_id,) = await enqueue(sessions, clock, say(SARA, "Your ticket is open"))
    sender.rate_limit(30)

    assert await outbox.deliver_due() == 0
    waiting = await row(sessions, message_id)
    assert waiting.status == "pending" and waiting.attempts == 1
    assert waiting.next_attempt_at == clock.now + timedelta(seconds=30)
    assert waiting.last_error is not None and "429" in waiting.last_error

    clock.advance(seconds=29.999)
    assert await outbox.deliver_due() == 0
    assert sender.attempts == 1  # not even tried before the platform's wait is over
    assert sender.sent == []

    clock.advance(seconds=0.001)
    assert await outbox.deliver_due() == 1
    assert texts(sender.sent) == ["Your ticket is open"]
    delivered = await row(sessions, message_id)
    assert delivered.status == "sent" and delivered.attempts == 2
    assert delivered.platform_message_id == "m1" and delivered.sent_at == clock.now
    assert delivered.last_error is None


async def test_other_failures_are_retried_with_growing_backoff_until_delivered(
    sessions: Sessions, clock: Clock
) -> None:
    sender = RecordingSender()
    outbox = Outbox(sessions, {Platform.WEB: sender}, clock=clock, base_delay=2.0)
    (message_id,) = await enqueue(sessions, clock, say(SARA, "An agent replied"))
    sender.failures += [
        ConnectionError("connection reset by peer"),
        RuntimeError("500 Internal Server Error"),
        TimeoutError("read timed out"),
        ConnectionError("connection refused"),
    ]

    delays: list[float] = []
    for attempt in range(1, 5):
        assert await outbox.deliver_due() == 0
        waiting = await row(sessions, message_id)
        assert waiting.status == "pending" and waiting.attempts == attempt
        assert waiting.next_attempt_at is not None and waiting.last_error
        delays.append((waiting.next_attempt_at - clock.now).total_seconds())

        clock.now = waiting.next_attempt_at - timedelta(milliseconds=1)
        await outbox.deliver_due()
        assert sender.attempts == attempt  # not retried before its time
        clock.now = waiting.next_attempt_at

    assert all(delay > 0 for delay in delays)
    assert delays == sorted(delays) and len(set(delays)) == len(delays), delays
    assert await outbox.deliver_due() == 1
    assert texts(sender.sent) == ["An agent replied"]
    delivered = await row(sessions, message_id)
    assert delivered.status == "sent" and delivered.attempts == 5 and delivered.last_error is None


async def test_after_max_attempts_a_message_is_failed_logged_and_never_sent_again(
    sessions: Sessions, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    sender = RecordingSender()
    outbox = Outbox(sessions, {Platform.WEB: sender}, clock=clock, max_attempts=3)
    (message_id,) = await enqueue(sessions, clock, say(SARA, "Ticket #1 is resolved"))
    sender.failures += [ConnectionError("connection reset by peer")] * 3

    for _ in range(3):
        await outbox.deliver_due()
        clock.advance(hours=1)

    failed = await row(sessions, message_id)
    assert failed.status == "failed" and failed.attempts == 3
    assert failed.last_error == "ConnectionError: connection reset by peer"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert f"message {message_id} " in errors[0].getMessage()
    assert "3 attempt(s)" in errors[0].getMessage()

    # The sender would succeed now; the message must still not go out.
    clock.advance(days=30)
    assert await outbox.deliver_due() == 0
    assert sender.attempts == 3 and sender.sent == []
    assert (await row(sessions, message_id)).status == "failed"


async def test_a_permanent_failure_fails_at_once_and_calls_the_hook(
    sessions: Sessions, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    sender = RecordingSender()
    failures: list[tuple[Message, DeliveryError]] = []

    async def on_permanent_failure(message: Message, error: DeliveryError) -> None:
        failures.append((message, error))

    outbox = Outbox(
        sessions, {Platform.WEB: sender}, clock=clock, on_permanent_failure=on_permanent_failure
    )
    blocked, after = await enqueue(
        sessions, clock, say(SARA, "Ticket #1 is open"), say(SARA, "Ali is looking at it")
    )
    refusal = DeliveryError("403 Forbidden: bot was blocked by the user", permanent=True)
    sender.failures.append(refusal)

    await outbox.deliver_due()

    failed = await row(sessions, blocked)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.last_error == "403 Forbidden: bot was blocked by the user"
    ((message, error),) = failures
    assert error is refusal
    assert (message.id, message.chat_id, message.text) == (
        blocked,
        "chat-sara",
        "Ticket #1 is open",
    )
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    # A failed message does not hold back the chat forever.
    assert texts(sender.sent) == ["Ali is looking at it"]
    assert (await row(sessions, after)).status == "sent"

    clock.advance(days=1)
    await outbox.deliver_due()
    assert sender.attempts == 2 and len(failures) == 1


async def test_order_within_a_chat_is_kept_while_other_chats_go_on(
    sessions: Sessions, clock: Clock
) -> None:
    sender = RecordingSender()
    outbox = Outbox(sessions, {Platform.WEB: sender}, clock=clock)
    await enqueue(
        sessions,
        clock,
        say(SARA, "sara 1"),
        say(OMID, "omid 1"),
        say(SARA, "sara 2"),
        say(OMID, "omid 2"),
    )
    sender.rate_limit(30)  # the first send, "sara 1", is refused

    assert await outbox.deliver_due() == 2
    assert texts(sender.sent) == ["omid 1", "omid 2"]

    clock.advance(seconds=15)
    assert await outbox.deliver_due() == 0  # "sara 2" waits for "sara 1"

    clock.advance(seconds=15)
    assert await outbox.deliver_due() == 2
    assert texts(sender.sent) == ["omid 1", "omid 2", "sara 1", "sara 2"]


async def test_a_long_backlog_in_one_chat_does_not_hold_back_other_chats(
    sessions: Sessions, clock: Clock
) -> None:
    # A rate-limited agent channel after an outage can have hundreds of messages queued.
    sender = RecordingSender()
    outbox = Outbox(sessions, {Platform.WEB: sender}, clock=clock)
    await enqueue(sessions, clock, *(say(AGENTS, f"agents {n}") for n in range(600)))
    sender.rate_limit(30)
    await outbox.deliver_due()
    assert sender.sent == []

    await enqueue(sessions, clock, say(SARA, "An agent replied"))
    await outbox.deliver_due()
    assert texts(sender.sent) == ["An agent replied"]


class Overlap:
    """Holds every sender that enters until ``parties`` of them are inside at once."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.inside: set[str] = set()
        self.gate = asyncio.Event()

    async def enter(self, who: str) -> None:
        self.inside.add(who)
        if len(self.inside) >= self.parties:
            self.gate.set()
        await self.gate.wait()


class OverlappingSender:
    def __init__(self, name: str, overlap: Overlap, log: list[OutboundMessage]) -> None:
        self.name = name
        self.overlap = overlap
        self.log = log
        self.sent: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage) -> str:
        await self.overlap.enter(self.name)
        self.sent.append(message)
        self.log.append(message)
        return f"{self.name}-{len(self.sent)}"


async def test_two_processes_delivering_at_once_send_each_message_exactly_once(
    sessions: Sessions, other_process: Sessions, clock: Clock
) -> None:
    chats = (SARA, OMID, LEILA, KAVEH)
    await enqueue(
        sessions, clock, *(say(chat, f"{chat.chat_id} {n}") for n in range(3) for chat in chats)
    )
    overlap, log = Overlap(parties=2), []
    first = OverlappingSender("first", overlap, log)
    second = OverlappingSender("second", overlap, log)
    outboxes = (
        Outbox(sessions, {Platform.WEB: first}, clock=clock),
        Outbox(other_process, {Platform.WEB: second}, clock=clock),
    )

    await asyncio.wait_for(asyncio.gather(*(o.deliver_due() for o in outboxes)), timeout=60)

    assert first.sent and second.sent  # both really delivered, at the same time
    expected = {f"{chat.chat_id} {n}" for n in range(3) for chat in chats}
    assert sorted(texts(log)) == sorted(expected)  # each once, none lost
    for chat in chats:
        assert [m.text for m in log if m.chat == chat] == [f"{chat.chat_id} {n}" for n in range(3)]
    rows = await outbound(sessions)
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}


class HeldSender:
    """A sender that signals when a send starts and finishes it only when released."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.sent: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage) -> str:
        self.started.set()
        await self.release.wait()
        self.sent.append(message)
        return f"held-{len(self.sent)}"


async def test_a_message_waiting_for_its_retry_is_not_sent_early_by_another_process(
    sessions: Sessions, other_process: Sessions, clock: Clock
) -> None:
    console, web = ChatRef(Platform.CONSOLE, "agents"), SARA
    _, waiting = await enqueue(sessions, clock, say(console, "to the console"), say(web, "to Sara"))
    # The second process picks its batch (both messages are due), then is slow on the first.
    slow_console, second_web = HeldSender(), RecordingSender()
    second = Outbox(
        other_process, {Platform.CONSOLE: slow_console, Platform.WEB: second_web}, clock=clock
    )
    second_round = asyncio.create_task(second.deliver_due())
    await asyncio.wait_for(slow_console.started.wait(), timeout=30)

    # Meanwhile the first process sends "to Sara" and Slack answers 429, retry after 30 s.
    first_web = RecordingSender()
    first_web.rate_limit(30)
    await Outbox(sessions, {Platform.WEB: first_web}, clock=clock).deliver_due()
    assert (await row(sessions, waiting)).next_attempt_at == clock.now + timedelta(seconds=30)

    slow_console.release.set()
    await asyncio.wait_for(second_round, timeout=30)
    assert texts(slow_console.sent) == ["to the console"]
    assert second_web.sent == [], "sent again 0 s after a 429 that asked for 30 s"
    assert (await row(sessions, waiting)).status == "pending"

    clock.advance(seconds=30)
    await second.deliver_due()
    assert texts(second_web.sent) == ["to Sara"]


class StuckSender:
    """A send that never finishes: the process dies in the middle of it."""

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def send(self, message: OutboundMessage) -> str:
        self.started.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_a_message_left_sending_by_a_crashed_process_is_sent_once_the_lease_expires(
    sessions: Sessions, other_process: Sessions, clock: Clock
) -> None:
    stuck_id, next_id = await enqueue(
        sessions, clock, say(SARA, "Your ticket is open"), say(SARA, "Ali is looking at it")
    )
    stuck = StuckSender()
    crashed = asyncio.create_task(
        Outbox(sessions, {Platform.WEB: stuck}, clock=clock).deliver_due()
    )
    await asyncio.wait_for(stuck.started.wait(), timeout=30)
    crashed.cancel()  # the process is killed mid-send
    with pytest.raises(asyncio.CancelledError):
        await crashed
    left = await row(sessions, stuck_id)
    assert left.status == "sending" and left.lease_until == clock.now + LEASE

    sender = RecordingSender()
    survivor = Outbox(other_process, {Platform.WEB: sender}, clock=clock)
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert await survivor.deliver_due() == 0  # the lease still holds, and so does the chat
    assert sender.attempts == 0

    clock.advance(seconds=1)
    assert await survivor.deliver_due() == 2
    assert texts(sender.sent) == ["Your ticket is open", "Ali is looking at it"]
    assert (await row(sessions, stuck_id)).status == "sent"
    assert (await row(sessions, next_id)).status == "sent"


async def test_a_long_send_keeps_its_lease_so_no_other_process_sends_it_too(
    sessions: Sessions, other_process: Sessions, clock: Clock
) -> None:
    (message_id,) = await enqueue(sessions, clock, say(SARA, "Your ticket is open"))
    slow = HeldSender()
    first = Outbox(sessions, {Platform.WEB: slow}, clock=clock, lease_renewal=0.01)
    sending = asyncio.create_task(first.deliver_due())
    await asyncio.wait_for(slow.started.wait(), timeout=30)

    # The platform takes longer than a lease; the sender renews it meanwhile.
    clock.advance(seconds=LEASE.total_seconds() * 3)
    renewed_until = clock.now + LEASE
    async with asyncio.timeout(30):
        # Only the database shows the renewal's commit: poll it (this waits for that commit,
        # not for time to pass).
        while (await row(sessions, message_id)).lease_until != renewed_until:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    other = RecordingSender()
    assert await Outbox(other_process, {Platform.WEB: other}, clock=clock).deliver_due() == 0
    assert other.attempts == 0

    slow.release.set()
    assert await asyncio.wait_for(sending, timeout=30) == 1
    assert texts(slow.sent) == ["Your ticket is open"]
    delivered = await row(sessions, message_id)
    assert delivered.status == "sent" and delivered.lease_until is None


async def test_stopping_finishes_and_records_the_message_being_sent_and_takes_no_other(
    sessions: Sessions, clock: Clock
) -> None:
    sent_id, waiting_id = await enqueue(
        sessions, clock, say(SARA, "Your ticket is open"), say(OMID, "An agent replied")
    )
    slow = HeldSender()
    outbox = Outbox(sessions, {Platform.WEB: slow}, clock=clock)
    running = asyncio.create_task(outbox.run())
    await asyncio.wait_for(slow.started.wait(), timeout=30)

    outbox.stop()  # the server shuts down mid-send
    slow.release.set()
    await asyncio.wait_for(running, timeout=30)

    # Cancelled instead, the platform had it while the row said "sending": sent again later.
    assert (await row(sessions, sent_id)).status == "sent"
    assert (await row(sessions, waiting_id)).status == "pending"
    assert texts(slow.sent) == ["Your ticket is open"]


def agent_rows(rows: list[Message], ticket_id: int) -> list[Message]:
    return [r for r in rows if r.chat_id == AGENTS.chat_id and r.ticket_id == ticket_id]


async def test_agent_posts_after_a_tickets_first_go_into_its_thread(
    sessions: Sessions,
) -> None:
    desk = DeskHarness(sessions)
    sara, omid = desk.person("Sara"), desk.person("Omid")
    await sara.say(COFFEE)
    await omid.say("The blinds in meeting room B are stuck halfway and will not move")
    await desk.agent("Ali", "claim 1")
    await desk.agent("Ali", "reply 1 Someone from facilities is on the way")
    await desk.agent("Ali", "note 1 Facilities ticket FAC-12")
    await sara.say("Thanks!")
    await desk.agent("Bea", "claim 2")

    rows = await outbound(sessions)
    for ticket_id in (1, 2):
        root, *rest = agent_rows(rows, ticket_id)
        assert root.platform_message_id is not None and rest
        posts = [m for m in desk.agent_posts if m.ticket_id == ticket_id]
        assert posts[0].chat.thread_id is None
        assert {p.chat.thread_id for p in posts[1:]} == {root.platform_message_id}
        assert len(posts) == len(rest) + 1
    # The requester's own chat is not threaded.
    assert {m.chat.thread_id for m in sara.received} == {None}


async def test_a_thread_reply_waits_for_its_delayed_first_post_and_threads_under_it(
    sessions: Sessions,
) -> None:
    desk = DeskHarness(sessions)
    sara = desk.person("Sara")
    await sara.say("help please")  # asks for detail: only Sara's chat so far
    desk.sender.rate_limit(30)  # the next send is the agents' "New ticket" post
    await sara.say(COFFEE)
    await desk.agent("Ali", "claim 1")
    assert desk.agent_posts == []
    assert any("Ali is looking at your request" in m.text for m in sara.received)

    desk.clock.advance(seconds=30)
    await desk.outbox.deliver_due()
    root, claimed = desk.agent_posts
    assert "New ticket #1" in root.text and root.chat.thread_id is None
    (root_row, _) = agent_rows(await outbound(sessions), 1)
    assert claimed.chat.thread_id == root_row.platform_message_id is not None


async def test_an_outbox_only_takes_messages_of_platforms_it_can_send_to(
    sessions: Sessions, other_process: Sessions, clock: Clock
) -> None:
    slack_chat = ChatRef(Platform.SLACK, "C0123")
    slack_id, web_id = await enqueue(
        sessions, clock, say(slack_chat, "to Slack"), say(SARA, "to the web chat")
    )
    web = RecordingSender()
    assert await Outbox(sessions, {Platform.WEB: web}, clock=clock).deliver_due() == 1
    assert texts(web.sent) == ["to the web chat"]
    untouched = await row(sessions, slack_id)
    assert (untouched.status, untouched.attempts, untouched.lease_until) == ("pending", 0, None)

    slack = RecordingSender()
    assert await Outbox(other_process, {Platform.SLACK: slack}, clock=clock).deliver_due() == 1
    assert [(m.chat, m.text) for m in slack.sent] == [(slack_chat, "to Slack")]
    assert (await row(sessions, web_id)).status == "sent"
    assert web.attempts == 1


async def test_an_outbox_for_one_chat_leaves_the_other_chats_of_its_platform_alone(
    sessions: Sessions, other_process: Sessions, clock: Clock
) -> None:
    # `deskbot chat --name Sara` must not print (and mark sent) what agents wrote to Omid.
    sara, omid = ChatRef(Platform.CONSOLE, "Sara"), ChatRef(Platform.CONSOLE, "Omid")
    _, omid_id = await enqueue(sessions, clock, say(sara, "for Sara"), say(omid, "for Omid"))
    saras_console = Outbox(sessions, {}, clock=clock)
    saras_console.add_sender(Platform.CONSOLE, sara_sender := RecordingSender(), chat_id="Sara")

    assert await saras_console.deliver_due() == 1
    assert [(m.chat, m.text) for m in sara_sender.sent] == [(sara, "for Sara")]
    left = await row(sessions, omid_id)
    assert (left.status, left.attempts, left.lease_until) == ("pending", 0, None)

    omids_console = Outbox(other_process, {}, clock=clock)
    omids_console.add_sender(Platform.CONSOLE, omid_sender := RecordingSender(), chat_id="Omid")
    assert await omids_console.deliver_due() == 1
    assert [(m.chat, m.text) for m in omid_sender.sent] == [(omid, "for Omid")]
