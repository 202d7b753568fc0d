"""A requester writing in a loop, on any platform: what is over their limit is not taken, they are
told once to slow down, and everyone else is served as before."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.copy import text as copy
from conversations.messages import ChatRef, InboundMessage, Platform
from conversations.models import Message, Ticket
from tests.harness import COFFEE, DeskHarness, Person


async def test_a_flood_is_cut_at_the_limit_and_told_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    desk = DeskHarness(sessions, requester_limit="5/minute")
    flooder, patient = desk.person("Mallory"), desk.person("Sara")

    for n in range(5):
        await flooder.say(f"{COFFEE} ({n})")
    before = await desk.count(Message)
    replies = []
    for n in range(5, 50):
        replies += await flooder.say(f"{COFFEE} ({n})")

    assert [r.text for r in replies] == [copy("en", "error.slow_down")]  # once, not 45 times
    inbound = [m for m in await desk.rows(Message) if m.direction == "in"]
    assert len([m for m in inbound if m.chat_id == flooder.chat.chat_id]) == 5
    assert await desk.count(Message) == before + 1  # nothing but the one notice
    tickets_before = await desk.count(Ticket)

    # Sara, meanwhile, is served as usual.
    ticket = await patient.open_ticket()
    assert await desk.count(Ticket) == tickets_before + 1
    assert (await desk.ticket_row(ticket)).status == "new"


async def test_the_notice_is_in_the_requesters_language(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    desk = DeskHarness(sessions, requester_limit="1/minute")
    maryam = desk.person("Maryam", locale="fa")
    await maryam.say("سلام")
    assert [r.text for r in await maryam.say("پرینتر کار نمی‌کند")] == [
        copy("fa", "error.slow_down")
    ]


async def test_a_burst_on_a_ticket_reaches_the_agent_channel_as_a_few_posts(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    ticket = await sara.open_ticket()
    await desk.agent("Ali", f"claim {ticket}")
    desk.clock.advance(seconds=61)  # her description is no longer in the last minute
    before = len(desk.agent_posts)

    for n in range(20):  # a log pasted line by line
        await sara.say(f"line {n} of the error log")

    relayed = [post.text for post in desk.agent_posts[before:]]
    assert relayed[:5] == [
        copy(
            "en",
            "agent.requester_message",
            id=ticket,
            requester="Sara",
            text=f"line {n} of the error log",
        )
        for n in range(5)
    ]
    assert relayed[5:] == [copy("en", "agent.requester_burst", id=ticket, requester="Sara")]
    entries = [text for kind, _, text in await desk.entries(ticket) if kind == "requester"]
    assert entries[-20:] == [f"line {n} of the error log" for n in range(20)]

    # A minute later she is relayed one by one again.
    desk.clock.advance(seconds=61)
    await sara.say("It works now, thanks")
    assert desk.agent_posts[-1].text.endswith("It works now, thanks")


async def test_events_arriving_at_once_cannot_slip_past_the_limit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # A Telegram webhook opens up to 40 connections: one person's updates can arrive together.
    desk = DeskHarness(sessions, requester_limit="5/minute")
    mallory = desk.person("Mallory")
    events = [
        InboundMessage(uuid.uuid4().hex, mallory.chat, mallory.user, f"help {n}", desk.clock())
        for n in range(20)
    ]
    await asyncio.gather(*(desk.dispatch(event) for event in events))

    inbound = [m for m in await desk.rows(Message) if m.direction == "in"]
    assert len(inbound) == 5


async def test_one_person_has_at_most_five_tickets_waiting_at_once(desk: DeskHarness) -> None:
    # One person in many chats (on Slack, a new thread each time): a ticket in each.
    sara = desk.person("Sara")
    chats = [Person(desk, sara.user, ChatRef(Platform.WEB, f"chat-sara-{n}")) for n in range(6)]
    for n, chat in enumerate(chats[:5]):
        await chat.open_ticket(f"{COFFEE}, report {n}")
    tickets = await desk.count(Ticket)

    replies = await chats[5].say(f"{COFFEE}, report 5")

    assert await desk.count(Ticket) == tickets
    assert copy("en", "ticket_cap", count=5) in [r.text for r in replies]

    # Once one is resolved, a new one can be opened.
    await desk.agent("Ali", f"resolve {tickets} Fixed")
    await chats[5].open_ticket(f"{COFFEE}, report 6")
