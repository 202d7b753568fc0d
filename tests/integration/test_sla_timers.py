"""What happens as time passes, on every configured database, with a clock the test moves by hand:
SLA warnings and breaches in the agent channel (each exactly once, however often and by however
many processes the timers run), and resolved tickets closing after their quiet period."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot import db
from conversations.delivery import Outbox
from conversations.engine import Engine, EngineSettings
from conversations.messages import Platform
from conversations.models import Message, SlaAlert, TicketEvent
from tests.harness import AGENTS, COFFEE, DeskHarness, Person, coffee, texts

# No FAQ answers COFFEE (nor coffee(n)) and none sounds pressing: each opens a normal ticket
# straight away, whose first response is due in 4 hours (warned at 80%: 3h12m) and resolution in
# 24 hours.
FIRST_DUE = timedelta(hours=4)
FIRST_WARN = timedelta(hours=3, minutes=12)
RESOLUTION_DUE = timedelta(hours=24)
RESOLUTION_WARN = timedelta(hours=19, minutes=12)

Process = Callable[[], tuple[Engine, Outbox]]


async def opened(person: Person, description: str = COFFEE, priority: str = "normal") -> int:
    """``person.open_ticket(description)``, whose ticket must have ``priority`` (normal)."""
    return await person.open_ticket(description, priority=priority)


def sla_posts(desk: DeskHarness, number: int | None = None) -> list[str]:
    return [
        m.text
        for m in desk.agent_posts
        if (" due in " in m.text or " target missed " in m.text)
        and (number is None or m.ticket_id == number)
    ]


def warning(
    number: int, target: str, duration: str, priority: str = "normal", who: str = "nobody"
) -> str:
    return f"*#{number}* [{priority}] {target} due in {duration} (assignee: {who})."


def breach(
    number: int, target: str, duration: str, priority: str = "normal", who: str = "nobody"
) -> str:
    return f"*#{number}* [{priority}] {target} target missed {duration} ago (assignee: {who})."


async def alerts(desk: DeskHarness) -> list[tuple[int, str, str, datetime]]:
    async with desk.sessions() as session:
        rows = await session.scalars(select(SlaAlert).order_by(SlaAlert.id))
        return [(a.ticket_id, a.target, a.stage, a.due_at) for a in rows]


async def at(desk: DeskHarness, start: datetime, offset: timedelta) -> None:
    """Move the clock to ``start + offset`` and run the timers."""
    desk.clock.now = start + offset
    await desk.tick()


async def tick_many(desk: DeskHarness, times: int = 5) -> None:
    for _ in range(times):
        await desk.tick()


# -- warning and breach ---------------------------------------------------------------------------


async def test_a_warning_at_80_percent_and_a_breach_at_100_percent_each_sent_once(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    start = desk.clock()
    number = await opened(sara)
    await sara.read()

    await at(desk, start, FIRST_WARN - timedelta(seconds=1))
    await tick_many(desk)
    assert sla_posts(desk) == []

    await at(desk, start, FIRST_WARN)
    assert sla_posts(desk) == [warning(number, "first response", "48 min")]
    await tick_many(desk)
    desk.clock.advance(minutes=30)
    await tick_many(desk)
    assert sla_posts(desk) == [warning(number, "first response", "48 min")]

    await at(desk, start, FIRST_DUE - timedelta(seconds=1))
    assert len(sla_posts(desk)) == 1
    await at(desk, start, FIRST_DUE)
    await tick_many(desk)
    desk.clock.advance(hours=1)
    await tick_many(desk)
    assert sla_posts(desk) == [
        warning(number, "first response", "48 min"),
        breach(number, "first response", "0 min"),
    ]

    # Both in the agent channel, in the ticket's thread; the requester hears nothing of it.
    alerts_posted = [m for m in desk.agent_posts if m.text in sla_posts(desk)]
    root = next(desk.posts_about(number))
    assert all(m.chat.chat_id == AGENTS.chat_id and m.ticket_id == number for m in alerts_posted)
    assert {m.chat.thread_id for m in alerts_posted} == {
        "m" + str(desk.sender.sent.index(root) + 1)
    }
    assert await sara.read() == []
    due = start + FIRST_DUE
    assert await alerts(desk) == [
        (number, "first_response", "warning", due),
        (number, "first_response", "breach", due),
    ]


async def test_the_assignee_is_named_in_the_alert(desk: DeskHarness) -> None:
    start = desk.clock()
    number = await opened(desk.person("Sara"))
    await desk.agent("Ali", f"claim {number}")  # claiming is no response to the requester
    await at(desk, start, FIRST_WARN)
    assert sla_posts(desk) == [warning(number, "first response", "48 min", who="Ali")]


async def test_a_restart_sends_nothing_twice(desk: DeskHarness) -> None:
    start = desk.clock()
    number = await opened(desk.person("Sara"))
    await at(desk, start, FIRST_WARN)

    desk.start()  # a new process: only the database remembers what was sent
    await tick_many(desk)
    assert sla_posts(desk) == [warning(number, "first response", "48 min")]

    await at(desk, start, FIRST_DUE)
    desk.start()
    await tick_many(desk)
    # Even a process with a sender of its own finds nothing left to say.
    other = DeskHarness(desk.sessions, clock=desk.clock, workflow=desk.workflow)
    await tick_many(other)
    assert other.sender.sent == []
    assert sla_posts(desk) == [
        warning(number, "first response", "48 min"),
        breach(number, "first response", "0 min"),
    ]


@pytest.fixture
async def second_process(database_url: str, desk: DeskHarness) -> AsyncIterator[Process]:
    """Another deskbot process: its own database engine and pool, engine and outbox, delivering
    through the same platform (the recording sender), on the same clock. Built when first used,
    so it runs the policies the test configured."""
    engine = db.create_engine(database_url)

    def build() -> tuple[Engine, Outbox]:
        sessions = db.session_factory(engine)
        outbox = Outbox(sessions, {Platform.WEB: desk.sender}, clock=desk.clock)
        process = Engine(
            sessions,
            desk.matcher,
            settings=EngineSettings(workflow=desk.workflow),
            clock=desk.clock,
            on_commit=outbox.wake,
        )
        return process, outbox

    try:
        yield build
    finally:
        await engine.dispose()


async def tick_together(desk: DeskHarness, other: Process, rounds: int) -> None:
    """Both processes run their timers at the same moment, then both deliver."""
    engine, outbox = other()
    for round_ in range(rounds):
        ticks = [desk.engine.tick(), engine.tick()]
        if round_ % 2:
            ticks.reverse()
        await asyncio.gather(*ticks)
        await asyncio.gather(desk.outbox.deliver_due(), outbox.deliver_due())


async def test_two_processes_ticking_at_once_alert_once(
    desk: DeskHarness, second_process: Process
) -> None:
    start = desk.clock()
    numbers = [await opened(desk.person(f"Requester{n}"), coffee(n)) for n in range(4)]

    await at(desk, start, timedelta(hours=1))
    await tick_together(desk, second_process, 3)
    assert sla_posts(desk) == []

    desk.clock.now = start + FIRST_WARN
    await tick_together(desk, second_process, 4)
    assert sorted(sla_posts(desk)) == sorted(
        warning(n, "first response", "48 min") for n in numbers
    )

    desk.clock.now = start + FIRST_DUE
    await tick_together(desk, second_process, 4)
    for n in numbers:
        assert sla_posts(desk, n) == [
            warning(n, "first response", "48 min"),
            breach(n, "first response", "0 min"),
        ]
    stages = sorted((n, stage) for n, _, stage, _ in await alerts(desk))
    assert stages == sorted((n, s) for n in numbers for s in ("warning", "breach"))


async def test_two_processes_finding_a_breach_late_send_it_once(
    desk: DeskHarness, second_process: Process
) -> None:
    start = desk.clock()
    numbers = [await opened(desk.person(f"Requester{n}"), coffee(n)) for n in range(4)]
    desk.clock.now = start + FIRST_DUE + timedelta(minutes=20)
    await tick_together(desk, second_process, 4)
    for n in numbers:
        assert sla_posts(desk, n) == [breach(n, "first response", "20 min")]


# -- what stops or moves the clock ----------------------------------------------------------------


async def test_the_first_response_stops_the_first_response_clock(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    start = desk.clock()
    number = await opened(sara)
    desk.clock.advance(hours=1)
    await desk.agent("Ali", f"reply {number} Someone is on the way")
    assert (await desk.ticket_row(number)).first_response_at == start + timedelta(hours=1)

    for offset in (FIRST_WARN, FIRST_DUE, FIRST_DUE + timedelta(hours=5)):
        await at(desk, start, offset)
    assert sla_posts(desk) == []

    # The resolution clock keeps running.
    await at(desk, start, RESOLUTION_WARN)
    assert sla_posts(desk) == [warning(number, "resolution", "4 h 48 min", who="Ali")]
    await at(desk, start, RESOLUTION_DUE)
    assert sla_posts(desk)[-1] == breach(number, "resolution", "0 min", who="Ali")
    assert {target for _, target, _, _ in await alerts(desk)} == {"resolution"}


async def test_a_first_response_after_the_warning_prevents_the_breach(desk: DeskHarness) -> None:
    start = desk.clock()
    number = await opened(desk.person("Sara"))
    await at(desk, start, FIRST_WARN)
    desk.clock.advance(minutes=10)
    await desk.agent("Ali", f"faq {number} password-reset")  # an article answers too
    await at(desk, start, FIRST_DUE + timedelta(hours=1))
    assert sla_posts(desk) == [warning(number, "first response", "48 min")]


async def test_a_priority_change_moves_the_targets_and_a_new_warning_follows(
    desk: DeskHarness,
) -> None:
    start = desk.clock()
    number = await opened(desk.person("Sara"))
    await at(desk, start, FIRST_WARN)
    assert sla_posts(desk) == [warning(number, "first response", "48 min")]

    reply = await desk.agent("Ali", f"priority {number} low")  # low: 8h/72h
    assert reply.ok
    lowered = await desk.ticket_row(number)
    assert lowered.first_response_due_at == start + timedelta(hours=8)
    assert lowered.resolution_due_at == start + timedelta(hours=72)

    # The old due time passes without a breach: it is no longer the target.
    await at(desk, start, FIRST_DUE)
    await at(desk, start, timedelta(hours=6, minutes=23))
    assert sla_posts(desk) == [warning(number, "first response", "48 min")]

    await at(desk, start, timedelta(hours=6, minutes=24))  # 80% of 8h
    await tick_many(desk)
    assert sla_posts(desk) == [
        warning(number, "first response", "48 min"),
        warning(number, "first response", "1 h 36 min", priority="low"),
    ]
    await at(desk, start, timedelta(hours=8))
    assert sla_posts(desk)[-1] == breach(number, "first response", "0 min", priority="low")
    assert len(sla_posts(desk)) == 3


async def test_a_requester_raising_the_priority_brings_the_warning_forward(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    start = desk.clock()
    number = await opened(sara)
    desk.clock.advance(minutes=20)
    await sara.press("Urgent")  # urgent: first response within 30 minutes
    assert (await desk.ticket_row(number)).first_response_due_at == start + timedelta(minutes=30)

    await desk.tick()
    assert sla_posts(desk) == []
    await at(desk, start, timedelta(minutes=24))
    assert sla_posts(desk) == [warning(number, "first response", "6 min", priority="urgent")]
    await at(desk, start, timedelta(minutes=30))
    assert sla_posts(desk)[-1] == breach(number, "first response", "0 min", priority="urgent")


async def test_a_breach_found_late_is_sent_without_its_warning(desk: DeskHarness) -> None:
    start = desk.clock()
    number = await opened(desk.person("Sara"))

    await at(desk, start, FIRST_DUE + timedelta(hours=1))  # the server was down meanwhile
    await tick_many(desk)
    desk.start()
    await tick_many(desk)
    desk.clock.advance(hours=2)
    await tick_many(desk)

    assert sla_posts(desk) == [breach(number, "first response", "1 h")]


async def test_priority_raised_past_the_due_time_breaches_at_once(desk: DeskHarness) -> None:
    start = desk.clock()
    number = await opened(desk.person("Sara"))
    await at(desk, start, timedelta(hours=2))
    await desk.agent("Ali", f"priority {number} high")  # high: first response within 1h
    await tick_many(desk)
    assert sla_posts(desk) == [breach(number, "first response", "1 h", priority="high")]


async def test_resolved_tickets_raise_no_alerts(desk: DeskHarness) -> None:
    start = desk.clock()
    number = await opened(desk.person("Sara"))
    await desk.agent("Ali", f"resolve {number}")
    for offset in (FIRST_WARN, FIRST_DUE, RESOLUTION_DUE):
        await at(desk, start, offset)
    assert sla_posts(desk) == []


# -- the breached view ----------------------------------------------------------------------------


async def test_the_breached_view_lists_breached_tickets(desk: DeskHarness) -> None:
    start = desk.clock()
    late = await opened(desk.person("Sara"), coffee(1))
    answered = await opened(desk.person("Omid"), coffee(2))
    resolved = await opened(desk.person("Reza"), coffee(3))
    await desk.agent("Ali", f"reply {answered} On my way")
    await desk.agent("Ali", f"resolve {resolved}")
    desk.clock.advance(hours=3)
    fresh = await opened(desk.person("Nima"), coffee(4))

    desk.clock.now = start + FIRST_DUE - timedelta(minutes=1)
    assert (await desk.agent("Bea", "queue breached")).text == "The queue is empty."

    desk.clock.now = start + FIRST_DUE
    reply = await desk.agent("Bea", "queue breached")
    assert reply.ok
    assert [line.split(" ")[0] for line in reply.text.splitlines()] == [f"#{late}"]
    assert [t.id for t in await desk.reads.queue(view="breached")] == [late]

    # The later ticket misses its first response target in its turn; a day on, the answered
    # one has missed its resolution target. The resolved ticket races nothing.
    desk.clock.now = start + timedelta(hours=3) + FIRST_DUE
    assert sorted(t.id for t in await desk.reads.queue(view="breached")) == [late, fresh]
    desk.clock.now = start + RESOLUTION_DUE
    breached = sorted(t.id for t in await desk.reads.queue(view="breached"))
    assert breached == sorted([late, answered, fresh])


# -- closing resolved tickets ---------------------------------------------------------------------

CLOSE_AFTER = timedelta(hours=2)


async def test_a_resolved_ticket_closes_after_the_quiet_period(desk: DeskHarness) -> None:
    desk.configure(close_after=CLOSE_AFTER)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"resolve {number} Replaced the valve")
    resolved_at = desk.clock()

    await at(desk, resolved_at, CLOSE_AFTER - timedelta(seconds=1))
    assert (await desk.ticket_row(number)).status == "resolved"

    await at(desk, resolved_at, CLOSE_AFTER)
    await tick_many(desk)
    closed = await desk.ticket_row(number)
    assert (closed.status, closed.closed_at) == ("closed", resolved_at + CLOSE_AFTER)
    changes = [e[1:] for e in await desk.trail(number) if e[0] == "status"]
    assert changes[-1] == ("timer", "resolved", "closed")
    assert changes.count(("timer", "resolved", "closed")) == 1

    # Now a message is a new question, not a reply to the closed ticket.
    await sara.read()
    replies = await sara.say(coffee(2))
    assert "ticket *#2*" in texts(replies) and "open again" not in texts(replies)
    assert (await desk.ticket_row(2)).description == coffee(2)
    assert (await desk.ticket_row(number)).status == "closed"


async def test_a_reply_before_the_quiet_period_ends_reopens_instead(desk: DeskHarness) -> None:
    desk.configure(close_after=CLOSE_AFTER)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"resolve {number}")
    resolved_at = desk.clock()

    desk.clock.now = resolved_at + CLOSE_AFTER - timedelta(minutes=1)
    replies = await sara.say("It is leaking again")
    assert f"Ticket *#{number}* is open again" in texts(replies)
    assert (await desk.ticket_row(number)).status == "open"

    await at(desk, resolved_at, CLOSE_AFTER + timedelta(hours=1))
    assert (await desk.ticket_row(number)).status == "open"  # re-opened tickets are not closed


async def test_after_the_quiet_period_a_message_starts_a_new_question(desk: DeskHarness) -> None:
    """Even before the timer has closed the old ticket."""
    desk.configure(close_after=CLOSE_AFTER)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"resolve {number}")
    desk.clock.advance(hours=2)
    await sara.read()

    replies = await sara.say(coffee(5))
    assert "open again" not in texts(replies)
    assert "ticket *#2*" in texts(replies)
    assert (await desk.ticket_row(number)).status == "resolved"
    await desk.tick()
    assert (await desk.ticket_row(number)).status == "closed"
    assert (await desk.ticket_row(2)).status == "new"


async def test_two_processes_close_a_ticket_once(
    desk: DeskHarness, second_process: Process
) -> None:
    desk.configure(close_after=CLOSE_AFTER)
    number = await opened(desk.person("Sara"))
    await desk.agent("Ali", f"resolve {number}")
    desk.clock.advance(hours=3)
    await tick_together(desk, second_process, 3)
    assert (await desk.ticket_row(number)).status == "closed"
    async with desk.sessions() as session:
        closings = list(
            await session.scalars(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == number, TicketEvent.to_value == "closed"
                )
            )
        )
        pending = list(await session.scalars(select(Message).where(Message.status == "pending")))
    assert len(closings) == 1
    assert pending == []
