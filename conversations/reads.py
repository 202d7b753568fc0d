"""The read side: what agent surfaces (the console, the CLI) and the web chat show. Reads never
change anything, run outside the write path, and return the frozen views of ``views.py``, so an
adapter can render them without touching the database. Reports will read from here too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.console_sessions import StoredConsoleSessions
from conversations.messages import Button, ChatRef, Dispatch, Platform
from conversations.models import Ticket
from conversations.reports import compute
from conversations.reports.choices import check_filters
from conversations.reports.period import Filters, Period, Spell, cli_option
from conversations.reports.request import ReportRequest, parse_request
from conversations.reports.ticket_sets import tickets_in
from conversations.server_keys import StoredServerKeys
from conversations.store import Store
from conversations.tickets.operations import display
from conversations.views import (
    ChatLine,
    ConsoleSessions,
    Queue,
    ServerKeys,
    TicketDetail,
    TicketEntry,
    TicketView,
)

#: How many pooled connections the reports of one process use at most, together (SQLAlchemy's
#: pool holds 5, and 10 more on demand).
REPORT_CONNECTIONS = 3


class Reads:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        teams: Iterable[str] = (),
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._teams = frozenset(teams)  # the team file's teams: a report filter may name them
        # A report runs its parts at once, one pooled connection each; this caps what reports
        # take together, however many dashboards load at the same moment, so that dashboards
        # cannot take the pool from the chat.
        self._report_slots = asyncio.Semaphore(REPORT_CONNECTIONS)

    @asynccontextmanager
    async def _report_session(self) -> AsyncIterator[AsyncSession]:
        async with self._report_slots, self._sessions() as session:
            yield session

    async def queue(self, *, view: str = "all") -> list[TicketView]:
        """Tickets not yet closed in one view (``Queue``'s text form), most pressing first."""
        wanted = Queue.parse(view)
        async with self._sessions() as session:
            store = Store(session, self._clock())
            return [await _ticket_view(store, t) for t in await store.tickets.queue(wanted)]

    async def ticket(self, ticket_id: int) -> TicketDetail | None:
        async with self._sessions() as session:
            store = Store(session, self._clock())
            ticket = await store.tickets.get(ticket_id)
            if ticket is None:
                return None
            entries = tuple(
                TicketEntry(e.id, e.kind, e.author, e.text, e.created_at)
                for e in await store.tickets.entries(ticket.id)
            )
            return TicketDetail(
                ticket=await _ticket_view(store, ticket),
                description=ticket.description,
                faqs_tried=tuple(await store.conversations.faqs_tried(ticket.id)),
                entries=entries,
            )

    async def report_request(
        self, values: Mapping[str, str], *, spell: Spell = cli_option
    ) -> ReportRequest:
        """A report's period, ``by`` and filters from name -> text ``values`` (a query string),
        checked as ``deskbot report`` checks its options; ``ReportInputError`` names the bad one.
        A missing period is the last 7 days up to the desk's today."""
        request = parse_request(values, self._clock().date(), spell=spell)
        async with self._sessions() as session:
            await check_filters(session, request.filters, teams=self._teams, spell=spell)
        return request

    async def report(
        self, period: Period, filters: Filters | None = None, *, by: str = "day"
    ) -> dict[str, Any]:
        """The report of ``period`` (docs/metrics.md), as ``deskbot report --format json``."""
        return await compute.report(
            self._report_session, period, filters, now=self._clock(), by=by, apart=True
        )

    async def live(self, filters: Filters | None = None) -> dict[str, Any]:
        """The report's ``live`` figures alone."""
        async with self._sessions() as session:
            return await compute.live(session, filters or Filters(), now=self._clock())

    async def tickets_behind(
        self,
        figure: str,
        period: Period,
        filters: Filters | None = None,
        *,
        actor: str | None = None,
        limit: int = 500,
    ) -> list[TicketView]:
        """The tickets a report figure counts (its drill-down; the agent ``actor``'s for the
        agents table's figures); KeyError for an unknown one."""
        query = tickets_in(figure, period, filters or Filters(), self._clock(), actor=actor)
        query = query.limit(limit)
        async with self._sessions() as session:
            store = Store(session, self._clock())
            tickets = [t for t in await session.scalars(select(Ticket).where(Ticket.id.in_(query)))]
            return [await _ticket_view(store, t) for t in sorted(tickets, key=lambda t: t.id)]

    async def transcript(self, chat: ChatRef, *, after: int = 0) -> list[ChatLine]:
        async with self._sessions() as session:
            store = Store(session, self._clock())
            return [
                ChatLine(
                    id=m.id,
                    direction=m.direction,
                    text=m.text,
                    buttons=tuple(Button(**b) for b in m.buttons),
                    lang=m.lang,
                    at=m.created_at,
                )
                for m in await store.messages.transcript(chat, after)
            ]


async def _ticket_view(store: Store, ticket: Ticket) -> TicketView:
    requester = await store.people.requester_by_id(ticket.requester_id)
    return TicketView(
        id=ticket.id,
        subject=ticket.subject,
        status=ticket.status,
        priority=ticket.priority,
        requester_name=display(requester),
        channel=Platform(ticket.channel),
        assignee_name=ticket.assignee_name,
        lang=ticket.lang,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


@dataclass(frozen=True, slots=True)
class HelpDesk:
    """What a surface is handed (it satisfies ``views.Desk``): the engine's one entry point for
    everything that changes something, and the read side for what it shows."""

    dispatch: Dispatch
    reads: Reads
    console_sessions: ConsoleSessions
    server_keys: ServerKeys

    @classmethod
    def on_database(
        cls,
        dispatch: Dispatch,
        reads: Reads,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
    ) -> HelpDesk:
        """The desk whose console sessions and signing keys are kept in ``sessions``' database."""
        return cls(
            dispatch,
            reads,
            StoredConsoleSessions(sessions, clock=clock),
            StoredServerKeys(sessions, clock=clock),
        )

    async def queue(self, *, view: str = "all") -> list[TicketView]:
        return await self.reads.queue(view=view)

    async def ticket(self, ticket_id: int) -> TicketDetail | None:
        return await self.reads.ticket(ticket_id)

    async def transcript(self, chat: ChatRef, *, after: int = 0) -> list[ChatLine]:
        return await self.reads.transcript(chat, after=after)

    async def report_request(
        self, values: Mapping[str, str], *, spell: Spell = cli_option
    ) -> ReportRequest:
        return await self.reads.report_request(values, spell=spell)

    async def report(
        self, period: Period, filters: Filters | None = None, *, by: str = "day"
    ) -> dict[str, Any]:
        return await self.reads.report(period, filters, by=by)

    async def live(self, filters: Filters | None = None) -> dict[str, Any]:
        return await self.reads.live(filters)

    async def tickets_behind(
        self,
        figure: str,
        period: Period,
        filters: Filters | None = None,
        *,
        actor: str | None = None,
    ) -> list[TicketView]:
        return await self.reads.tickets_behind(figure, period, filters, actor=actor)
