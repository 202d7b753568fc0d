"""The raw export: one row per ticket, streamed from the database (a server-side cursor on
PostgreSQL), so a million tickets never sit in memory at once. Per-ticket figures follow
docs/metrics.md; the aggregates behind them are computed by the database in one query."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.models import (
    ArticleLink,
    Person,
    Suggestion,
    Survey,
    Ticket,
)
from conversations.reports import ticket_sets as sets
from conversations.reports.period import Filters, Period
from conversations.reports.sql import minutes_between

COLUMNS = (
    "id",
    "created",
    "channel",
    "requester",
    "language",
    "priority",
    "status",
    "assignee",
    "team",
    "first_response_minutes",
    "resolution_minutes",
    "first_response_sla_met",
    "resolution_sla_met",
    "reopen_count",
    "agent_replies",
    "csat",
    "articles_tried",
    "resolved_with_article",
)
BATCH = 2000


async def count(session: AsyncSession, period: Period, filters: Filters) -> int:
    return int(
        await session.scalar(
            select(func.count(Ticket.id)).where(*sets.created(period), *sets.matching(filters))
        )
        or 0
    )


async def rows(
    session: AsyncSession, period: Period, filters: Filters, *, now: datetime
) -> AsyncIterator[tuple[Any, ...]]:
    """The tickets created in the period, oldest first, as tuples in ``COLUMNS`` order."""
    tried = (
        select(
            Suggestion.ticket_id,
            func.aggregate_strings(Suggestion.article_id, " ").label("articles"),
        )
        .where(Suggestion.ticket_id.is_not(None))
        .group_by(Suggestion.ticket_id)
        .subquery()
    )
    resolved_with = (
        select(ArticleLink.ticket_id, func.max(ArticleLink.article_id).label("article"))
        .where(ArticleLink.source == "resolve")
        .group_by(ArticleLink.ticket_id)
        .subquery()
    )
    first_due, resolution_due = Ticket.first_response_due_at, Ticket.resolution_due_at
    query = (
        select(
            Ticket.id,
            Ticket.created_at,
            Ticket.channel,
            func.coalesce(func.nullif(Person.display_name, ""), Person.platform_user_id),
            Ticket.lang,
            Ticket.priority,
            Ticket.status,
            Ticket.assignee_name,
            Ticket.team,
            minutes_between(Ticket.created_at, Ticket.first_response_at),
            minutes_between(Ticket.created_at, Ticket.resolved_at),
            _met(Ticket.first_response_at, first_due, now),
            _met(Ticket.resolved_at, resolution_due, now),
            Ticket.reopen_count,
            Ticket.agent_replies,
            Survey.rating,
            tried.c.articles,
            resolved_with.c.article,
        )
        .join(Person, Person.id == Ticket.requester_id)
        .outerjoin(tried, tried.c.ticket_id == Ticket.id)
        .outerjoin(resolved_with, resolved_with.c.ticket_id == Ticket.id)
        .outerjoin(Survey, Survey.ticket_id == Ticket.id)
        .where(*sets.created(period), *sets.matching(filters))
        .order_by(Ticket.id)
        .execution_options(yield_per=BATCH)
    )
    result = await session.stream(query)
    async for row in result:
        yield tuple(_cell(value) for value in row)


def _met(done: Any, due: Any, now: datetime) -> Any:
    """``yes`` if done by its target, ``no`` if done later or not done by a target already
    past, empty while undecided or without a target. The same text on both databases (SQLite
    would answer a comparison with 0 or 1)."""
    return case(
        (due.is_(None), None),
        (and_(done.is_(None), due > now), None),
        (and_(done.is_not(None), done <= due), "yes"),
        else_="no",
    )


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 1)
    return value
