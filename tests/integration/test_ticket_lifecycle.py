"""A ticket's lifecycle, on every configured database: resolving, re-opening and closing it,
merging a duplicate into the original, and the audit trail that records every change of owner,
status and priority with who made it and when.
"""

from __future__ import annotations

import itertools

from conversations.messages import Reply
from tests.harness import (
    COFFEE,
    FIRE_DOOR,
    PARKING,
    STAFF,
    DeskHarness,
    opened,
    refusal,
    refused,
    texts,
)

# -- resolve ---------------------------------------------------------------------------------------


async def test_resolve_with_a_summary_tells_the_requester_and_keeps_the_summary(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await desk.agent("Ali", f"claim {number}")
    await sara.read()

    reply = await desk.agent("Ali", f"resolve {number} Replaced the water filter")

    assert reply == Reply(f"#{number} is resolved; the requester was told.")
    resolved = await desk.ticket_row(number)
    assert resolved.status == "resolved" and resolved.resolved_at == desk.clock()
    assert resolved.resolution == "Replaced the water filter"
    told = texts(await sara.read())
    assert f"Ticket *#{number}* is resolved: Replaced the water filter" in told
    assert desk.agent_posts[-1].text == f"*#{number}* resolved by Ali."
    assert (await desk.entries(number))[-1] == (
        "system",
        "Ali",
        "Resolved by Ali: Replaced the water filter",
    )


async def test_resolve_without_a_summary_takes_the_ticket_and_a_second_resolve_is_refused(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()

    assert (await desk.agent("Bea", f"resolve {number}")).ok
    resolved = await desk.ticket_row(number)
    assert resolved.status == "resolved" and resolved.resolution is None
    assert resolved.assignee_name == "Bea"  # whoever resolves an unassigned ticket owns it
    told = texts(await sara.read())
    assert f"Ticket *#{number}* is resolved. If it isn't fixed" in told

    again = await desk.agent("Bea", f"resolve {number} once more")
    assert refused(again, f"#{number} is resolved, so that can't be done.")
    assert await sara.read() == []
    assert (await desk.ticket_row(number)).resolution is None


# -- reopen, close ---------------------------------------------------------------------------------


async def test_reopen_a_resolved_then_a_closed_ticket(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"resolve {number} Tightened the hose")
    await sara.read()

    reply = await desk.agent("Bea", f"reopen #{number}")

    assert reply == Reply(f"#{number} is open again.")
    reopened = await desk.ticket_row(number)
    assert (reopened.status, reopened.assignee_name, reopened.resolved_at) == ("open", "Ali", None)
    assert [m.text for m in await sara.read()] == [
        f"Ticket *#{number}* is open again; an agent will get back to you."
    ]
    assert desk.agent_posts[-1].text == f"*#{number}* re-opened by Bea."

    desk.clock.advance(minutes=3)
    assert await desk.agent("Ali", f"close {number}") == Reply(f"#{number} is closed.")
    closed = await desk.ticket_row(number)
    assert (closed.status, closed.closed_at) == ("closed", desk.clock())
    assert [m.text for m in await sara.read()] == [f"Ticket *#{number}* is closed."]
    assert desk.agent_posts[-1].text == f"*#{number}* closed by Ali."

    assert await desk.agent("Ali", f"reopen {number}") == Reply(f"#{number} is open again.")
    again = await desk.ticket_row(number)
    assert (again.status, again.closed_at) == ("open", None)
    # Open again: what Sara writes joins it rather than starting a new question.
    await sara.read()
    await sara.say("Thanks, still dripping a bit")
    assert (await desk.entries(number))[-1] == (
        "requester",
        "Sara",
        "Thanks, still dripping a bit",
    )
    assert await desk.ticket_count() == 1

    statuses = [e[1:] for e in await desk.trail(number) if e[0] == "status"]
    assert statuses[-4:] == [
        ("Ali", "open", "resolved"),
        ("Bea", "resolved", "open"),
        ("Ali", "open", "closed"),
        ("Ali", "closed", "open"),
    ]


async def test_an_unassigned_ticket_reopens_as_new(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)
    await sara.command("cancel")  # withdrawn: closed without an owner

    assert await desk.agent("Ali", f"reopen {number}") == Reply(f"#{number} is open again.")
    assert (await desk.ticket_row(number)).status == "new"
    assert (await desk.agent("Ali", "claim")) == Reply(f"You claimed #{number}.")


async def test_reopen_and_close_refusals(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)
    await sara.read()

    assert await desk.agent("Ali", "reopen") == refusal("Usage: reopen N")
    assert await desk.agent("Ali", "close") == refusal("Usage: close N")
    assert await desk.agent("Ali", "close ten") == refusal(
        "'ten' is not a ticket number. Usage: close N"
    )
    assert await desk.agent("Ali", "reopen 99") == refusal("There is no ticket #99.")
    assert await desk.agent("Ali", "close 99") == refusal("There is no ticket #99.")
    assert await desk.agent("Ali", f"reopen {number}") == refusal(
        f"#{number} is new, so that can't be done."
    )
    assert await desk.agent("Ali", f"close {number}") == Reply(f"#{number} is closed.")
    await sara.read()
    assert await desk.agent("Ali", f"close {number}") == refusal(
        f"#{number} is closed, so that can't be done."
    )
    assert await sara.read() == []


# -- merge -----------------------------------------------------------------------------------------


async def test_merge_makes_the_duplicates_requester_follow_the_original(desk: DeskHarness) -> None:
    sara, omid = desk.person("Sara"), desk.person("Omid")
    original = await opened(sara, COFFEE)
    duplicate = await opened(omid, FIRE_DOOR)
    await desk.agent("Ali", f"claim {original}")
    await sara.read()
    await omid.read()

    reply = await desk.agent("Ali", f"merge {duplicate} into {original}")

    assert reply == Reply(
        f"#{duplicate} is merged into #{original}; its requester follows #{original} now."
    )
    assert [m.text for m in await omid.read()] == [
        f"Your request *#{duplicate}* is the same as ticket *#{original}*, so we merged them: "
        "you'll hear about it there, and anything you write here joins it."
    ]
    assert await sara.read() == []
    merged = await desk.ticket_row(duplicate)
    assert (merged.status, merged.merged_into_id) == ("closed", original)
    assert merged.resolution == f"#{duplicate} was merged into #{original}."
    assert (await desk.entries(original))[-1] == (
        "system",
        "Ali",
        f"Merged from #{duplicate}: {FIRE_DOOR}",
    )
    assert desk.agent_posts[-1].text == f"*#{duplicate}* merged into *#{original}* by Ali."
    assert ("status", "Ali", "new", "closed") in await desk.trail(duplicate)

    # An agent's reply on the original reaches both requesters.
    await desk.agent("Ali", f"reply {original} A plumber is on the way")
    told = f"*Ali* (ticket #{original}): A plumber is on the way"
    assert [m.text for m in await sara.read()] == [told]
    assert [m.text for m in await omid.read()] == [told]

    # The duplicate's requester writing in their chat joins the original.
    await omid.say("The water reached the hallway")
    assert (await desk.entries(original))[-1] == (
        "requester",
        "Omid",
        "The water reached the hallway",
    )
    assert desk.agent_posts[-1].text == f"*#{original}* Omid: The water reached the hallway"
    assert await desk.ticket_count() == 2  # no new ticket for Omid

    await desk.agent("Ali", f"resolve {original} Replaced the valve")
    for person in (sara, omid):
        assert f"Ticket *#{original}* is resolved: Replaced the valve" in texts(await person.read())


async def test_merge_also_takes_the_two_numbers_without_into(desk: DeskHarness) -> None:
    original = await opened(desk.person("Sara"), COFFEE)
    duplicate = await opened(desk.person("Omid"), PARKING)
    assert (await desk.agent("Ali", f"merge #{duplicate} #{original}")).ok
    assert (await desk.ticket_row(duplicate)).merged_into_id == original


async def test_merge_refusals_change_neither_ticket_and_a_merged_ticket_stays_closed(
    desk: DeskHarness,
) -> None:
    sara, omid, nima = desk.person("Sara"), desk.person("Omid"), desk.person("Nima")
    original = await opened(sara, COFFEE)
    duplicate = await opened(omid, FIRE_DOOR)
    withdrawn = await opened(nima, PARKING)
    await nima.command("cancel")
    for person in (sara, omid, nima):
        await person.read()

    usage = "Usage: merge N into M"
    for command in ("merge", f"merge {duplicate}", f"merge {duplicate} onto {original}"):
        assert await desk.agent("Ali", command) == refusal(usage), command
    assert await desk.agent("Ali", f"merge x into {original}") == refusal(
        f"'x' is not a ticket number. {usage}"
    )
    assert await desk.agent("Ali", f"merge {duplicate} into 99") == refusal(
        "There is no ticket #99."
    )
    assert await desk.agent("Ali", f"merge {original} into {original}") == refusal(
        "A ticket can't be merged into itself."
    )
    assert await desk.agent("Ali", f"merge {duplicate} into {withdrawn}") == refusal(
        f"#{withdrawn} is closed, so that can't be done."
    )
    assert await desk.agent("Ali", f"merge {withdrawn} into {original}") == refusal(
        f"#{withdrawn} is closed, so that can't be done."
    )
    for number in (original, duplicate):
        assert (await desk.ticket_row(number)).status == "new"
        assert (await desk.ticket_row(number)).merged_into_id is None
    for person in (sara, omid, nima):
        assert await person.read() == []

    # Once merged, the duplicate is closed: it cannot be merged again nor re-opened.
    assert (await desk.agent("Ali", f"merge {duplicate} into {original}")).ok
    assert await desk.agent("Ali", f"merge {duplicate} into {original}") == refusal(
        f"#{duplicate} is closed, so that can't be done."
    )
    assert await desk.agent("Ali", f"reopen {duplicate}") == refusal(
        f"#{duplicate} is closed, so that can't be done."
    )


# -- the audit trail -------------------------------------------------------------------------------


async def test_the_audit_trail_records_claims_and_status_changes_in_time_order(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"resolve {number} Replaced the filter")
    desk.clock.advance(hours=1)
    await sara.say("It is leaking again")
    await desk.agent("Ali", f"resolve {number}")

    events = await desk.trail(number)
    assert events[0] == ("created", "Sara", None, "new")
    assert [e for e in events if e[0] == "assigned"] == [("assigned", "Ali", None, "Ali")]
    status = [e[1:] for e in events if e[0] == "status"]
    assert ("Ali", "open", "resolved") in status
    assert ("Sara", "resolved", "open") in status
    assert status[-1] == ("Ali", "open", "resolved")
    stamps = [event[-1] for event in await desk.timed_trail(number)]
    assert stamps == sorted(stamps) and stamps[-1] == desk.clock()


async def test_the_audit_trail_accounts_for_every_status_the_ticket_had(desk: DeskHarness) -> None:
    """Claiming moves a ticket from new to open: that change belongs in the trail too."""
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"resolve {number}")

    changes = [(e[2], e[3]) for e in await desk.trail(number) if e[0] in ("created", "status")]
    for (_, before), (after_from, _) in itertools.pairwise(changes):
        assert after_from == before, changes  # no status change went unrecorded
    assert changes[-1][1] == (await desk.ticket_row(number)).status


async def test_the_audit_trail_records_every_owner_status_and_priority_change(
    desk: DeskHarness,
) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    stamps = [desk.clock()]

    async def step(name: str, command: str) -> None:
        desk.clock.advance(minutes=1)
        stamps.append(desk.clock())
        assert (await desk.agent(name, command)).ok, command

    await step("Ali", f"claim {number}")
    await step("Ali", f"priority {number} high")
    await step("Lea", f"assign {number} @Bea")
    await step("Bea", f"transfer {number} @Cy")
    await step("Cy", f"accept {number}")
    await step("Cy", f"pending {number}")
    desk.clock.advance(minutes=1)
    stamps.append(desk.clock())
    await sara.say("Photo attached")
    await step("Cy", f"resolve {number}")
    await step("Lea", f"reopen {number}")
    await step("Lea", f"unclaim {number}")
    await step("Lea", f"close {number}")

    changes = [
        event
        for event in await desk.timed_trail(number)
        if event[0] in ("created", "assigned", "status", "priority", "transfer")
    ]
    s = stamps
    assert changes == [
        ("created", "Sara", None, "new", s[0]),
        ("assigned", "Ali", None, "Ali", s[1]),
        ("status", "Ali", "new", "open", s[1]),
        ("priority", "Ali", "normal", "high", s[2]),
        ("assigned", "Lea", "Ali", "Bea", s[3]),
        ("transfer", "Bea", "Bea", "Cy", s[4]),
        ("assigned", "Cy", "Bea", "Cy", s[5]),
        ("status", "Cy", "open", "pending", s[6]),
        ("status", "Sara", "pending", "open", s[7]),
        ("status", "Cy", "open", "resolved", s[8]),
        ("status", "Lea", "resolved", "open", s[9]),
        ("assigned", "Lea", "Cy", None, s[10]),
        ("status", "Lea", "open", "new", s[10]),
        ("status", "Lea", "new", "closed", s[11]),
    ]
