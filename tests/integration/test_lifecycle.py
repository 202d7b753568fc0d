"""The lifecycle table is the one home of a ticket's moves: every operation, from every status,
with and without an owner, does exactly what ``TRANSITIONS`` says, and a move the table does not
list is refused with nothing changed (no status, owner or event). Walked through the real
operations on a real database, both databases."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conversations.models import Person as PersonRow
from conversations.models import Ticket, TicketEvent
from conversations.store import Store
from conversations.tickets import operations as op
from conversations.tickets.events import EventKind
from conversations.tickets.lifecycle import (
    TRANSITIONS,
    WORKING,
    Op,
    TicketStatus,
    TransitionRefused,
    allowed_ops,
)
from conversations.tickets.operations import Actor, TransferTarget
from conversations.tickets.workflow import Notifier
from tests.harness import COFFEE, DeskHarness

ALI = Actor("Ali", "web:agent:Ali")
BEA = Actor("Bea", "web:agent:Bea")

Run = Callable[[Notifier, Ticket, PersonRow, Ticket], Awaitable[object]]


async def _auto_close(n: Notifier, ticket: Ticket, person: PersonRow, other: Ticket) -> None:
    await op.close_quiet_resolved(n)


RUNS: dict[Op, Run] = {
    Op.CLAIM: lambda n, t, p, o: op.take(n, t, BEA),
    Op.RELEASE: lambda n, t, p, o: op.release(n, t, ALI),
    Op.ASSIGN: lambda n, t, p, o: op.assign(n, t, BEA, ALI),
    Op.TRANSFER: lambda n, t, p, o: op.transfer(
        n, t, TransferTarget(BEA.key, BEA.name), "", ALI, _no_summary
    ),
    Op.PRIORITY: lambda n, t, p, o: _async(op.set_priority(n, t, "high", ALI)),
    Op.REPLY: lambda n, t, p, o: op.reply(n, t, ALI, "Try again now"),
    Op.NOTE: lambda n, t, p, o: _async(op.note(n, t, ALI, "checked the logs")),
    Op.PEND: lambda n, t, p, o: op.pend(n, t, ALI),
    Op.RESOLVE: lambda n, t, p, o: op.resolve(n, t, ALI, "fixed"),
    Op.REOPEN: lambda n, t, p, o: op.reopen(n, t, ALI),
    Op.CLOSE: lambda n, t, p, o: op.close(n, t, ALI),
    Op.WITHDRAW: lambda n, t, p, o: op.withdraw(n, t, p),
    Op.MERGE: lambda n, t, p, o: op.merge(n, t, o, ALI),
    Op.MERGE_INTO: lambda n, t, p, o: op.merge(n, o, t, ALI),
    Op.REQUESTER_MESSAGE: lambda n, t, p, o: op.requester_message(n, t, p, "still broken"),
    Op.AUTO_CLOSE: _auto_close,
}


async def _no_summary() -> list[str]:
    return []


async def _async(value: object) -> object:
    return value


def test_every_operation_has_a_run_in_this_walk() -> None:
    assert set(RUNS) == set(Op)


def test_allowed_ops_reads_the_table() -> None:
    for status in TicketStatus:
        assert allowed_ops(status) == {o for o, moves in TRANSITIONS.items() if status in moves}


async def _ticket_in(desk: DeskHarness, status: TicketStatus, *, assigned: bool) -> int:
    """A ticket put straight into ``status`` (owned by Ali or by nobody), priority low."""
    number = await desk.person("Sara").open_ticket(COFFEE)
    async with desk.sessions.begin() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None
        ticket.status = status
        ticket.priority = "low"
        ticket.assignee_key, ticket.assignee_name = (
            (ALI.key, ALI.name) if assigned else (None, None)
        )
        if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            ticket.resolved_at = desk.clock() - timedelta(days=30)
        if status is TicketStatus.CLOSED:
            ticket.closed_at = desk.clock() - timedelta(days=29)
    return number


async def _events(desk: DeskHarness) -> int:
    """The newest event's id: what was recorded after it is what the operation did."""
    async with desk.sessions() as session:
        return await session.scalar(select(func.max(TicketEvent.id))) or 0


def _expected(op_: Op, status: TicketStatus, *, assigned: bool) -> TicketStatus | None:
    """Where the table says ``op_`` takes the ticket; None when it refuses."""
    target = TRANSITIONS[op_].get(status)
    if target is None:
        return None
    if op_ is Op.REPLY and not assigned and status in (TicketStatus.NEW, TicketStatus.PENDING):
        return TicketStatus.OPEN  # answering an unowned ticket claims it first
    owner_after = {Op.RELEASE: False, Op.ASSIGN: True, Op.CLAIM: True}.get(op_, assigned)
    if op_ is Op.RESOLVE and not assigned:
        owner_after = True  # resolving an unassigned ticket gives it to the resolver
    if target is WORKING:
        return TicketStatus.OPEN if owner_after else TicketStatus.NEW
    assert isinstance(target, TicketStatus)
    return target


CASES = list(itertools.product(Op, TicketStatus, (False, True)))


@pytest.mark.parametrize(
    ("op_", "status", "assigned"),
    CASES,
    ids=[f"{o}-from-{s}-{'owned' if a else 'unowned'}" for o, s, a in CASES],
)
async def test_the_table_decides_every_move(
    desk: DeskHarness, op_: Op, status: TicketStatus, assigned: bool
) -> None:
    number = await _ticket_in(desk, status, assigned=assigned)
    other = await desk.person("Omid").open_ticket("the projector in room 4 shows no picture")
    desk.clock.advance(days=30)  # past every quiet period, for the auto-close
    before = await _events(desk)
    expected = _expected(op_, status, assigned=assigned)
    # A claim needs an unowned ticket: on an owned one it loses the conditional UPDATE.
    refused_by_owner = op_ is Op.CLAIM and assigned

    outcome: object = None
    try:
        async with desk.sessions.begin() as session:
            store = Store(session, desk.clock())
            n = Notifier(store, desk.workflow)
            ticket = await store.tickets.get(number)
            target = await store.tickets.get(other)
            assert ticket is not None and target is not None
            person = await store.people.requester_by_id(ticket.requester_id)
            outcome = await RUNS[op_](n, ticket, person, target)
            if outcome is False:  # take() answers False instead of raising
                raise TransitionRefused(number, op_, status)
    except TransitionRefused as refused:
        assert expected is None or refused_by_owner, f"{op_} from {status} should be allowed"
        assert refused.ticket_id == number
        row = await desk.ticket_row(number)
        assert row.status == status
        assert (row.assignee_key is not None) == assigned
        assert await _events(desk) == before  # nothing at all was recorded
        return

    row = await desk.ticket_row(number)
    if op_ is Op.AUTO_CLOSE:
        # The timer only looks at resolved tickets: the others are left as they are.
        assert row.status == (expected or status)
        return
    assert expected is not None and not refused_by_owner, f"{op_} from {status} went through"
    assert row.status == expected
    # The event log tells the same story: status events chaining from the old to the new one.
    async with desk.sessions() as session:
        rows = await session.scalars(
            select(TicketEvent)
            .where(
                TicketEvent.id > before,
                TicketEvent.ticket_id == number,
                TicketEvent.action == EventKind.STATUS,
            )
            .order_by(TicketEvent.id)
        )
        moves = [(e.from_value, e.to_value) for e in rows]
    if expected == status:
        assert moves == []
    else:
        assert moves[0][0] == status and moves[-1][1] == expected
        assert all(a[1] == b[0] for a, b in itertools.pairwise(moves))
