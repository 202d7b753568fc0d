"""The event log (``ticket_events``) records every change a report needs, as it happens: who,
when, from what, to what. One history walks through all of them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from conversations.models import TicketEvent
from conversations.priority import infer_priority
from conversations.tickets.events import EventKind
from tests.harness import DeskHarness

PASSWORD_QUESTION = "I forgot my password and cannot log in"

Row = tuple[str, int | None, str, str | None, str | None, str | None, datetime]


async def log(desk: DeskHarness) -> list[Row]:
    async with desk.sessions() as session:
        rows = await session.scalars(select(TicketEvent).order_by(TicketEvent.id))
        return [
            (e.action, e.ticket_id, e.actor, e.actor_key, e.from_value, e.to_value, e.created_at)
            for e in rows
        ]


def of(kind: EventKind, rows: list[Row]) -> list[Row]:
    return [row for row in rows if row[0] == kind]


async def test_one_history_records_every_kind_of_change(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    start = desk.clock()

    # Suggestion outcomes, each an event: escalated (Sara), rejected (Omid), solved (Reza),
    # ignored (Neda writes something else instead of answering).
    await sara.say(PASSWORD_QUESTION)
    await sara.press("Talk to a person")
    omid = desk.person("Omid")
    await omid.say(PASSWORD_QUESTION)
    await omid.press("Not what I need")
    reza = desk.person("Reza")
    await reza.say("printer not printing")
    await reza.press("This solved it", nth=0)
    neda = desk.person("Neda")
    await neda.say("printer not printing")
    await neda.say("actually, how do I add a printer?")
    suggestions = of(EventKind.SUGGESTION, await log(desk))
    by_person = {}
    for row in suggestions:
        by_person.setdefault(row[2], []).append(row[5])
    assert by_person["Sara"] == ["escalated"]
    assert by_person["Omid"] == ["rejected"]
    assert by_person["Reza"][0] == "solved" and set(by_person["Reza"][1:]) <= {"ignored"}
    assert "ignored" in by_person["Neda"]
    assert all(row[3] == f"web:{row[2].lower()}" and row[4] for row in suggestions)
    number, other = 1, 2
    assert of(EventKind.CREATED, await log(desk))[0] == (
        "created",
        number,
        "Sara",
        "web:sara",
        None,
        "new",
        start,
    )

    desk.clock.advance(minutes=30)
    commands = [
        ("Bea", "available"),  # the desk knows Bea from now on: she can be transferred to
        ("Ali", f"priority {number} urgent"),
        ("Ali", f"claim {number}"),
    ]
    for who, command in commands:
        assert (await desk.agent(who, command)).ok, command
    desk.clock.advance(minutes=15)
    commands = [
        ("Ali", f"reply {number} Which system?"),
        ("Ali", f"reply {number} And since when?"),  # not a first response again
        ("Ali", f"transfer {number} @Bea she knows it"),
        ("Bea", f"accept {number}"),
        ("Bea", f"merge {other} into {number}"),
        ("Bea", f"resolve {number} reset"),
    ]
    for who, command in commands:
        assert (await desk.agent(who, command)).ok, command
    await sara.press("4")
    await sara.press("Skip")  # no comment: what she writes next is about the ticket
    desk.clock.advance(minutes=5)
    await sara.say("it broke again")  # re-opens

    rows = await log(desk)
    first_response = of(EventKind.FIRST_RESPONSE, rows)
    assert [(r[1], r[2], r[6]) for r in first_response] == [
        (number, "Ali", start + timedelta(minutes=45))
    ]
    assert [(r[2], r[4], r[5]) for r in of(EventKind.PRIORITY, rows)] == [
        ("Ali", infer_priority(PASSWORD_QUESTION), "urgent")
    ]
    assert [(r[1], r[2], r[4], r[5]) for r in of(EventKind.ASSIGNED, rows)] == [
        (number, "Ali", None, "Ali"),
        (number, "Bea", "Ali", "Bea"),
    ]
    assert [(r[2], r[4], r[5]) for r in of(EventKind.TRANSFER, rows)] == [("Ali", "Ali", "Bea")]
    assert [(r[2], r[4], r[5]) for r in of(EventKind.TRANSFER_ACCEPTED, rows)] == [
        ("Bea", "Ali", "Bea")
    ]
    assert [(r[1], r[2], r[5]) for r in of(EventKind.MERGED, rows)] == [
        (other, "Bea", f"#{number}")
    ]
    assert [(r[1], r[2], r[3], r[5]) for r in of(EventKind.SURVEY_ANSWERED, rows)] == [
        (number, "Sara", "web:sara", "4")
    ]
    statuses = [(r[4], r[5], r[2]) for r in of(EventKind.STATUS, rows) if r[1] == number]
    assert statuses == [
        ("new", "open", "Ali"),
        ("open", "resolved", "Bea"),
        ("resolved", "open", "Sara"),  # the re-open
    ]
    # Agents are named by their key too, so reports can tell two Saras apart.
    assert {r[3] for r in rows if r[2] in ("Ali", "Bea")} == {"web:agent:Ali", "web:agent:Bea"}
