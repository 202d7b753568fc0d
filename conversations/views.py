"""Read-only views the engine hands to agent surfaces (web console, CLI) and the web chat.

They are plain frozen dataclasses so adapters can render them without touching the database.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from conversations.messages import Button, ChatRef, Dispatch, Platform
from conversations.reports.period import Filters, Period, Spell, cli_option

if TYPE_CHECKING:
    from conversations.reports.request import ReportRequest


class QueueView(enum.StrEnum):
    """The queue views every agent surface offers (``queue <view>``, the console's tabs,
    ``deskbot tickets list --view``). Defined here once."""

    ALL = "all"
    MINE = "mine"  # assigned to the agent asking
    UNASSIGNED = "unassigned"
    URGENT = "urgent"
    PENDING = "pending"  # waiting on the requester
    BREACHED = "breached"  # an SLA target already missed
    TEAM = "team"  # routed to one team: ``queue <team name>``


#: The views a surface can name by a fixed word (``team`` takes the team's name instead).
QUEUE_VIEWS: tuple[str, ...] = tuple(v.value for v in QueueView if v is not QueueView.TEAM)


@dataclass(frozen=True, slots=True)
class Queue:
    """One queue view, with whom ``mine`` means or which team ``team`` names.

    Its text form, ``str(queue)``, is what ``Desk.queue(view=...)`` takes: ``all``, ``pending``,
    ..., ``mine:<UserRef.key>``, ``team:<name>``."""

    view: QueueView = QueueView.ALL
    agent_key: str | None = None
    team: str | None = None

    def __str__(self) -> str:
        if self.view is QueueView.MINE:
            return f"mine:{self.agent_key}"
        if self.view is QueueView.TEAM:
            return f"team:{self.team}"
        return self.view.value

    @classmethod
    def parse(cls, text: str) -> Queue:
        """The text form back; ValueError if it names no view."""
        word, _, rest = text.partition(":")
        view = QueueView(word)  # ValueError for an unknown view
        if view is QueueView.MINE:
            if not rest:
                raise ValueError("the mine view needs the agent's key: mine:<key>")
            return cls(view, agent_key=rest)
        if view is QueueView.TEAM:
            if not rest:
                raise ValueError("the team view needs a team: team:<name>")
            return cls(view, team=rest)
        if rest:
            raise ValueError(f"the {view} view takes nothing after ':'")
        return cls(view)


@dataclass(frozen=True, slots=True)
class TicketView:
    id: int
    subject: str
    status: str  # new | open | pending | resolved | closed
    priority: str  # low | normal | high | urgent
    requester_name: str
    channel: Platform  # where the requester wrote from
    assignee_name: str | None
    lang: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TicketEntry:
    """One line of a ticket's conversation. ``kind`` is requester | agent | note | system."""

    id: int
    kind: str
    author: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TicketDetail:
    ticket: TicketView
    description: str
    faqs_tried: tuple[str, ...]  # KB entry ids suggested before the ticket was opened
    entries: tuple[TicketEntry, ...]


@dataclass(frozen=True, slots=True)
class ChatLine:
    """One line of a chat transcript as the requester saw it. ``id`` orders lines within a chat and
    is what a client passes back as ``after`` to fetch only newer lines."""

    id: int
    direction: str  # "in" (from the requester) | "out" (from Deskbot or an agent)
    text: str
    buttons: tuple[Button, ...]
    lang: str
    at: datetime


class ConsoleSessions(Protocol):
    """Signed-in agent consoles (``console_sessions.StoredConsoleSessions``)."""

    async def open(self, *, lifetime: timedelta) -> str:
        """A new session's random token, valid for ``lifetime``."""
        ...

    async def holds(self, token: str) -> bool:
        """Whether ``token`` is an open session that has not expired."""
        ...

    async def close(self, token: str) -> None:
        """End the session (logout); nothing happens for an unknown token."""
        ...


class ServerKeys(Protocol):
    """Signing keys the server makes once and every process shares
    (``server_keys.StoredServerKeys``)."""

    async def key(self, name: str) -> bytes:
        """The key called ``name``: 32 random bytes, made at first use."""
        ...


class Desk(Protocol):
    """What an agent surface or the web chat needs from the desk, and nothing more: the engine's
    one entry point, and the read side (``reads.HelpDesk`` is the implementation)."""

    @property
    def dispatch(self) -> Dispatch: ...

    @property
    def console_sessions(self) -> ConsoleSessions: ...

    @property
    def server_keys(self) -> ServerKeys: ...

    async def queue(self, *, view: str = "all") -> list[TicketView]:
        """Tickets not yet closed, in the view ``view`` names (``Queue``'s text form)."""
        ...

    async def ticket(self, ticket_id: int) -> TicketDetail | None: ...

    async def transcript(self, chat: ChatRef, *, after: int = 0) -> list[ChatLine]: ...

    async def report_request(
        self, values: Mapping[str, str], *, spell: Spell = cli_option
    ) -> ReportRequest:
        """Period, ``by`` and filters read from ``values`` and checked (``ReportInputError``
        naming the bad input, spelled by ``spell``)."""
        ...

    async def report(
        self, period: Period, filters: Filters | None = None, *, by: str = "day"
    ) -> dict[str, Any]:
        """The report of a period (docs/metrics.md; the JSON of ``deskbot report``)."""
        ...

    async def live(self, filters: Filters | None = None) -> dict[str, Any]:
        """The report's live figures alone (its ``live``): cheap, for a refresh on every change."""
        ...

    async def tickets_behind(
        self,
        figure: str,
        period: Period,
        filters: Filters | None = None,
        *,
        actor: str | None = None,
    ) -> list[TicketView]:
        """The tickets a report figure counts (the agent ``actor``'s, for the agents table's
        figures); KeyError for a figure with no ticket list."""
        ...
