"""Which tickets each ticket figure counts. A figure's number is the size of its set and its
drill-down lists the same set, so the two always agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, union_all
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.elements import SQLColumnExpression

from conversations.models import ArticleLink, SlaAlert, Suggestion, Ticket, TicketEvent
from conversations.reports.period import Filters, Period
from conversations.tickets.events import EventKind
from conversations.tickets.lifecycle import ACTIVE, BACK_TO_WORK, FINISHED, TicketStatus


def within(column: SQLColumnExpression[Any], period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def matching(filters: Filters) -> list[ColumnElement[bool]]:
    """The filters as conditions on ``Ticket``."""
    conditions: list[ColumnElement[bool]] = []
    if filters.channel:
        conditions.append(Ticket.channel == filters.channel)
    if filters.priority:
        conditions.append(Ticket.priority == filters.priority)
    if filters.team:
        conditions.append(Ticket.team == filters.team)
    if filters.agent:
        conditions.append(func.lower(Ticket.assignee_name) == filters.agent.lower())
    if filters.lang:
        conditions.append(Ticket.lang == filters.lang)
    if filters.article:
        conditions.append(
            or_(
                exists().where(
                    Suggestion.ticket_id == Ticket.id, Suggestion.article_id == filters.article
                ),
                exists().where(
                    ArticleLink.ticket_id == Ticket.id, ArticleLink.article_id == filters.article
                ),
            )
        )
    return conditions


def reopens() -> ColumnElement[bool]:
    """A status event that brought a resolved or closed ticket back to work."""
    return and_(
        TicketEvent.action == EventKind.STATUS,
        TicketEvent.from_value.in_(FINISHED),
        TicketEvent.to_value.in_(BACK_TO_WORK),
    )


def was_reopened() -> ColumnElement[bool]:
    return Ticket.reopen_count > 0


def created(period: Period) -> list[ColumnElement[bool]]:
    return [within(Ticket.created_at, period)]


def resolved(period: Period) -> list[ColumnElement[bool]]:
    """Tickets whose final resolution is in the period (``resolved_at`` is cleared when a
    ticket re-opens, so a re-opened ticket counts when it is resolved again)."""
    return [within(Ticket.resolved_at, period)]


def reopened(period: Period) -> list[ColumnElement[bool]]:
    return [
        exists().where(
            TicketEvent.ticket_id == Ticket.id, reopens(), within(TicketEvent.created_at, period)
        )
    ]


def backlog(at: datetime) -> list[ColumnElement[bool]]:
    """Tickets that existed at ``at`` and were still to be worked on then: their last status
    event before ``at`` left them new, open or pending (no event yet: new).

    A ticket's ``status`` is its last status event's value (every change goes through
    ``operations._move``, which logs it), so only the tickets whose status changed at or after
    ``at`` need their status looked up in the log; the others are where they are now. Looking
    up every ticket's last event before ``at`` made this the slowest figure (benchmarks/)."""
    changed = (
        select(TicketEvent.ticket_id)
        .where(
            TicketEvent.ticket_id.is_not(None),
            TicketEvent.action.in_((EventKind.STATUS, EventKind.CREATED)),
            TicketEvent.created_at >= at,
        )
        .scalar_subquery()
    )
    last = (
        select(TicketEvent.to_value)
        .where(
            TicketEvent.ticket_id == Ticket.id,
            TicketEvent.action.in_((EventKind.STATUS, EventKind.CREATED)),
            TicketEvent.created_at < at,
        )
        .order_by(TicketEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # Two sets, each found through an index (live tickets by status, changed ones from the log),
    # rather than one condition with OR, which made the database read every ticket created
    # before ``at``.
    existed = Ticket.created_at < at
    unchanged = select(Ticket.id).where(
        existed, Ticket.status.in_(ACTIVE), Ticket.id.not_in(changed)
    )
    were_active = select(Ticket.id).where(
        existed, Ticket.id.in_(changed), func.coalesce(last, TicketStatus.NEW.value).in_(ACTIVE)
    )
    return [existed, Ticket.id.in_(union_all(unchanged, were_active))]


def as_of(period: Period, now: datetime) -> datetime:
    """When a period's backlog is taken: its end, or for a period not over yet, now (what
    happened at this very moment included)."""
    return min(period.end, now + timedelta(microseconds=1))


def breached(period: Period) -> list[ColumnElement[bool]]:
    return [
        exists().where(
            SlaAlert.ticket_id == Ticket.id,
            SlaAlert.stage == "breach",
            within(SlaAlert.sent_at, period),
        )
    ]


#: First-contact resolution: exactly one agent reply and never re-opened.
FIRST_CONTACT = (Ticket.agent_replies == 1, Ticket.reopen_count == 0)


def first_contact(period: Period) -> list[ColumnElement[bool]]:
    """Resolved in the period at first contact."""
    return [*resolved(period), *FIRST_CONTACT]


def unattended(now: datetime) -> list[ColumnElement[bool]]:
    return [Ticket.status.in_(ACTIVE), Ticket.first_response_at.is_(None), Ticket.created_at <= now]


def live_breached(now: datetime) -> list[ColumnElement[bool]]:
    return [
        Ticket.status.in_(ACTIVE),
        or_(
            Ticket.resolution_due_at <= now,
            and_(Ticket.first_response_at.is_(None), Ticket.first_response_due_at <= now),
        ),
    ]


#: The sets a drill-down can name: figure -> conditions for (period, now).
SETS: dict[str, Callable[[Period, datetime], list[ColumnElement[bool]]]] = {
    "created": lambda p, now: created(p),
    "resolved": lambda p, now: resolved(p),
    "reopened": lambda p, now: reopened(p),
    "backlog": lambda p, now: backlog(as_of(p, now)),
    # The n of first_response_minutes: created in the period, and a person has answered.
    "first_responded": lambda p, now: [*created(p), Ticket.first_response_at.is_not(None)],
    "breaches": lambda p, now: breached(p),
    "first_contact": lambda p, now: first_contact(p),
    "open": lambda p, now: [Ticket.status.in_(ACTIVE)],
    "unassigned": lambda p, now: [Ticket.status.in_(ACTIVE), Ticket.assignee_key.is_(None)],
    "unattended": lambda p, now: unattended(now),
    "pending": lambda p, now: [Ticket.status == TicketStatus.PENDING],
    "breached": lambda p, now: live_breached(now),
}


#: What the agents table counts per agent: the tickets with an event of each kind by the agent
#: in the period (``compute._agents`` counts them, ``AGENT_SETS`` lists them).
AGENT_EVENTS: dict[str, ColumnElement[bool]] = {
    "claimed": and_(
        TicketEvent.action == EventKind.ASSIGNED, TicketEvent.to_value == TicketEvent.actor
    ),
    "resolved": and_(
        TicketEvent.action == EventKind.STATUS, TicketEvent.to_value == TicketStatus.RESOLVED
    ),
    "transfers": TicketEvent.action == EventKind.TRANSFER,
    "merges": TicketEvent.action == EventKind.MERGED,
}


def _by_agent(kind: str) -> Callable[[Period, str], list[ColumnElement[bool]]]:
    def conditions(period: Period, agent_key: str) -> list[ColumnElement[bool]]:
        return [
            exists().where(
                TicketEvent.ticket_id == Ticket.id,
                AGENT_EVENTS[kind],
                TicketEvent.actor_key == agent_key,
                within(TicketEvent.created_at, period),
            )
        ]

    return conditions


#: The agents table's sets, each for one agent (the ``actor``: an agent key): figure ->
#: conditions for (period, agent key).
AGENT_SETS: dict[str, Callable[[Period, str], list[ColumnElement[bool]]]] = {
    **{f"agent_{kind}": _by_agent(kind) for kind in AGENT_EVENTS},
    # The n of the agent's first_response_p50.
    "agent_first_responses": lambda p, key: [
        within(Ticket.first_response_at, p),
        Ticket.first_responder_key == key,
    ],
    "agent_open": lambda p, key: [Ticket.status.in_(ACTIVE), Ticket.assignee_key == key],
}


def tickets_in(
    name: str, period: Period, filters: Filters, now: datetime, *, actor: str | None = None
) -> Select[Any]:
    """The ids of the tickets behind the figure ``name`` (for an ``AGENT_SETS`` figure, the
    agent ``actor``'s); KeyError for an unknown one or for a missing or needless ``actor``
    (``request.parse_figure`` checks both for the surfaces)."""
    if (name in AGENT_SETS) != (actor is not None):
        raise KeyError(name)
    conditions = AGENT_SETS[name](period, actor) if actor is not None else SETS[name](period, now)
    return select(Ticket.id).where(*conditions, *matching(filters)).order_by(Ticket.id)
