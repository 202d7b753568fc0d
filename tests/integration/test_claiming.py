"""Claiming and ownership, on every configured database: claiming a ticket (by number, by button,
or the most pressing one), giving it back (unclaim) and giving it to someone (assign). Each
command's success and each of its refusals, with the message the agent sees.

Who may run these at all (team members, leads) is in test_permissions.py; two agents claiming at
once in test_claim_race.py.
"""

from __future__ import annotations

import uuid

from conversations.messages import InboundAction, Reply
from tests.harness import (
    AGENTS,
    COFFEE,
    FIRE_DOOR,
    HUMMING_FRIDGE,
    LOCK,
    PARKING,
    PLANTS,
    PRINTER,
    STAFF,
    DeskHarness,
    agent,
    opened,
    refusal,
    refused,
    texts,
)

# -- claim a ticket by number or by button ---------------------------------------------------------


async def test_claim_takes_the_ticket_and_tells_the_requester_and_the_agents(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()

    reply = await desk.agent("Ali", f"claim {number}")

    assert reply == Reply(f"You claimed #{number}.")
    claimed = await desk.ticket_row(number)
    assert (claimed.assignee_name, claimed.assignee_key) == ("Ali", "web:agent:Ali")
    assert claimed.status == "open"
    assert [m.text for m in await sara.read()] == [f"Ali is looking at your request *#{number}*."]
    assert desk.agent_posts[-1].text == f"*#{number}* claimed by Ali."


async def test_claiming_twice_is_a_no_op_and_a_taken_ticket_is_refused_naming_its_owner(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await desk.agent("Ali", f"claim {number}")
    await sara.read()
    posts = len(desk.agent_posts)

    again = await desk.agent("Ali", f"claim #{number}")
    assert again.ok and again.text == f"#{number} is already yours."
    taken = await desk.agent("Bea", f"claim {number}")
    assert refused(taken, f"#{number} is already claimed by Ali.")

    assert (await desk.ticket_row(number)).assignee_name == "Ali"
    assert await sara.read() == [] and len(desk.agent_posts) == posts  # nobody told twice


async def test_a_resolved_ticket_cannot_be_claimed_even_by_its_owner(desk: DeskHarness) -> None:
    number = await desk.person("Sara").open_ticket()
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"resolve {number}")

    for name in ("Bea", "Ali"):
        reply = await desk.agent(name, f"claim {number}")
        assert refused(reply, f"#{number} is resolved, so that can't be done."), reply
    assert (await desk.ticket_row(number)).assignee_name == "Ali"


async def test_a_withdrawn_ticket_cannot_be_claimed(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.command("cancel")

    reply = await desk.agent("Ali", f"claim {number}")
    assert refused(reply, f"#{number} is closed, so that can't be done.")
    assert (await desk.ticket_row(number)).assignee_key is None


async def test_the_claim_button_claims_like_the_command_and_refuses_a_second_presser(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    (button,) = desk.agent_posts[-1].buttons
    press = InboundAction(
        uuid.uuid4().hex, AGENTS, agent("Ali"), button.action_id, button.value, desk.clock()
    )

    reply = await desk.dispatch(press)
    await desk.outbox.deliver_due()

    assert reply == Reply(f"You claimed #{number}.")
    assert (await desk.ticket_row(number)).assignee_name == "Ali"
    assert f"Ali is looking at your request *#{number}*." in texts(await sara.read())
    second = InboundAction(
        uuid.uuid4().hex, AGENTS, agent("Bea"), button.action_id, button.value, desk.clock()
    )
    late = await desk.dispatch(second)
    assert late is not None and refused(late, f"#{number} is already claimed by Ali.")


# -- claim without a number: the most pressing ticket ----------------------------------------------


async def test_claim_without_a_number_takes_the_most_pressing_unassigned_ticket(
    desk: DeskHarness,
) -> None:
    """Priority first, then the SLA time the ticket races, then age."""
    answered = await opened(desk.person("Sara"), COFFEE)  # normal, will have its first response
    desk.clock.advance(minutes=10)
    low = await opened(desk.person("Omid"), HUMMING_FRIDGE)
    desk.clock.advance(minutes=10)
    older_normal = await opened(desk.person("Nima"), PARKING)
    desk.clock.advance(minutes=10)
    raised = await opened(desk.person("Lina"), FIRE_DOOR)  # normal, raised to urgent below
    desk.clock.advance(minutes=10)
    high = await opened(desk.person("Ravi"), LOCK)
    desk.clock.advance(minutes=10)
    newer_normal = await opened(desk.person("Tara"), PLANTS)
    desk.clock.advance(minutes=10)
    taken = await opened(desk.person("Zed"), PRINTER)  # urgent, but somebody has it
    priorities = {n: (await desk.ticket_row(n)).priority for n in (answered, low, raised, high)}
    assert priorities == {answered: "normal", low: "low", raised: "normal", high: "high"}
    assert (await desk.ticket_row(taken)).priority == "urgent"

    assert (await desk.agent("Bea", f"claim {taken}")).ok
    # Answered, then given back: its first-response clock is done, it races its resolution.
    assert (await desk.agent("Bea", f"reply {answered} Is the plug near the water?")).ok
    assert (await desk.agent("Bea", f"unclaim {answered}")).ok
    assert (await desk.agent("Bea", f"priority {raised} urgent")).ok
    assert (await desk.ticket_row(raised)).assignee_key is None  # changing priority takes nothing

    expected = [raised, high, older_normal, newer_normal, answered, low]
    claimed = [await desk.agent("Ali", "claim") for _ in expected]

    assert claimed == [Reply(f"You claimed #{n}.") for n in expected]
    for number in expected:
        mine = await desk.ticket_row(number)
        assert (mine.assignee_key, mine.assignee_name, mine.status) == (
            "web:agent:Ali",
            "Ali",
            "open",
        )
    assert (await desk.ticket_row(taken)).assignee_name == "Bea"
    lina = desk.person("Lina")
    assert f"Ali is looking at your request *#{raised}*." in texts(await lina.read())
    assert desk.agent_posts[-1].text == f"*#{low}* claimed by Ali."

    nothing = await desk.agent("Ali", "claim")
    assert nothing.text == "Nothing to claim: no unassigned tickets."
    assert await desk.agent("Ali", "claim  ") == nothing


async def test_claim_without_a_number_when_nothing_is_unassigned_says_so_and_changes_nothing(
    desk: DeskHarness,
) -> None:
    assert (await desk.agent("Ali", "claim")).text == "Nothing to claim: no unassigned tickets."

    sara, omid = desk.person("Sara"), desk.person("Omid")
    mine = await opened(sara, COFFEE)
    done = await opened(omid, PARKING)
    await desk.agent("Bea", f"claim {mine}")
    await desk.agent("Bea", f"resolve {done}")
    await sara.read()
    await omid.read()
    posts = len(desk.agent_posts)

    reply = await desk.agent("Ali", "claim")

    assert reply.text == "Nothing to claim: no unassigned tickets."
    assert (await desk.ticket_row(mine)).assignee_name == "Bea"
    assert (await desk.ticket_row(done)).status == "resolved"
    assert await sara.read() == [] and await omid.read() == []
    assert len(desk.agent_posts) == posts


# -- unclaim ---------------------------------------------------------------------------------------


async def test_unclaim_gives_the_ticket_back_to_the_queue(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    desk.clock.advance(minutes=5)

    reply = await desk.agent("Ali", f"unclaim #{number}")

    assert reply == Reply(f"#{number} is back in the queue.")
    back = await desk.ticket_row(number)
    assert (back.status, back.assignee_key, back.assignee_name) == ("new", None, None)
    assert back.updated_at == desk.clock()
    assert desk.agent_posts[-1].text == f"*#{number}* given back to the queue by Ali."
    events = await desk.trail(number)
    assert events[-2:] == [("assigned", "Ali", "Ali", None), ("status", "Ali", "open", "new")]
    unassigned = await desk.agent("Bea", "queue unassigned")
    assert unassigned.text.startswith(f"#{number} ")

    assert await desk.agent("Bea", "claim") == Reply(f"You claimed #{number}.")
    assert (await desk.ticket_row(number)).assignee_name == "Bea"


async def test_unclaim_is_for_the_owner_or_a_lead(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await sara.read()
    posts = len(desk.agent_posts)

    not_yours = await desk.agent("Bea", f"unclaim {number}")
    assert not_yours == refusal(f"#{number} belongs to Ali; only they or a lead can do that.")
    outsider = await desk.agent("Mallory", f"unclaim {number}")
    assert outsider == refusal(
        "You're not allowed to work tickets. Ask an admin to add you to the team."
    )
    still = await desk.ticket_row(number)
    assert (still.assignee_name, still.status) == ("Ali", "open")
    assert len(desk.agent_posts) == posts

    by_lead = await desk.agent("Lea", f"unclaim {number}")
    assert by_lead == Reply(f"#{number} is back in the queue.")
    back = await desk.ticket_row(number)
    assert (back.status, back.assignee_key) == ("new", None)
    assert desk.agent_posts[-1].text == f"*#{number}* given back to the queue by Lea."
    assert ("assigned", "Lea", "Ali", None) in await desk.trail(number)


async def test_unclaim_refuses_bad_numbers_unassigned_and_resolved_tickets(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)

    assert await desk.agent("Ali", "unclaim") == refusal("Usage: unclaim N")
    assert await desk.agent("Ali", "unclaim x1") == refusal(
        "'x1' is not a ticket number. Usage: unclaim N"
    )
    assert await desk.agent("Ali", "unclaim 99") == refusal("There is no ticket #99.")
    assert await desk.agent("Ali", f"unclaim {number}") == refusal(
        f"#{number} is not assigned to anyone."
    )
    await desk.agent("Ali", f"resolve {number}")
    assert await desk.agent("Ali", f"unclaim {number}") == refusal(
        f"#{number} is resolved, so that can't be done."
    )
    assert (await desk.ticket_row(number)).assignee_name == "Ali"


# -- assign ----------------------------------------------------------------------------------------


async def test_a_lead_assigns_by_name_and_by_key_and_the_requester_hears_each_new_owner(
    desk: DeskHarness,
) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await sara.read()

    reply = await desk.agent("Lea", f"assign {number} @Bea")

    assert reply == Reply(f"#{number} is now assigned to Bea.")
    assigned = await desk.ticket_row(number)
    assert (assigned.assignee_key, assigned.assignee_name) == ("web:agent:Bea", "Bea")
    assert assigned.status == "open"
    assert [m.text for m in await sara.read()] == [f"Bea is looking at your request *#{number}*."]
    assert desk.agent_posts[-1].text == f"*#{number}* assigned to Bea by Lea."

    by_key = await desk.agent("Lea", f"assign {number} web:agent:Ali")
    assert by_key == Reply(f"#{number} is now assigned to Ali.")
    assert (await desk.ticket_row(number)).assignee_key == "web:agent:Ali"
    assert [m.text for m in await sara.read()] == [f"Ali is looking at your request *#{number}*."]

    again = await desk.agent("Lea", f"assign {number} @ali")
    assert again == Reply(f"#{number} is already assigned to Ali.")
    assert await sara.read() == []

    owners = [e[1:] for e in await desk.trail(number) if e[0] == "assigned"]
    assert owners == [("Lea", None, "Bea"), ("Lea", "Bea", "Ali")]
    assert ("status", "Lea", "new", "open") in await desk.trail(number)


async def test_without_a_team_file_assign_finds_any_agent_the_desk_has_met(
    desk: DeskHarness,
) -> None:
    """Open mode: anyone the desk has seen on an agent surface can be given a ticket."""
    number = await opened(desk.person("Sara"))
    await desk.agent("Bea", "queue")  # the desk meets Bea

    assert await desk.agent("Ali", f"assign {number} @bea") == Reply(
        f"#{number} is now assigned to Bea."
    )
    assert await desk.agent("Ali", f"assign {number} web:agent:Ali") == Reply(
        f"#{number} is now assigned to Ali."
    )
    assert (await desk.ticket_row(number)).assignee_key == "web:agent:Ali"
    unknown = await desk.agent("Ali", f"assign {number} @Zoe")  # never seen
    assert unknown == refusal("There is no agent or team called @Zoe.")


async def test_assign_refuses_bad_usage_unknown_agents_and_closed_tickets(
    desk: DeskHarness,
) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await sara.read()

    for command in ("assign", f"assign {number}", f"assign {number} @", f"assign {number}   "):
        assert await desk.agent("Lea", command) == refusal("Usage: assign N @agent"), command
    assert await desk.agent("Lea", "assign abc @Bea") == refusal(
        "'abc' is not a ticket number. Usage: assign N @agent"
    )
    assert await desk.agent("Lea", "assign 99 @Bea") == refusal("There is no ticket #99.")
    assert await desk.agent("Lea", f"assign {number} @Nobody") == refusal(
        "There is no agent or team called @Nobody."
    )
    # Someone outside the team file is nobody to give tickets to.
    assert await desk.agent("Lea", f"assign {number} web:agent:Mallory") == refusal(
        "There is no agent or team called web:agent:Mallory."
    )
    assert (await desk.ticket_row(number)).assignee_key is None
    assert await sara.read() == []

    await sara.command("cancel")
    assert await desk.agent("Lea", f"assign {number} @Bea") == refusal(
        f"#{number} is closed, so that can't be done."
    )
    assert (await desk.ticket_row(number)).assignee_key is None
