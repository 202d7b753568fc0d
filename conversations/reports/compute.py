"""The queries behind every figure (docs/metrics.md defines them). Each figure is an aggregate the
database computes; Python only assembles the results. The result is a plain JSON-ready dict whose
keys are a stable interface (``deskbot report --format json``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, distinct, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.elements import SQLColumnExpression

from conversations.models import (
    Agent,
    ArticleLink,
    Conversation,
    SlaAlert,
    Suggestion,
    Survey,
    Ticket,
    TicketEntry,
    TicketEvent,
)
from conversations.reports import ticket_sets as sets
from conversations.reports.period import Filters, Period
from conversations.reports.sql import (
    bucket_of,
    day_after,
    hour_of,
    minutes_between,
    percentiles,
    weekday_of,
)
from conversations.tickets.lifecycle import ACTIVE

ASSUMED_SOLVED_AFTER = timedelta(hours=24)  # no ticket within this (sql.day_after): solved


def _ticket_filter(
    ticket_id: SQLColumnExpression[Any], filters: Filters
) -> list[ColumnElement[bool]]:
    """The filters as conditions on rows that belong to a ticket (``ticket_id``). None without
    filters: joining every ticket only to keep them all was the slowest step of several figures
    (benchmarks/reports.py)."""
    match = sets.matching(filters)
    if not match:
        return []
    return [ticket_id.in_(select(Ticket.id).where(*match))]


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _minutes(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


async def _count(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    return int(await session.scalar(select(func.count(Ticket.id)).where(*where)) or 0)


async def _speed(
    session: AsyncSession, value: SQLColumnExpression[Any], where: list[ColumnElement[bool]]
) -> dict[str, Any]:
    found = (await percentiles(session, value, where)).get(None)
    if found is None:
        return {"p50": None, "p90": None, "n": 0}
    figures, n = found
    return {"p50": _minutes(figures[0.5]), "p90": _minutes(figures[0.9]), "n": n}


async def _requester_wait(
    session: AsyncSession, period: Period, filters: Filters
) -> dict[str, Any]:
    """From each requester message to the agent reply that followed it (the gaps a requester
    waited): each such reply carries when that message was written (``waited_since``)."""
    return await _speed(
        session,
        minutes_between(TicketEntry.waited_since, TicketEntry.created_at),
        [
            TicketEntry.kind == "agent",
            sets.within(TicketEntry.created_at, period),
            *_ticket_filter(TicketEntry.ticket_id, filters),
        ],
    )


class _Tally:
    """Counts over one set of tickets per channel and priority, with named conditional counts
    beside the total: one query per set instead of one per figure."""

    def __init__(self, rows: Sequence[Sequence[Any]], names: Sequence[str]) -> None:
        self.names = ("n", *names)
        # (channel, priority) -> the counts in ``names`` order
        self.groups = {(str(row[0]), str(row[1])): [int(v or 0) for v in row[2:]] for row in rows}

    def total(self, name: str = "n") -> int:
        i = self.names.index(name)
        return sum(counts[i] for counts in self.groups.values())

    def by(self, dimension: int) -> dict[str, int]:
        """The total per channel (``dimension`` 0) or priority (1)."""
        counted: dict[str, int] = {}
        for key, counts in self.groups.items():
            counted[key[dimension]] = counted.get(key[dimension], 0) + counts[0]
        return counted


async def _tally(
    session: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    counts: dict[str, ColumnElement[bool]],
) -> _Tally:
    rows = await session.execute(
        select(
            Ticket.channel,
            Ticket.priority,
            func.count(Ticket.id),
            *(func.sum(case((condition, 1), else_=0)) for condition in counts.values()),
        )
        .where(*where)
        .group_by(Ticket.channel, Ticket.priority)
    )
    return _Tally(rows.all(), tuple(counts))


async def _breaches(session: AsyncSession, period: Period, filters: Filters) -> int:
    return int(
        await session.scalar(
            select(func.count(SlaAlert.id)).where(
                SlaAlert.stage == "breach",
                sets.within(SlaAlert.sent_at, period),
                *_ticket_filter(SlaAlert.ticket_id, filters),
            )
        )
        or 0
    )


async def _csat(session: AsyncSession, period: Period, filters: Filters) -> dict[str, Any]:
    row = (
        await session.execute(
            select(
                func.count(Survey.id),
                func.count(Survey.rating),
                func.avg(Survey.rating),
                func.sum(case((Survey.rating >= 4, 1), else_=0)),
            ).where(sets.within(Survey.sent_at, period), *_ticket_filter(Survey.ticket_id, filters))
        )
    ).one()
    sent, responses, average, satisfied = int(row[0]), int(row[1]), row[2], int(row[3] or 0)
    return {
        "surveys_sent": sent,
        "responses": responses,
        "response_rate": rate(responses, sent),
        "average": round(float(average), 2) if average is not None else None,
        "satisfied_rate": rate(satisfied, responses),
    }


def _suggestion_filters(filters: Filters) -> list[ColumnElement[bool]]:
    """The filters as conditions on suggestions (their conversation's channel and language, the
    article); conversations are read only when a filter needs them (as ``_ticket_filter``)."""
    conditions: list[ColumnElement[bool]] = []
    talks: list[ColumnElement[bool]] = []
    if filters.channel:
        talks.append(Conversation.platform == filters.channel)
    if filters.lang:
        talks.append(Conversation.lang == filters.lang)
    if talks:
        conditions.append(Suggestion.conversation_id.in_(select(Conversation.id).where(*talks)))
    if filters.article:
        conditions.append(Suggestion.article_id == filters.article)
    return conditions


async def _self_service(
    session: AsyncSession, period: Period, filters: Filters, now: datetime
) -> dict[str, Any]:
    """Per question (the suggestions shown for one query in one conversation): confirmed by a
    button, escalated (it became a ticket), or assumed solved (neither, and no ticket from that
    conversation within 24 hours)."""
    questions = (
        select(
            Suggestion.conversation_id.label("conversation_id"),
            func.min(Suggestion.shown_at).label("shown_at"),
            func.max(case((Suggestion.outcome == "solved", 1), else_=0)).label("solved"),
            func.max(
                case(
                    (or_(Suggestion.ticket_id.is_not(None), Suggestion.outcome == "escalated"), 1),
                    else_=0,
                )
            ).label("escalated"),
        )
        .where(sets.within(Suggestion.shown_at, period), *_suggestion_filters(filters))
        .group_by(Suggestion.conversation_id, Suggestion.query)
        .subquery()
    )
    ticket_soon = exists().where(
        Ticket.conversation_id == questions.c.conversation_id,
        Ticket.created_at >= questions.c.shown_at,
        Ticket.created_at < day_after(questions.c.shown_at),
    )
    assumed = and_(
        questions.c.solved == 0,
        questions.c.escalated == 0,
        questions.c.shown_at <= now - ASSUMED_SOLVED_AFTER,
        ~ticket_soon,
    )
    row = (
        await session.execute(
            select(
                func.count(),
                func.sum(questions.c.solved),
                func.sum(case((assumed, 1), else_=0)),
                func.sum(
                    case((and_(questions.c.solved == 0, questions.c.escalated == 1), 1), else_=0)
                ),
            )
        )
    ).one()
    total, confirmed, assumed_n, escalated = (int(v or 0) for v in row)
    return {
        "questions": total,
        "solved_confirmed": confirmed,
        "solved_assumed": assumed_n,
        "escalated": escalated,
        "deflection_rate": rate(confirmed + assumed_n, total),
    }


async def _articles(
    session: AsyncSession, period: Period, filters: Filters
) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(
            Suggestion.article_id,
            func.count(Suggestion.id),
            func.sum(case((Suggestion.outcome == "solved", 1), else_=0)),
            func.sum(case((Suggestion.outcome == "rejected", 1), else_=0)),
            func.sum(
                case(
                    (or_(Suggestion.ticket_id.is_not(None), Suggestion.outcome == "escalated"), 1),
                    else_=0,
                )
            ),
        )
        .where(sets.within(Suggestion.shown_at, period), *_suggestion_filters(filters))
        .group_by(Suggestion.article_id)
    )
    linked_csat: dict[str, Any] = dict(
        (
            await session.execute(
                select(ArticleLink.article_id, func.avg(Survey.rating))
                .join(Survey, Survey.ticket_id == ArticleLink.ticket_id)
                .where(
                    ArticleLink.source == "resolve",
                    Survey.rating.is_not(None),
                    sets.within(Survey.sent_at, period),
                )
                .group_by(ArticleLink.article_id)
            )
        ).all()
    )
    articles = []
    for article, shown, solved, rejected, escalated in rows:
        csat = linked_csat.get(article)
        articles.append(
            {
                "id": article,
                "shown": int(shown),
                "solved": int(solved or 0),
                "rejected": int(rejected or 0),
                "escalated": int(escalated or 0),
                "deflection_rate": rate(int(solved or 0), int(shown)),
                "csat_average": round(float(csat), 2) if csat is not None else None,
            }
        )
    return sorted(articles, key=lambda a: (-a["shown"], a["id"]))


async def _agents(session: AsyncSession, period: Period, filters: Filters) -> list[dict[str, Any]]:
    in_period = sets.within(TicketEvent.created_at, period)
    match = sets.matching(filters)

    # Each figure counts the tickets with an event of its kind by the agent, in one pass over
    # the period's events of those kinds (their drill-downs: ``sets.AGENT_SETS``).
    kinds = sets.AGENT_EVENTS
    rows = await session.execute(
        select(
            TicketEvent.actor_key,
            *(func.count(distinct(case((kind, TicketEvent.ticket_id)))) for kind in kinds.values()),
        )
        .where(
            in_period,
            or_(*kinds.values()),  # only the events counted: half the rows to group
            TicketEvent.actor_key.is_not(None),
            TicketEvent.ticket_id.is_not(None),
            *_ticket_filter(TicketEvent.ticket_id, filters),
        )
        .group_by(TicketEvent.actor_key)
    )
    counted: dict[str, dict[str, int]] = {name: {} for name in kinds}
    for key, *ns in rows:
        for name, n in zip(kinds, ns, strict=True):
            if n:
                counted[name][str(key)] = int(n)
    claimed, resolved = counted["claimed"], counted["resolved"]
    transfers, merges = counted["transfers"], counted["merges"]
    first = await percentiles(
        session,
        minutes_between(Ticket.created_at, Ticket.first_response_at),
        [sets.within(Ticket.first_response_at, period), *match],
        bucket=Ticket.first_responder_key,
    )
    # Each answered survey's ticket looked up by its key (a join made the database hash every
    # ticket to find the period's few thousand).
    rated = (
        select(
            select(Ticket.assignee_key)
            .where(Ticket.id == Survey.ticket_id)
            .scalar_subquery()
            .label("assignee"),
            Survey.rating.label("rating"),
        )
        .where(
            Survey.rating.is_not(None),
            sets.within(Survey.answered_at, period),
            *_ticket_filter(Survey.ticket_id, filters),
        )
        .subquery()
    )
    csat: dict[str | None, Any] = dict(
        (
            await session.execute(
                select(rated.c.assignee, func.avg(rated.c.rating)).group_by(rated.c.assignee)
            )
        ).all()
    )
    load = dict(
        (
            await session.execute(
                select(Ticket.assignee_key, func.count(Ticket.id))
                .where(Ticket.status.in_(ACTIVE), Ticket.assignee_key.is_not(None), *match)
                .group_by(Ticket.assignee_key)
            )
        ).all()
    )
    names = dict((await session.execute(select(Agent.key, Agent.name))).all())
    keys = set(claimed) | set(resolved) | set(first) | set(transfers) | set(merges)
    keys |= {k for k in csat if k} | set(load)
    agents = []
    for key in keys:
        if key is None or key not in names:
            continue  # requesters act too (a re-open); only agents are listed
        p50 = first.get(key)
        average = csat.get(key)
        agents.append(
            {
                "name": names[key],
                "key": key,
                "claimed": claimed.get(key, 0),
                "resolved": resolved.get(key, 0),
                "first_response_p50": _minutes(p50[0][0.5]) if p50 else None,
                "first_responses": p50[1] if p50 else 0,
                "csat_average": round(float(average), 2) if average is not None else None,
                "open": int(load.get(key, 0)),
                "transfers": transfers.get(key, 0),
                "merges": merges.get(key, 0),
            }
        )
    return sorted(agents, key=lambda a: (-a["resolved"], a["name"]))


async def figures(
    session: AsyncSession, period: Period, filters: Filters, *, now: datetime
) -> dict[str, Any]:
    """Every figure of one period."""
    match = sets.matching(filters)
    first_due, resolution_due = Ticket.first_response_due_at, Ticket.resolution_due_at
    created = await _tally(
        session,
        [*sets.created(period), *match],
        {
            # A first response is judged once it happened or its time ran out.
            "first_judged": and_(
                first_due.is_not(None),
                or_(Ticket.first_response_at.is_not(None), first_due <= now),
            ),
            "first_hit": and_(
                Ticket.first_response_at.is_not(None), Ticket.first_response_at <= first_due
            ),
        },
    )
    resolved = await _tally(
        session,
        [*sets.resolved(period), *match],
        {
            "reopened": sets.was_reopened(),
            "first_contact": and_(*sets.FIRST_CONTACT),
            "resolution_judged": resolution_due.is_not(None),
            "resolution_hit": and_(
                resolution_due.is_not(None), Ticket.resolved_at <= resolution_due
            ),
        },
    )
    n_resolved = resolved.total()
    by_channel: dict[str, dict[str, int]] = {}
    by_priority: dict[str, dict[str, int]] = {}
    for into, dimension in ((by_channel, 0), (by_priority, 1)):
        for name, tally in (("created", created), ("resolved", resolved)):
            for key, n in tally.by(dimension).items():
                into.setdefault(key, {"created": 0, "resolved": 0})[name] = n
    return {
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
        "tickets": {
            "created": created.total(),
            "resolved": n_resolved,
            "reopened": await _count(session, *sets.reopened(period), *match),
            "backlog": await _count(session, *sets.backlog(sets.as_of(period, now)), *match),
        },
        "first_response_minutes": await _speed(
            session,
            minutes_between(Ticket.created_at, Ticket.first_response_at),
            [*sets.created(period), *match],
        ),
        "resolution_minutes": await _speed(
            session,
            minutes_between(Ticket.created_at, Ticket.resolved_at),
            [*sets.resolved(period), *match],
        ),
        "first_resolution_minutes": await _speed(
            session,
            minutes_between(Ticket.created_at, Ticket.first_resolved_at),
            [sets.within(Ticket.first_resolved_at, period), *match],
        ),
        "requester_wait_minutes": await _requester_wait(session, period, filters),
        "sla": {
            "first_response_hit_rate": rate(
                created.total("first_hit"), created.total("first_judged")
            ),
            "first_response_n": created.total("first_judged"),
            "resolution_hit_rate": rate(
                resolved.total("resolution_hit"), resolved.total("resolution_judged")
            ),
            "resolution_n": resolved.total("resolution_judged"),
            "breaches": await _breaches(session, period, filters),
        },
        "csat": await _csat(session, period, filters),
        "self_service": await _self_service(session, period, filters, now),
        "fcr_rate": rate(resolved.total("first_contact"), n_resolved),
        "reopen_rate": rate(resolved.total("reopened"), n_resolved),
        "by_channel": dict(sorted(by_channel.items())),
        "by_priority": dict(sorted(by_priority.items())),
        "articles": await _articles(session, period, filters),
        "agents": await _agents(session, period, filters),
    }


LIVE = ("open", "unassigned", "unattended", "pending", "breached")


async def live(session: AsyncSession, filters: Filters, *, now: datetime) -> dict[str, Any]:
    """The desk right now. Every live figure is a set of active tickets (``sets.SETS``), so one
    pass over the active tickets (few, found by status) counts them all. A lone
    ``min(created_at)`` let PostgreSQL walk the creation index from the oldest ticket instead,
    filtering out a million closed ones (benchmarks/reports.py)."""
    whole = Period(now.date(), now.date())
    unattended = and_(*sets.unattended(now))
    row = (
        await session.execute(
            select(
                *(
                    func.sum(case((and_(*sets.SETS[name](whole, now)), 1), else_=0))
                    for name in LIVE
                ),
                func.min(case((unattended, Ticket.created_at))),
            ).where(Ticket.status.in_(ACTIVE), *sets.matching(filters))
        )
    ).one()
    *counts, oldest = row
    figures: dict[str, Any] = {name: int(n or 0) for name, n in zip(LIVE, counts, strict=True)}
    figures["oldest_waiting_minutes"] = (
        _minutes((now - oldest).total_seconds() / 60) if oldest is not None else None
    )
    return figures


async def series(
    session: AsyncSession, period: Period, filters: Filters, *, by: str, now: datetime
) -> list[dict[str, Any]]:
    """The trend charts' points: one per day or week of the period."""
    match = sets.matching(filters)
    labels = period.buckets(by)
    points: dict[str, dict[str, Any]] = {
        label: {
            "bucket": label,
            "created": 0,
            "resolved": 0,
            "first_response_p50": None,
            "first_response_p90": None,
            "resolution_p50": None,
            "resolution_p90": None,
            "first_response_hit_rate": None,
            "csat_average": None,
            "deflection_rate": None,
        }
        for label in labels
    }

    async def counts(column: SQLColumnExpression[Any], key: str) -> None:
        bucket = bucket_of(column, by)
        rows = await session.execute(
            select(bucket, func.count(Ticket.id))
            .where(sets.within(column, period), *match)
            .group_by(bucket)
        )
        for label, n in rows:
            if label in points:
                points[label][key] = int(n)

    await counts(Ticket.created_at, "created")
    await counts(Ticket.resolved_at, "resolved")
    for column, key in (
        (Ticket.first_response_at, "first_response"),
        (Ticket.resolved_at, "resolution"),
    ):
        bucket = bucket_of(Ticket.created_at if key == "first_response" else Ticket.resolved_at, by)
        found = await percentiles(
            session,
            minutes_between(Ticket.created_at, column),
            [sets.within(Ticket.created_at if key == "first_response" else column, period), *match],
            bucket=bucket,
        )
        for label, (figures_, _) in found.items():
            if label in points:
                points[label][f"{key}_p50"] = _minutes(figures_[0.5])
                points[label][f"{key}_p90"] = _minutes(figures_[0.9])
    due = Ticket.first_response_due_at
    hit = and_(Ticket.first_response_at.is_not(None), Ticket.first_response_at <= due)
    bucket = bucket_of(Ticket.created_at, by)
    rows = await session.execute(
        select(bucket, func.count(Ticket.id), func.sum(case((hit, 1), else_=0)))
        .where(
            *sets.created(period),
            *match,
            due.is_not(None),
            or_(Ticket.first_response_at.is_not(None), due <= now),
        )
        .group_by(bucket)
    )
    for label, n, hits in rows:
        if label in points:
            points[label]["first_response_hit_rate"] = rate(int(hits or 0), int(n))
    bucket = bucket_of(Survey.answered_at, by)
    rows = await session.execute(
        select(bucket, func.avg(Survey.rating))
        .where(
            Survey.rating.is_not(None),
            sets.within(Survey.answered_at, period),
            *_ticket_filter(Survey.ticket_id, filters),
        )
        .group_by(bucket)
    )
    for label, average in rows:
        if label in points:
            points[label]["csat_average"] = round(float(average), 2)
    bucket = bucket_of(Suggestion.shown_at, by)
    rows = await session.execute(
        select(
            bucket,
            func.count(distinct(Suggestion.conversation_id)),
            func.count(
                distinct(case((Suggestion.outcome == "solved", Suggestion.conversation_id)))
            ),
        )
        .where(sets.within(Suggestion.shown_at, period), *_suggestion_filters(filters))
        .group_by(bucket)
    )
    for label, shown, solved in rows:
        if label in points:
            points[label]["deflection_rate"] = rate(int(solved), int(shown))
    return [points[label] for label in labels]


