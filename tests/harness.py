"""Drive the engine like a conversation (after Errbot's ``testbot``): people say things, press
buttons and run commands; the test reads what each chat received."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.delivery import Outbox
from conversations.engine import DEFAULT_REQUESTER_LIMIT, Engine, EngineSettings
from conversations.messages import (
    Button,
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundMessage,
    OutboundMessage,
    Platform,
    Reply,
    UserRef,
)
from conversations.models import (
    Agent,
    ArticleLink,
    Conversation,
    Message,
    SlaAlert,
    Suggestion,
    Survey,
    Ticket,
    TicketEntry,
    TicketEvent,
    TicketFollower,
    Transfer,
)
from conversations.models import Person as PersonRow
from conversations.reads import HelpDesk, Reads
from conversations.team import Member, Role, Team
from conversations.tickets.workflow import Workflow
from kb import Matcher, load_kb
from tests.fakes.recording import Clock, RecordingSender

SAMPLE_KB = Path(__file__).resolve().parent.parent / "kb" / "sample"
AGENTS = ChatRef(Platform.WEB, "agents")
# No FAQ of the sample knowledge base answers this and it does not sound pressing: saying it opens a
# normal ticket straight away.
COFFEE = "The coffee machine on floor three is leaking water everywhere"
# More problems no FAQ answers, each opening a ticket straight away; the comment is the priority the
# requester's words give it.
PARKING = "The parking gate remote in the garage needs a new battery"  # normal
FIRE_DOOR = "The fire door near reception keeps slamming shut loudly"  # normal
PLANTS = "The office plants on floor four need watering this week please"  # normal
HUMMING_FRIDGE = "No rush, but the kitchen fridge on floor three hums loudly at night"  # low
LOCK = "The kitchen door lock on floor three is broken and sticks"  # high
PRINTER = "URGENT: the printer on floor 2 is jammed and we have a board meeting now"  # urgent
# The sample knowledge base has an answer to this one: "Talk to a person" makes it a ticket with
# "FAQs already tried".
PASSWORD_QUESTION = "I forgot my password and cannot log in"

_matcher: Matcher | None = None


def sample_matcher() -> Matcher:
    global _matcher
    if _matcher is None:
        _matcher = Matcher(load_kb(SAMPLE_KB).articles)
    return _matcher


def sample_workflow() -> Workflow:
    """The defaults, with the sample KB's articles; every resolved ticket gets its survey."""
    articles = {article.id: article for article in sample_matcher().articles}
    return Workflow(agent_chats=(AGENTS,), articles=articles, random=lambda: 0.0)


def coffee(n: int) -> str:
    """Another problem like ``COFFEE`` (one per floor ``n``), to open as many tickets as needed."""
    return f"The coffee machine on floor {n} is leaking water everywhere"


def texts(messages: Iterable[OutboundMessage]) -> str:
    """The messages' texts, one per line: what a chat was told, to search with ``in``."""
    return "\n".join(m.text for m in messages)


def agent(name: str, *groups: str) -> UserRef:
    """An agent as ``DeskHarness.agent`` sends them (key ``web:agent:<name>``), in ``groups``."""
    return UserRef(Platform.WEB, f"agent:{name}", name, groups=frozenset(groups))


def member(
    name: str,
    role: Role = Role.AGENT,
    *,
    teams: tuple[str, ...] = (),
    capacity: int | None = None,
    named: bool = True,
) -> Member:
    """A team-file entry for the agent ``agent(name)``."""
    return Member(agent(name).key, role, name if named else None, teams, capacity)


# A team file: Ali, Bea and Cy are agents (Bea and Cy in the network team), Lea is a lead.
STAFF = Team.from_members(
    [
        member("Ali"),
        member("Bea", teams=("network",)),
        member("Cy", teams=("network",)),
        member("Lea", Role.LEAD),
    ]
)


def refusal(text: str) -> Reply:
    """The reply of a command that was refused with exactly ``text``."""
    return Reply(text, ok=False)


