"""A database outage loses nothing the desk acknowledged: an event the database cannot take
is refused with ``Unavailable`` (so its sender delivers it again), nothing of it is kept, no
apology is queued for it, and when it comes again it takes effect once. The outage is real: on
PostgreSQL the server refuses the database's connections and ends the open ones; on SQLite
another connection holds the write lock."""

from __future__ import annotations

import logging

import pytest

from conversations.messages import InboundCommand, Unavailable
from conversations.models import Message
from tests.harness import AGENTS, COFFEE, DeskHarness, agent, texts
from tests.outage import Outage


async def test_a_message_the_database_cannot_take_is_refused_then_taken_once(
    desk: DeskHarness, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    sara = desk.person("Sara")
    await outage.begin()
    with caplog.at_level(logging.WARNING), pytest.raises(Unavailable):
        await sara.say(COFFEE, event_id="evt-1")
    await outage.end()

    # Nothing of it was kept and nobody was told anything (no apology for a message that will
    # be taken when it comes again); the engine said why, once, as a warning.
    assert await desk.ticket_count() == 0
    assert await desk.count(Message) == 0
    assert await sara.read() == []
    warnings = [r for r in caplog.records if r.name == "conversations.engine"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "evt-1" in warnings[0].getMessage()

    # Delivered again, it takes effect; a third delivery is a duplicate.
    assert "#1" in texts(await sara.say(COFFEE, event_id="evt-1"))
    assert await sara.say(COFFEE, event_id="evt-1") == []
    assert await desk.ticket_count() == 1


async def test_an_agent_command_the_database_cannot_take_is_refused_then_taken(
    desk: DeskHarness, outage: Outage
) -> None:
    number = await desk.person("Sara").open_ticket()
    claim = InboundCommand("evt-claim", AGENTS, agent("Ali"), "claim", str(number), desk.clock())
    await outage.begin()
    with pytest.raises(Unavailable):
        await desk.dispatch(claim)
    await outage.end()
    assert (await desk.ticket_row(number)).assignee_key is None
    reply = await desk.dispatch(claim)
    assert reply is not None and reply.ok
    assert (await desk.ticket_row(number)).assignee_name == "Ali"
