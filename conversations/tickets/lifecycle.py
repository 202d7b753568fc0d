"""A ticket's statuses and the one table of moves between them.

    new -> open (claimed) -> pending (waiting on the requester) -> resolved -> closed

Every operation that may change a status asks ``next_status`` first; a move the table does not
list raises ``TransitionRefused``, which each surface answers with its usual clear message
("#12 is closed, so that can't be done"). Operations that do not change the status (a reply, a
priority) are in the table too, so what a ticket's state allows is written down in one place,
and the console can grey out what is not allowed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class TicketStatus(enum.StrEnum):
    NEW = "new"  # nobody has it
    OPEN = "open"  # an agent has it
    PENDING = "pending"  # waiting on the requester
    RESOLVED = "resolved"  # a reply within the quiet period re-opens it
    CLOSED = "closed"  # final; only an agent's reopen brings it back


#: Tickets an agent still has to act on.
ACTIVE: frozenset[TicketStatus] = frozenset(
    {TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING}
)


class Op(enum.StrEnum):
    """Everything that can be done to a ticket."""

    CLAIM = "claim"  # an agent takes an unassigned ticket (also: answering one takes it)
    RELEASE = "release"  # back to the queue
    ASSIGN = "assign"  # a lead gives it to someone, or a transfer is accepted
    TRANSFER = "transfer"  # offer it to an agent or team (no change until accepted)
    PRIORITY = "priority"  # an agent or the requester changes the priority
    REPLY = "reply"  # an agent answers the requester (text or a KB article)
    NOTE = "note"  # internal note
    PEND = "pend"  # waiting on the requester
    RESOLVE = "resolve"
    REOPEN = "reopen"  # an agent re-opens a resolved or closed ticket
    CLOSE = "close"  # an agent closes it
    WITHDRAW = "withdraw"  # the requester takes it back (/cancel)
    MERGE = "merge"  # it is a duplicate: closed into another
    MERGE_INTO = "merge_into"  # it receives a duplicate
    REQUESTER_MESSAGE = "requester_message"  # the requester writes: back to the agent
    AUTO_CLOSE = "auto_close"  # a resolved ticket's quiet period is over


# A re-open: a status move out of these back into those (what reports count as reopened).
FINISHED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
BACK_TO_WORK = (TicketStatus.NEW, TicketStatus.OPEN)


def is_reopen(before: TicketStatus, after: TicketStatus) -> bool:
    return before in FINISHED and after in BACK_TO_WORK


class _Working:
    """A target meaning "open when someone has it, else new"."""

    def __repr__(self) -> str:
        return "WORKING"


WORKING = _Working()
Target = TicketStatus | _Working

S = TicketStatus

#: op -> {status it may start from: status it leaves the ticket in}. Anything missing is refused.
TRANSITIONS: Mapping[Op, Mapping[TicketStatus, Target]] = MappingProxyType(
    {
        Op.CLAIM: {S.NEW: S.OPEN, S.PENDING: S.OPEN},
        Op.RELEASE: {S.OPEN: S.NEW, S.PENDING: S.PENDING, S.NEW: S.NEW},
        Op.ASSIGN: {S.NEW: S.OPEN, S.OPEN: S.OPEN, S.PENDING: S.PENDING},
        Op.TRANSFER: {S.NEW: S.NEW, S.OPEN: S.OPEN, S.PENDING: S.PENDING},
        Op.PRIORITY: {S.NEW: S.NEW, S.OPEN: S.OPEN, S.PENDING: S.PENDING},
        Op.REPLY: {S.NEW: S.NEW, S.OPEN: S.OPEN, S.PENDING: S.PENDING, S.RESOLVED: S.RESOLVED},
        Op.NOTE: {
            S.NEW: S.NEW,
            S.OPEN: S.OPEN,
            S.PENDING: S.PENDING,
            S.RESOLVED: S.RESOLVED,
            S.CLOSED: S.CLOSED,
        },
        Op.PEND: {S.NEW: S.PENDING, S.OPEN: S.PENDING},
        Op.RESOLVE: {S.NEW: S.RESOLVED, S.OPEN: S.RESOLVED, S.PENDING: S.RESOLVED},
        Op.REOPEN: {S.RESOLVED: WORKING, S.CLOSED: WORKING},
        Op.CLOSE: {S.NEW: S.CLOSED, S.OPEN: S.CLOSED, S.PENDING: S.CLOSED, S.RESOLVED: S.CLOSED},
        Op.WITHDRAW: {S.NEW: S.CLOSED, S.OPEN: S.CLOSED, S.PENDING: S.CLOSED},
        Op.MERGE: {S.NEW: S.CLOSED, S.OPEN: S.CLOSED, S.PENDING: S.CLOSED, S.RESOLVED: S.CLOSED},
        Op.MERGE_INTO: {S.NEW: S.NEW, S.OPEN: S.OPEN, S.PENDING: S.PENDING, S.RESOLVED: S.RESOLVED},
        Op.REQUESTER_MESSAGE: {
            S.NEW: S.NEW,
            S.OPEN: S.OPEN,
            S.PENDING: WORKING,
            S.RESOLVED: WORKING,
        },
        Op.AUTO_CLOSE: {S.RESOLVED: S.CLOSED},
    }
)


class TransitionRefused(Exception):
    """``op`` is not allowed while the ticket is ``status``."""

    def __init__(self, ticket_id: int, op: Op, status: TicketStatus) -> None:
        super().__init__(f"#{ticket_id}: {op} is not allowed while {status}")
        self.ticket_id = ticket_id
        self.op = op
        self.status = status


def allows(op: Op, status: str) -> bool:
    return TicketStatus(status) in TRANSITIONS[op]


def next_status(ticket_id: int, op: Op, status: str, *, assigned: bool) -> TicketStatus:
    """Where ``op`` takes a ticket that is in ``status``; raises ``TransitionRefused``."""
    current = TicketStatus(status)
    target = TRANSITIONS[op].get(current)
    if target is None:
        raise TransitionRefused(ticket_id, op, current)
    if isinstance(target, _Working):
        return TicketStatus.OPEN if assigned else TicketStatus.NEW
    return target


def allowed_ops(status: str) -> frozenset[Op]:
    """What may be done to a ticket in ``status`` (for surfaces that disable buttons)."""
    current = TicketStatus(status)
    return frozenset(op for op, moves in TRANSITIONS.items() if current in moves)