def refused(reply: Reply, *fragments: str) -> bool:
    """Whether ``reply`` is a refusal whose text holds every one of ``fragments``."""
    return not reply.ok and all(f in reply.text for f in fragments)


async def opened(person: Person, description: str = COFFEE) -> int:
    """``person.open_ticket(description)``, whose ticket also keeps the words as its description."""
    number = await person.open_ticket(description)
    assert (await person.desk.ticket_row(number)).description == description
    return number


# -- the few places tests reach into the desk's internals ------------------------------------------
# Kept here, together, so that a change of the internals is adapted in one place.


def agent_command_names() -> set[str]:
    """The name of every agent command the desk knows (help, queue, claim...)."""
    from conversations.commands import AGENT

    return {spec.name for spec in AGENT} | {alias for spec in AGENT for alias in spec.aliases}


def break_the_next_audit_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next write to a ticket's audit trail fail as a lost database connection does, half
    way through a command; the writes after it work again."""
    from conversations.store.events import EventLog

    real_record = EventLog.record

    def record_after_a_hiccup(self: EventLog, *args: object, **kwargs: object) -> None:
        monkeypatch.setattr(EventLog, "record", real_record)
        raise ConnectionResetError("connection to the database was lost")

    monkeypatch.setattr(EventLog, "record", record_after_a_hiccup)


# Every table a command could change (all but the processed-events log).
STATE_TABLES = (
    Ticket,
    TicketEntry,
    TicketEvent,
    Message,
    Agent,
    Transfer,
    Survey,
    ArticleLink,
    SlaAlert,
    TicketFollower,
    PersonRow,
    Conversation,
)


@dataclass
class Person:
    """A requester in a chat of their own."""

    desk: DeskHarness
    user: UserRef
    chat: ChatRef
    seen: int = 0  # how many of the chat's messages the test has read

    async def say(self, text: str, *, event_id: str | None = None) -> list[OutboundMessage]:
        await self.desk.dispatch(
            InboundMessage(
                event_id or uuid.uuid4().hex, self.chat, self.user, text, self.desk.clock()
            )
        )
        return await self.read()

    async def command(self, name: str, args: str = "") -> list[OutboundMessage]:
        await self.desk.dispatch(
            InboundCommand(uuid.uuid4().hex, self.chat, self.user, name, args, self.desk.clock())
        )
        return await self.read()

    async def press(self, label: str, *, nth: int = -1) -> list[OutboundMessage]:
        """Press the ``nth`` button labelled ``label`` among everything this chat received."""
        button = self.buttons(label)[nth]
        await self.desk.dispatch(
            InboundAction(
                uuid.uuid4().hex,
                self.chat,
                self.user,
                button.action_id,
                button.value,
                self.desk.clock(),
            )
        )
        return await self.read()

    async def open_ticket(self, description: str = COFFEE, *, priority: str | None = None) -> int:
        """Describe a problem no FAQ answers; returns the new ticket's number, which the reply
        names. With ``priority``, the ticket must have been given that priority."""
        replies = await self.say(description)
        async with self.desk.sessions() as session:
            ticket = await session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
        assert ticket is not None and f"#{ticket.id}" in texts(replies)
        if priority is not None:
            assert ticket.priority == priority
        return ticket.id

    def buttons(self, label: str) -> list[Button]:
        return [b for m in self.received for b in m.buttons if b.label == label]

    @property
    def received(self) -> list[OutboundMessage]:
        return [m for m in self.desk.sender.sent if m.chat.chat_id == self.chat.chat_id]

    async def read(self) -> list[OutboundMessage]:
        """Deliver what is due and return what this chat received since the last read."""
        await self.desk.outbox.deliver_due()
        new = self.received[self.seen :]
        self.seen = len(self.received)
        return new


@dataclass
class DeskHarness:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=Clock)
    sender: RecordingSender = field(default_factory=RecordingSender)
    matcher: Matcher = field(default_factory=sample_matcher)
    workflow: Workflow = field(default_factory=lambda: sample_workflow())
    requester_limit: str = DEFAULT_REQUESTER_LIMIT

    def __post_init__(self) -> None:
        self.start()

    def start(self) -> None:
        """(Re)build the engine and outbox, as a process start does: no state but the database."""
        self.outbox = Outbox(self.sessions, {Platform.WEB: self.sender}, clock=self.clock)
        self.engine = Engine(
            self.sessions,
            self.matcher,
            settings=EngineSettings(workflow=self.workflow, requester_limit=self.requester_limit),
            clock=self.clock,
            on_commit=self.outbox.wake,
        )
        self.outbox.on_permanent_failure = self.engine.delivery_failed
        self.reads = Reads(self.sessions, clock=self.clock)
        self.desk = HelpDesk.on_database(
            self.engine.dispatch, self.reads, self.sessions, clock=self.clock
        )

    def configure(self, **changes: object) -> None:
        """Change the workflow's policies (team, SLA, surveys...) and restart."""
        self.workflow = replace(self.workflow, **changes)  # type: ignore[arg-type]
        self.start()

    async def tick(self) -> None:
        await self.engine.tick()
        await self.outbox.deliver_due()

    async def dispatch(self, event):  # type: ignore[no-untyped-def]
        return await self.engine.dispatch(event)

    def person(self, name: str, *, locale: str | None = None) -> Person:
        user_id = name.lower()
        return Person(
            self,
            UserRef(Platform.WEB, user_id, name, locale),
            ChatRef(Platform.WEB, f"chat-{user_id}"),
        )

    async def agent(self, name: str | UserRef, command: str) -> Reply:
        """``name`` (an agent's name, or a ``UserRef`` such as one with groups) runs ``command``
        in the agent chat."""
        who = name if isinstance(name, UserRef) else agent(name)
        verb, _, args = command.partition(" ")
        reply = await self.dispatch(
            InboundCommand(uuid.uuid4().hex, AGENTS, who, verb, args, self.clock())
        )
        await self.outbox.deliver_due()
        assert reply is not None
        return reply

    async def agent_action(self, who: str | UserRef, action_id: str, value: str) -> Reply:
        """``who`` presses a button with this action and value on a post in the agent chat."""
        user = who if isinstance(who, UserRef) else agent(who)
        reply = await self.dispatch(
            InboundAction(uuid.uuid4().hex, AGENTS, user, action_id, value, self.clock())
        )
        await self.outbox.deliver_due()
        assert reply is not None
        return reply

    async def agent_press(self, who: str | UserRef, button: Button) -> Reply:
        """``who`` presses ``button`` on a post in the agent chat."""
        return await self.agent_action(who, button.action_id, button.value)

    async def agent_says(
        self, who: str | UserRef, text: str, *, thread: str | None = None
    ) -> Reply | None:
        """``who`` writes free text in the agent chat, in ``thread`` or at the top level."""
        user = who if isinstance(who, UserRef) else agent(who)
        reply = await self.dispatch(
            InboundMessage(
                uuid.uuid4().hex,
                ChatRef(AGENTS.platform, AGENTS.chat_id, thread),
                user,
                text,
                self.clock(),
            )
        )
        await self.outbox.deliver_due()
        return reply

    @property
    def agent_posts(self) -> list[OutboundMessage]:
        return [m for m in self.sender.sent if m.chat.chat_id == AGENTS.chat_id]

    def posts_about(self, ticket_id: int) -> Iterator[OutboundMessage]:
        return (m for m in self.agent_posts if m.ticket_id == ticket_id)

    # -- what the database holds ------------------------------------------------------------------

    async def ticket_row(self, number: int) -> Ticket:
        """The ``Ticket`` row of ticket ``number``, which must exist."""
        async with self.sessions() as session:
            found = await session.get(Ticket, number)
            assert found is not None
            return found

    async def entries(self, number: int) -> list[tuple[str, str, str]]:
        """The ticket's conversation, oldest first: ``(kind, author, text)``."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(TicketEntry).where(TicketEntry.ticket_id == number).order_by(TicketEntry.id)
            )
            return [(e.kind, e.author, e.text) for e in rows]

    async def trail(self, number: int) -> list[tuple[str, str, str | None, str | None]]:
        """The ticket's audit trail, oldest first: ``(action, actor, from_value, to_value)``."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(TicketEvent).where(TicketEvent.ticket_id == number).order_by(TicketEvent.id)
            )
            return [(e.action, e.actor, e.from_value, e.to_value) for e in rows]

    async def thread_of(self, number: int) -> str:
        """The platform's id of the ticket's first agent-channel post: its thread."""
        async with self.sessions() as session:
            root = await session.scalar(
                select(Message.platform_message_id)
                .where(Message.chat_id == AGENTS.chat_id, Message.ticket_id == number)
                .order_by(Message.id)
                .limit(1)
            )
        assert root is not None
        return root

    async def timed_trail(
        self, number: int
    ) -> list[tuple[str, str, str | None, str | None, datetime]]:
        """``trail(number)`` with each event's time: ``(action, actor, from, to, created_at)``."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(TicketEvent).where(TicketEvent.ticket_id == number).order_by(TicketEvent.id)
            )
            return [(e.action, e.actor, e.from_value, e.to_value, e.created_at) for e in rows]

    async def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table a command could change, to compare before and after."""
        state = {}
        async with self.sessions() as session:
            for model in STATE_TABLES:
                columns = [c.key for c in model.__table__.columns]
                rows = await session.scalars(select(model).order_by(model.id))
                state[model.__tablename__] = [{c: getattr(r, c) for c in columns} for r in rows]
        return state

    async def latest_ticket(self) -> int | None:
        """The number of the newest ticket, if any."""
        async with self.sessions() as session:
            return await session.scalar(select(func.max(Ticket.id)))

    async def ticket_count(self) -> int:
        return await self.count(Ticket)

    async def survey_count(self) -> int:
        """How many satisfaction surveys were sent."""
        return await self.count(Survey)

    async def suggested_articles(self, number: int) -> list[str]:
        """The ids of the FAQ articles the requester was shown before ticket ``number`` opened,
        first shown first, each once."""
        async with self.sessions() as session:
            ids = await session.scalars(
                select(Suggestion.article_id)
                .where(Suggestion.ticket_id == number)
                .order_by(Suggestion.id)
            )
            return list(dict.fromkeys(ids))

    async def article_links(self) -> list[tuple[int, str, str, str, str]]:
        """Every article an agent sent: ``(ticket, article, question, agent, source)``."""
        async with self.sessions() as session:
            rows = await session.scalars(select(ArticleLink).order_by(ArticleLink.id))
            return [(x.ticket_id, x.article_id, x.question, x.agent, x.source) for x in rows]

    async def transfer_statuses(self) -> list[str]:
        """The status of every transfer ever offered, oldest first."""
        async with self.sessions() as session:
            return list(await session.scalars(select(Transfer.status).order_by(Transfer.id)))

    async def agent_keys(self) -> set[str]:
        """The keys of every agent the desk has met."""
        async with self.sessions() as session:
            return set(await session.scalars(select(Agent.key)))

    async def is_available(self, name: str) -> bool:
        """Whether the agent ``agent(name)``, whom the desk must know, is available."""
        async with self.sessions() as session:
            found = await session.scalar(select(Agent).where(Agent.key == agent(name).key))
            assert found is not None
            return found.available

    async def rows(self, model: Any) -> list[Any]:
        """Every row of ``model``'s table, in the order they were made."""
        async with self.sessions() as session:
            return list(await session.scalars(select(model).order_by(model.id)))

    async def count(self, model: type) -> int:
        """How many rows ``model``'s table has."""
        async with self.sessions() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0
