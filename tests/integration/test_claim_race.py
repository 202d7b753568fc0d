"""Two agents claim the same ticket at the same moment, from two processes: exactly one owns it.

Each "process" has its own database engine and connection pool on the same database: first two
engines in one event loop, then two real OS processes released together by a barrier. Both run on
every configured database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import traceback
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import db
from conversations.engine import Engine, EngineSettings
from conversations.messages import InboundCommand, Reply
from conversations.models import Message, Ticket, TicketEvent
from conversations.tickets.workflow import Workflow
from kb import Matcher
from tests.harness import AGENTS, DeskHarness, agent, coffee

Sessions = async_sessionmaker[AsyncSession]

THREAD_RACES = 20
PROCESS_RACES = 10
AGENT_NAMES = ("Ali", "Bea")


def claim_command(name: str, number: int) -> InboundCommand:
    return InboundCommand(
        uuid.uuid4().hex, AGENTS, agent(name), "claim", str(number), datetime.now(UTC)
    )


def desk_engine(engine: AsyncEngine) -> Engine:
    """A deskbot process's engine on its own database engine and pool."""
    return Engine(
        db.session_factory(engine),
        Matcher([]),  # agent commands never consult the knowledge base
        settings=EngineSettings(workflow=Workflow(agent_chats=(AGENTS,))),
    )


async def warm_up(engine: AsyncEngine) -> None:
    """Open a pooled connection now, so connecting does not decide who is first."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def open_tickets(sessions: Sessions, count: int) -> list[int]:
    desk = DeskHarness(sessions)
    for n in range(count):
        await desk.person(f"Requester{n}").say(coffee(n))
    async with sessions() as session:
        numbers = list(await session.scalars(select(Ticket.id).order_by(Ticket.id)))
    assert len(numbers) == count
    return numbers


async def assert_one_owner(
    sessions: Sessions, number: int, replies: dict[str, tuple[str, bool]]
) -> str:
    """Exactly one agent won ``number``; the other was told who did. Returns the winner."""
    winners = [
        name for name, (said, ok) in replies.items() if ok and said == f"You claimed #{number}."
    ]
    assert len(winners) == 1, replies
    (winner,) = winners
    (loser,) = set(replies) - {winner}
    assert replies[loser] == (f"#{number} is already claimed by {winner}.", False), replies

    async with sessions() as session:
        ticket = await session.get(Ticket, number)
        assert ticket is not None
        assert (ticket.assignee_name, ticket.assignee_key, ticket.status) == (
            winner,
            f"web:agent:{winner}",
            "open",
        )
        assigned = await session.scalars(
            select(TicketEvent.actor).where(
                TicketEvent.ticket_id == number, TicketEvent.action == "assigned"
            )
        )
        assert list(assigned) == [winner]
        # The requester is told once, by the winner's claim.
        told = await session.scalar(
            select(func.count(Message.id)).where(
                Message.ticket_id == number,
                Message.direction == "out",
                Message.text.contains("is looking at your request"),
            )
        )
        assert told == 1
    return winner


@pytest.fixture
async def two_processes(database_url: str) -> AsyncIterator[tuple[Engine, Engine]]:
    engines = [db.create_engine(database_url) for _ in AGENT_NAMES]
    try:
        for engine in engines:
            await warm_up(engine)
        first, second = (desk_engine(engine) for engine in engines)
        yield first, second
    finally:
        for engine in engines:
            await engine.dispose()


async def test_two_engines_claiming_at_once_give_each_ticket_one_owner(
    sessions: Sessions, two_processes: tuple[Engine, Engine]
) -> None:
    numbers = await open_tickets(sessions, THREAD_RACES)
    ali, bea = two_processes

    for round_, number in enumerate(numbers):
        # Alternate who is started first, so neither side is favoured by scheduling.
        pair = [(ali, "Ali"), (bea, "Bea")]
        if round_ % 2:
            pair.reverse()
        replies: list[Reply | None] = await asyncio.gather(
            *(engine.dispatch(claim_command(name, number)) for engine, name in pair)
        )
        answers: dict[str, tuple[str, bool]] = {}
        for (_, name), reply in zip(pair, replies, strict=True):
            assert reply is not None
            answers[name] = (reply.text, reply.ok)
        await assert_one_owner(sessions, number, answers)


# -- real processes ------------------------------------------------------------------------------


def claim_in_process(
    database_url: str, name: str, numbers: list[int], barrier: Any, results: Any
) -> None:
    """A process of its own: claim each ticket as soon as the other process is ready too."""
    try:
        asyncio.run(_claims(database_url, name, numbers, barrier, results))
    except BaseException:
        results.put(("error", name, traceback.format_exc()))
        raise


async def _claims(
    database_url: str, name: str, numbers: list[int], barrier: Any, results: Any
) -> None:
    engine = db.create_engine(database_url)
    try:
        desk = desk_engine(engine)
        await warm_up(engine)
        for number in numbers:
            barrier.wait()  # both processes leave here together
            reply = await desk.dispatch(claim_command(name, number))
            assert reply is not None
            results.put(("claim", name, number, reply.text, reply.ok))
    finally:
        await engine.dispose()


async def test_two_os_processes_claiming_at_once_give_each_ticket_one_owner(
    database_url: str, sessions: Sessions
) -> None:
    numbers = await open_tickets(sessions, PROCESS_RACES)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(AGENT_NAMES), timeout=60)
    results = context.Queue()
    processes = [
        context.Process(
            target=claim_in_process,
            args=(database_url, name, numbers, barrier, results),
            name=f"deskbot-{name}",
        )
        for name in AGENT_NAMES
    ]
    for process in processes:
        process.start()
    try:
        answers: dict[int, dict[str, tuple[str, bool]]] = {n: {} for n in numbers}
        for _ in range(len(numbers) * len(AGENT_NAMES)):
            result = await asyncio.to_thread(results.get, True, 120)
            assert result[0] == "claim", result[2]
            _, name, number, said, ok = result
            answers[number][name] = (said, ok)
        for process in processes:
            await asyncio.to_thread(process.join, 60)
            assert process.exitcode == 0, process
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                await asyncio.to_thread(process.join, 10)

    for number in numbers:
        await assert_one_owner(sessions, number, answers[number])
