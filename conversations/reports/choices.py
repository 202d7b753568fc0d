"""Which filter values a report accepts. A value nobody could ever match (``--channel fax``,
``--priority extreme``) is a typo, not a question whose answer is zero: it is refused with a
message naming the option and listing what is known, for every surface that takes filters."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from conversations.copy import LANGUAGES
from conversations.messages import Platform
from conversations.models import Agent, ArticleLink, Suggestion, Ticket
from conversations.priority import PRIORITIES
from conversations.reports.period import Filters, ReportInputError, Spell, cli_option

BY = ("day", "week")
SHIPPED_CHANNELS = (Platform.WEB, Platform.CONSOLE, Platform.SLACK, Platform.TELEGRAM)


def _unlisted(value: str | None, known: Iterable[str]) -> bool:
    return value is not None and value not in set(known)


def _refuse(option: str, value: str, known: Iterable[str]) -> ReportInputError:
    listed = ", ".join(sorted(set(known))) or "none yet"
    return ReportInputError(f"{option}: unknown value {value!r} (known: {listed})")


async def _seen(session: AsyncSession, condition: ColumnElement[bool]) -> bool:
    return bool(await session.scalar(select(condition)))


async def check_filters(
    session: AsyncSession,
    filters: Filters,
    *,
    teams: Iterable[str] = (),
    spell: Spell = cli_option,
) -> None:
    """Raise ``ReportInputError`` for a filter value that names nothing: not a shipped channel,
    priority, language, team of the team file or known agent, and never seen in the database
    either (so a channel added by a plugin, or a team since removed from the team file, still
    reports its history). Only the unusual value costs a query."""
    if filters.priority is not None and filters.priority not in PRIORITIES:
        raise _refuse(spell("priority"), filters.priority, PRIORITIES)
    if _unlisted(filters.channel, SHIPPED_CHANNELS) and not await _seen(
        session, exists().where(Ticket.channel == filters.channel)
    ):
        raise _refuse(spell("channel"), str(filters.channel), SHIPPED_CHANNELS)
    if _unlisted(filters.lang, LANGUAGES) and not await _seen(
        session, exists().where(Ticket.lang == filters.lang)
    ):
        raise _refuse(spell("lang"), str(filters.lang), LANGUAGES)
    team_names = set(teams)
    if _unlisted(filters.team, team_names) and not await _seen(
        session, exists().where(Ticket.team == filters.team)
    ):
        raise _refuse(spell("team"), str(filters.team), team_names)
    if filters.agent is not None:
        wanted = filters.agent.lower()
        names = list(await session.scalars(select(Agent.name)))
        if wanted not in {n.lower() for n in names} and not await _seen(
            session, exists().where(func.lower(Ticket.assignee_name) == wanted)
        ):
            raise _refuse(spell("agent"), filters.agent, names)
    if filters.article is not None and not await _seen(
        session,
        or_(
            exists().where(Suggestion.article_id == filters.article),
            exists().where(ArticleLink.article_id == filters.article),
        ),
    ):
        raise ReportInputError(
            f"{spell('article')}: no article {filters.article!r} was ever suggested or "
            "linked to a ticket"
        )