async def heatmap(session: AsyncSession, period: Period, filters: Filters) -> list[list[int]]:
    """Tickets created per hour of the week: 7 rows (Sunday first) of 24 hours, UTC."""
    grid = [[0] * 24 for _ in range(7)]
    day, hour = weekday_of(Ticket.created_at), hour_of(Ticket.created_at)
    rows = await session.execute(
        select(day, hour, func.count(Ticket.id))
        .where(*sets.created(period), *sets.matching(filters))
        .group_by(day, hour)
    )
    for d, h, n in rows:
        grid[int(d)][int(h)] = int(n)
    return grid


Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def one_session(session: AsyncSession) -> Sessions:
    """``session`` itself for every part of a report: one caller's transaction (a command)."""
    return lambda: nullcontext(session)


async def report(
    sessions: Sessions,
    period: Period,
    filters: Filters | None = None,
    *,
    now: datetime,
    by: str = "day",
    detail: bool = True,
    apart: bool = False,
) -> dict[str, Any]:
    """The report of ``period`` with the previous period's figures beside it (``previous``),
    the live figures, and (with ``detail``) the trend series and the heatmap.

    With ``apart`` (``sessions`` gives a new session each time) the parts run at once, each in
    its own session, when the database is PostgreSQL: on two cores a 30-day report of 100k
    tickets took 0.6 s instead of 1.0 s (benchmarks/reports.py; at 1M, where the database's
    cores are the limit, 5.0 s instead of 6.4 s). Each statement sees its own snapshot either way
    (read committed), so running apart changes no figure's meaning. SQLite runs them one
    after another: its transactions take the one write lock (bot/db.py), so they would queue."""
    filters = filters or Filters()
    parts: dict[str, Callable[[AsyncSession], Awaitable[Any]]] = {
        "figures": lambda s: figures(s, period, filters, now=now),
        "previous": lambda s: figures(s, period.previous(), filters, now=now),
        "live": lambda s: live(s, filters, now=now),
    }
    if detail:
        parts["series"] = lambda s: series(s, period, filters, by=by, now=now)
        parts["heatmap"] = lambda s: heatmap(s, period, filters)

    async def run(part: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        async with sessions() as session:
            return await part(session)

    async with sessions() as first:
        apart = apart and first.get_bind().dialect.name == "postgresql"
    if apart:
        found = dict(zip(parts, await asyncio.gather(*map(run, parts.values())), strict=True))
    else:
        found = {name: await run(part) for name, part in parts.items()}
    result: dict[str, Any] = found.pop("figures")
    result["previous"] = found.pop("previous")
    result["live"] = found.pop("live")
    result["filters"] = filters.as_dict()
    result["by"] = by
    result.update(found)  # series, heatmap
    return result
