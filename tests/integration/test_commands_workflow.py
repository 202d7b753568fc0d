"""The agent workflow, on every configured database: picking the next ticket, handing tickets
over (unclaim, assign, transfer), working them (priority, faq, pending), their lifecycle (reopen,
close, merge), round-robin assignment and the audit trail. Each command's success and each of its
refusals, with the message the agent sees.

Basic claim/reply/note/resolve/show/queue are in test_agent_commands.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from conversations.messages import Button, Reply
from conversations.models import (
    Agent,
    ArticleLink,
    Suggestion,
    Survey,
    Ticket,
    TicketEvent,
    Transfer,
)
from conversations.team import Member, Role, Team
from tests.harness import COFFEE, DeskHarness, Person, agent, texts

# No FAQ answers these (nor COFFEE, which is normal), so each opens a ticket straight away; the
# comment is the priority the requester's words give it.
PARKING = "The parking gate remote in the garage needs a new battery"  # normal
FIRE_DOOR = "The fire door near reception keeps slamming shut loudly"  # normal
PLANTS = "The office plants on floor four need watering this week please"  # normal
FRIDGE = "No rush, but the kitchen fridge on floor three hums loudly at night"  # low
LOCK = "The kitchen door lock on floor three is broken and sticks"  # high
PRINTER = "URGENT: the printer on floor 2 is jammed and we have a board meeting now"  # urgent
# The sample knowledge base has an answer to this one: "Talk to a person" makes it a ticket with
# "FAQs already tried".
PASSWORD_QUESTION = "I forgot my password and cannot log in"

SURVEY_ASK = "How did we do on ticket"


# -- helpers --------------------------------------------------------------------------------------


def member(
    name: str,
    role: Role = Role.AGENT,
    *,
    teams: tuple[str, ...] = (),
    capacity: int | None = None,
    named: bool = True,
) -> Member:
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


async def opened(person: Person, description: str = COFFEE) -> int:
    """``person.open_ticket(description)``, whose ticket also keeps the words as its description."""
    number = await person.open_ticket(description)
    assert (await person.desk.ticket_row(number)).description == description
    return number


def refusal(text: str) -> Reply:
    return Reply(text, ok=False)


def minutes_until(due: datetime | None, now: datetime) -> int:
    assert due is not None
    return round((due - now).total_seconds() / 60)


# -- claim without a number -----------------------------------------------------------------------


async def test_claim_without_a_number_takes_the_most_pressing_unassigned_ticket(
    desk: DeskHarness,
) -> None:
    """Priority first, then the SLA time the ticket races, then age."""
    answered = await opened(desk.person("Sara"), COFFEE)  # normal, will have its first response
    desk.clock.advance(minutes=10)
    low = await opened(desk.person("Omid"), FRIDGE)
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


async def test_claim_without_a_number_when_nothing_is_unassigned(desk: DeskHarness) -> None:
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


# -- unclaim --------------------------------------------------------------------------------------


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


async def test_unclaim_refusals(desk: DeskHarness) -> None:
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


# -- assign ---------------------------------------------------------------------------------------


async def test_assign_is_for_leads(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await sara.read()

    reply = await desk.agent("Ali", f"assign {number} @Bea")

    assert reply == refusal("Only a lead can use 'assign'.")
    assert (await desk.ticket_row(number)).assignee_key is None
    assert await sara.read() == []


async def test_a_lead_assigns_by_name_and_by_key(desk: DeskHarness) -> None:
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


async def test_without_a_team_file_an_agent_is_found_by_name_or_key(desk: DeskHarness) -> None:
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


async def test_assign_refusals(desk: DeskHarness) -> None:
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


# -- transfer -------------------------------------------------------------------------------------


async def test_a_transfer_offer_carries_the_summary_and_accept_decline_buttons(
    desk: DeskHarness,
) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    await sara.say(PASSWORD_QUESTION)
    await sara.press("Talk to a person")
    async with desk.sessions() as session:
        number = await session.scalar(select(func.max(Ticket.id)))
        tried = list(
            dict.fromkeys(
                await session.scalars(
                    select(Suggestion.article_id)
                    .where(Suggestion.ticket_id == number)
                    .order_by(Suggestion.id)
                )
            )
        )
    assert number is not None and tried  # the FAQs she saw before asking for a person
    await sara.say("The portal says my account is unknown")
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"reply {number} Which portal address did you use?")
    await desk.agent("Ali", f"note {number} Probably a typo in her user name")
    desk.clock.advance(minutes=10)
    await sara.read()

    reply = await desk.agent("Ali", f"transfer {number} @Bea She needs a reset at the desk")

    assert reply == Reply(f"#{number} offered to Bea; they have 15 min to accept.")
    offer = desk.agent_posts[-1]
    assert offer.ticket_id == number
    now = await desk.ticket_row(number)
    assert offer.text.splitlines() == [
        f"*#{number}* transfer to Bea from Ali: accept within 15 min (`accept {number}`) "
        "or it stays with Ali.",
        "Note: She needs a reset at the desk",
        f"*#{number}* {PASSWORD_QUESTION}",
        f"status: open, priority: {now.priority}, requester: Sara (web), assignee: Ali",
        "SLA: first response done, resolution due in "
        f"{minutes_until(now.resolution_due_at, desk.clock())} min",
        f"FAQs already tried: {', '.join(tried)}",
        "Transfer to Bea from Ali waiting to be accepted.",
        f"[requester] Sara: {PASSWORD_QUESTION}",
        "[requester] Sara: The portal says my account is unknown",
        "[agent] Ali: Which portal address did you use?",
        "[note] Ali: Probably a typo in her user name",
    ]
    assert now.priority == "high"  # "cannot log in"
    assert offer.buttons == (
        Button("Accept", "accept", str(number), "primary"),
        Button("Decline", "decline", str(number)),
    )
    # Nothing changes hands until the receiver accepts.
    assert (now.assignee_name, now.status) == ("Ali", "open")
    assert await sara.read() == []
    assert ("transfer", "Ali", "Ali", "Bea") in await desk.trail(number)


async def test_a_transfer_without_a_note(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    number = await opened(desk.person("Sara"))
    await desk.agent("Ali", f"claim {number}")
    assert (await desk.agent("Ali", f"transfer {number} @Bea")).ok
    assert desk.agent_posts[-1].text.splitlines()[1] == "Note: -"


async def test_the_receiver_accepts_a_transfer_with_the_command(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"transfer {number} @Bea")
    await sara.read()

    reply = await desk.agent("Bea", f"accept {number}")

    assert reply == Reply(f"#{number} is yours now.")
    accepted = await desk.ticket_row(number)
    assert (accepted.assignee_key, accepted.assignee_name) == ("web:agent:Bea", "Bea")
    assert accepted.status == "open"
    assert [m.text for m in await sara.read()] == [f"Bea is looking at your request *#{number}*."]
    assert desk.agent_posts[-1].text == f"*#{number}* accepted by Bea (from Ali)."
    assert (await desk.trail(number))[-2:] == [
        ("transfer", "Ali", "Ali", "Bea"),
        ("assigned", "Bea", "Ali", "Bea"),
    ]

    assert await desk.agent("Bea", f"accept {number}") == refusal(
        f"#{number} has no transfer waiting."
    )
    assert await desk.agent("Bea", f"decline {number}") == refusal(
        f"#{number} has no transfer waiting."
    )


async def test_the_receiver_accepts_a_transfer_with_the_button(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"transfer {number} @Bea")
    accept, decline = desk.agent_posts[-1].buttons
    await sara.read()

    for name in ("Ali", "Cy"):  # the sender, and someone else: not theirs to take
        assert await desk.agent_press(name, accept) == refusal(
            f"The transfer of #{number} is not for you."
        )
        assert await desk.agent_press(name, decline) == refusal(
            f"The transfer of #{number} is not for you."
        )
    assert (await desk.ticket_row(number)).assignee_name == "Ali"

    assert await desk.agent_press("Bea", accept) == Reply(f"#{number} is yours now.")
    assert (await desk.ticket_row(number)).assignee_name == "Bea"
    assert [m.text for m in await sara.read()] == [f"Bea is looking at your request *#{number}*."]
    assert await desk.agent_press("Bea", decline) == refusal(f"#{number} has no transfer waiting.")
    assert (await desk.ticket_row(number)).assignee_name == "Bea"


async def test_a_declined_transfer_stays_with_the_sender(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"transfer {number} @Bea")
    await sara.read()

    reply = await desk.agent("Bea", f"decline {number}")

    assert reply == Reply(f"You declined #{number}; it stays with Ali.")
    assert desk.agent_posts[-1].text == f"*#{number}* transfer declined by Bea; it stays with Ali."
    assert (await desk.ticket_row(number)).assignee_name == "Ali"
    assert await sara.read() == []
    assert (await desk.trail(number))[-1] == ("transfer_declined", "Bea", None, "Ali")
    assert await desk.agent("Bea", f"accept {number}") == refusal(
        f"#{number} has no transfer waiting."
    )

    # Declined is over: the sender may offer it again, and the decline button works as well.
    assert (await desk.agent("Ali", f"transfer {number} @Bea")).ok
    _, decline = desk.agent_posts[-1].buttons
    assert await desk.agent_press("Bea", decline) == Reply(
        f"You declined #{number}; it stays with Ali."
    )
    assert (await desk.ticket_row(number)).assignee_name == "Ali"


async def test_a_transfer_nobody_accepts_in_time_stays_with_the_sender(desk: DeskHarness) -> None:
    desk.configure(team=STAFF, transfer_timeout=timedelta(minutes=5))
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"reply {number} Looking into it")  # no SLA alerts in the way

    reply = await desk.agent("Ali", f"transfer {number} @Bea")
    assert reply == Reply(f"#{number} offered to Bea; they have 5 min to accept.")
    assert "accept within 5 min" in desk.agent_posts[-1].text
    await sara.read()
    posts = len(desk.agent_posts)

    desk.clock.advance(minutes=4, seconds=59)
    await desk.tick()
    assert len(desk.agent_posts) == posts  # not yet
    async with desk.sessions() as session:
        assert await session.scalar(select(Transfer.status)) == "pending"

    desk.clock.advance(seconds=2)
    await desk.tick()

    expired = desk.agent_posts[posts:]
    assert [m.text for m in expired] == [
        f"*#{number}* transfer to Bea was not accepted in time; it stays with Ali."
    ]
    assert expired[0].ticket_id == number
    assert (await desk.ticket_row(number)).assignee_name == "Ali"
    assert await sara.read() == []
    assert (await desk.trail(number))[-1] == ("transfer_expired", "timer", None, "Ali")
    assert await desk.agent("Bea", f"accept {number}") == refusal(
        f"#{number} has no transfer waiting."
    )
    assert (await desk.ticket_row(number)).assignee_name == "Ali"

    await desk.tick()
    assert len(desk.agent_posts) == posts + 1  # the notice goes out once


async def test_a_transfer_to_a_team_is_accepted_by_one_of_its_members(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await sara.read()

    reply = await desk.agent("Ali", f"transfer {number} network Needs a switch port")

    assert reply == Reply(f"#{number} offered to team network; they have 15 min to accept.")
    assert desk.agent_posts[-1].text.splitlines()[:2] == [
        f"*#{number}* transfer to team network from Ali: accept within 15 min "
        f"(`accept {number}`) or it stays with Ali.",
        "Note: Needs a switch port",
    ]
    for outsider in ("Lea", "Ali"):  # not in the network team (a lead included)
        assert await desk.agent(outsider, f"accept {number}") == refusal(
            f"The transfer of #{number} is not for you."
        )
    assert (await desk.ticket_row(number)).assignee_name == "Ali"

    assert await desk.agent("Cy", f"accept {number}") == Reply(f"#{number} is yours now.")
    accepted = await desk.ticket_row(number)
    assert (accepted.assignee_name, accepted.team) == ("Cy", "network")
    assert [m.text for m in await sara.read()] == [f"Cy is looking at your request *#{number}*."]
    assert (await desk.agent("Bea", "queue network")).text.startswith(f"#{number} ")
    assert await desk.agent("Bea", f"accept {number}") == refusal(
        f"#{number} has no transfer waiting."
    )


async def test_transfer_refusals(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    number = await opened(desk.person("Sara"))
    await desk.agent("Ali", f"claim {number}")

    usage = "Usage: transfer N @agent|team [note]"
    for command in ("transfer", f"transfer {number}", f"transfer {number} @"):
        assert await desk.agent("Ali", command) == refusal(usage), command
    assert await desk.agent("Ali", "transfer one @Bea") == refusal(
        f"'one' is not a ticket number. {usage}"
    )
    assert await desk.agent("Ali", "transfer 99 @Bea") == refusal("There is no ticket #99.")
    assert await desk.agent("Ali", f"transfer {number} @Nobody") == refusal(
        "There is no agent or team called @Nobody."
    )
    for me in ("@Ali", "web:agent:Ali"):
        assert await desk.agent("Ali", f"transfer {number} {me}") == refusal(
            "You can't transfer a ticket to yourself."
        )
    assert await desk.agent("Bea", f"transfer {number} @Cy") == refusal(
        f"#{number} belongs to Ali; only they or a lead can do that."
    )
    assert await desk.count(Transfer) == 0

    assert (await desk.agent("Ali", f"transfer {number} @Bea")).ok
    for sender, command in (("Ali", f"transfer {number} @Cy"), ("Lea", f"transfer {number} @Cy")):
        assert await desk.agent(sender, command) == refusal(
            f"#{number} already has a transfer waiting to be accepted."
        )
    assert await desk.count(Transfer) == 1

    await desk.agent("Bea", f"decline {number}")
    await desk.agent("Ali", f"resolve {number}")
    assert await desk.agent("Ali", f"transfer {number} @Bea") == refusal(
        f"#{number} is resolved, so that can't be done."
    )
    assert await desk.count(Transfer) == 1


async def test_a_lead_may_transfer_someone_elses_ticket(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await sara.read()

    assert await desk.agent("Lea", f"transfer {number} @Bea") == Reply(
        f"#{number} offered to Bea; they have 15 min to accept."
    )
    assert await desk.agent("Bea", f"accept {number}") == Reply(f"#{number} is yours now.")

    assert (await desk.ticket_row(number)).assignee_name == "Bea"
    assert [m.text for m in await sara.read()] == [f"Bea is looking at your request *#{number}*."]
    assert (await desk.trail(number))[-1] == ("assigned", "Bea", "Ali", "Bea")


async def test_a_declined_lead_transfer_says_who_really_keeps_the_ticket(
    desk: DeskHarness,
) -> None:
    """A lead offers Ali's ticket to Bea. The ticket never was the lead's: the offer and the
    decline must say it stays with Ali, its owner, not with the lead who sent it."""
    desk.configure(team=STAFF)
    number = await opened(desk.person("Sara"))
    await desk.agent("Ali", f"claim {number}")

    await desk.agent("Lea", f"transfer {number} @Bea")
    offer = desk.agent_posts[-1].text.splitlines()[0]
    declined = await desk.agent("Bea", f"decline {number}")

    assert (await desk.ticket_row(number)).assignee_name == "Ali"
    assert offer.endswith("or it stays with Ali."), offer
    assert declined == Reply(f"You declined #{number}; it stays with Ali.")
    assert desk.agent_posts[-1].text == f"*#{number}* transfer declined by Bea; it stays with Ali."


async def test_giving_the_ticket_to_someone_else_withdraws_a_pending_transfer(
    desk: DeskHarness,
) -> None:
    desk.configure(team=STAFF)
    first = await opened(desk.person("Sara"), COFFEE)
    second = await opened(desk.person("Omid"), PARKING)
    for number in (first, second):
        await desk.agent("Ali", f"claim {number}")
        await desk.agent("Ali", f"transfer {number} @Bea")

    await desk.agent("Lea", f"assign {first} @Cy")
    await desk.agent("Ali", f"unclaim {second}")

    for number in (first, second):
        assert await desk.agent("Bea", f"accept {number}") == refusal(
            f"#{number} has no transfer waiting."
        )
    assert (await desk.ticket_row(first)).assignee_name == "Cy"
    assert (await desk.ticket_row(second)).assignee_key is None
    async with desk.sessions() as session:
        assert set(await session.scalars(select(Transfer.status))) == {"cancelled"}


# -- priority -------------------------------------------------------------------------------------


async def test_priority_recomputes_the_sla_due_times(desk: DeskHarness) -> None:
    targets = desk.workflow.sla.targets
    number = await opened(desk.person("Sara"))
    created = (await desk.ticket_row(number)).created_at
    before = await desk.ticket_row(number)
    assert before.priority == "normal"
    assert before.first_response_due_at == created + targets["normal"][0]
    desk.clock.advance(minutes=20)

    reply = await desk.agent("Ali", f"priority {number} urgent")

    assert reply == Reply(f"#{number} is now urgent; SLA targets updated.")
    urgent = await desk.ticket_row(number)
    assert urgent.priority == "urgent"
    assert urgent.first_response_due_at == created + targets["urgent"][0]
    assert urgent.resolution_due_at == created + targets["urgent"][1]
    assert urgent.updated_at == desk.clock()
    assert urgent.assignee_key is None
    assert desk.agent_posts[-1].text == f"*#{number}* priority set to urgent by Ali."
    assert (await desk.trail(number))[-1] == ("priority", "Ali", "normal", "urgent")

    # The timers race the new clock: past the urgent first-response target, that is a breach.
    desk.clock.advance(minutes=11)
    await desk.tick()
    assert any(
        m.text.startswith(f"*#{number}* [urgent] first response target missed")
        for m in desk.posts_about(number)
    )

    assert await desk.agent("Ali", f"priority #{number} LOW") == Reply(
        f"#{number} is now low; SLA targets updated."
    )
    low = await desk.ticket_row(number)
    assert low.first_response_due_at == created + targets["low"][0]
    assert low.resolution_due_at == created + targets["low"][1]
    assert await desk.agent("Bea", f"priority {number} low") == Reply(f"#{number} is already low.")
    assert [e for e in await desk.trail(number) if e[0] == "priority"] == [
        ("priority", "Ali", "normal", "urgent"),
        ("priority", "Ali", "urgent", "low"),
    ]


async def test_priority_refusals(desk: DeskHarness) -> None:
    number = await opened(desk.person("Sara"))
    before = await desk.ticket_row(number)
    usage = "Usage: priority N low|normal|high|urgent"

    for command in ("priority", f"priority {number}", f"priority {number} critical"):
        assert await desk.agent("Ali", command) == refusal(usage), command
    assert await desk.agent("Ali", "priority x urgent") == refusal(
        f"'x' is not a ticket number. {usage}"
    )
    assert await desk.agent("Ali", "priority 99 urgent") == refusal("There is no ticket #99.")
    await desk.agent("Ali", f"resolve {number}")
    assert await desk.agent("Ali", f"priority {number} urgent") == refusal(
        f"#{number} is resolved, so that can't be done."
    )

    after = await desk.ticket_row(number)
    assert (after.priority, after.first_response_due_at, after.resolution_due_at) == (
        before.priority,
        before.first_response_due_at,
        before.resolution_due_at,
    )
    assert not [e for e in await desk.trail(number) if e[0] == "priority"]


# -- faq ------------------------------------------------------------------------------------------


async def test_faq_sends_the_article_and_links_it_to_the_ticket(desk: DeskHarness) -> None:
    article = desk.workflow.articles["printer-not-printing"]
    sara = desk.person("Sara")
    number = await opened(sara)
    await sara.read()
    desk.clock.advance(minutes=6)
    answered_at = desk.clock()

    reply = await desk.agent("Ali", f"faq {number} {article.id}")

    assert reply == Reply(f"Article {article.id} sent to the requester of #{number}.")
    assert [m.text for m in await sara.read()] == [
        f"*Ali* (ticket #{number}) sent you an article:\n*{article.question}*\n"
        f"{article.answer.strip()}"
    ]
    sent = await desk.ticket_row(number)
    assert sent.first_response_at == answered_at
    assert (sent.assignee_name, sent.status) == ("Ali", "open")  # answering takes it
    async with desk.sessions() as session:
        links = list(await session.scalars(select(ArticleLink)))
    assert [(x.ticket_id, x.article_id, x.question, x.agent, x.source) for x in links] == [
        (number, article.id, COFFEE, "Ali", "faq")
    ]
    assert (await desk.entries(number))[-1] == (
        "agent",
        "Ali",
        f"[{article.id}] {article.answer.strip()}",
    )
    assert desk.agent_posts[-1].text == f"*#{number}* Ali answered with the article {article.id}."

    desk.clock.advance(minutes=5)
    assert (await desk.agent("Ali", f"faq {number} printer-add")).ok
    assert (await desk.ticket_row(number)).first_response_at == answered_at  # the first one counts
    assert await desk.count(ArticleLink) == 2


async def test_faq_refusals(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)
    await sara.read()

    assert await desk.agent("Ali", f"faq {number}") == refusal("Usage: faq N article-id")
    assert await desk.agent("Ali", "faq") == refusal("Usage: faq N article-id")
    assert await desk.agent("Ali", f"faq {number} no-such-article") == refusal(
        "There is no knowledge-base article 'no-such-article'."
    )
    assert await desk.agent("Ali", "faq 99 printer-add") == refusal("There is no ticket #99.")
    await sara.command("cancel")
    await sara.read()
    assert await desk.agent("Ali", f"faq {number} printer-add") == refusal(
        f"#{number} is closed, so that can't be done."
    )

    assert await sara.read() == []
    assert await desk.count(ArticleLink) == 0
    unanswered = await desk.ticket_row(number)
    assert (unanswered.first_response_at, unanswered.assignee_key) == (None, None)


# -- pending, and the survey on resolve -----------------------------------------------------------


async def test_pending_waits_for_the_requester_whose_reply_reopens_it(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"claim {number}")
    await sara.read()

    reply = await desk.agent("Ali", f"pending {number}")

    assert reply == Reply(f"#{number} is waiting on the requester; they were told.")
    assert (await desk.ticket_row(number)).status == "pending"
    assert [m.text for m in await sara.read()] == [
        f"Ali is waiting for your reply on ticket *#{number}*: just answer here."
    ]
    assert desk.agent_posts[-1].text == f"*#{number}* is waiting on the requester (Ali)."
    assert (await desk.agent("Ali", "queue pending")).text.startswith(f"#{number} ")

    await sara.say("Here is the photo of the puddle")

    back = await desk.ticket_row(number)
    assert (back.status, back.assignee_name) == ("open", "Ali")
    assert desk.agent_posts[-1].text == f"*#{number}* Sara: Here is the photo of the puddle"
    statuses = [e[1:] for e in await desk.trail(number) if e[0] == "status"]
    assert statuses[-2:] == [("Ali", "open", "pending"), ("Sara", "pending", "open")]

    # Resolving asks for a rating, once, even when resolved again after a re-open.
    await desk.agent("Ali", f"resolve {number}")
    await sara.say("It leaks again")
    await desk.agent("Ali", f"resolve {number}")
    surveys = [m for m in sara.received if m.text.startswith(SURVEY_ASK)]
    assert [m.text for m in surveys] == [
        f"How did we do on ticket *#{number}*? 1 is poor, 5 is excellent."
    ]
    assert [b.value for b in surveys[0].buttons] == [f"{number}:{n}" for n in range(1, 6)]
    assert await desk.count(Survey) == 1


async def test_pending_takes_an_unassigned_ticket(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)
    await sara.read()

    assert (await desk.agent("Bea", f"pending {number}")).ok

    waiting = await desk.ticket_row(number)
    assert (waiting.status, waiting.assignee_name) == ("pending", "Bea")
    assert texts(await sara.read()) == (
        f"Bea is waiting for your reply on ticket *#{number}*: just answer here."
    )
    statuses = [e[1:] for e in await desk.trail(number) if e[0] == "status"]
    assert statuses == [("Bea", "new", "open"), ("Bea", "open", "pending")]


async def test_pending_refusals(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await opened(sara)
    await desk.agent("Ali", f"pending {number}")
    await sara.read()

    assert await desk.agent("Ali", "pending") == refusal("Usage: pending N")
    assert await desk.agent("Ali", "pending 4x") == refusal(
        "'4x' is not a ticket number. Usage: pending N"
    )
    assert await desk.agent("Ali", "pending 99") == refusal("There is no ticket #99.")
    assert await desk.agent("Ali", f"pending {number}") == refusal(
        f"#{number} is pending, so that can't be done."
    )
    await desk.agent("Ali", f"resolve {number}")
    await sara.read()
    assert await desk.agent("Ali", f"pending {number}") == refusal(
        f"#{number} is resolved, so that can't be done."
    )
    assert (await desk.ticket_row(number)).status == "resolved"
    assert await sara.read() == []


# -- reopen, close --------------------------------------------------------------------------------


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
    assert await desk.count(Ticket) == 1

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


# -- merge ----------------------------------------------------------------------------------------


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
    assert await desk.count(Ticket) == 2  # no new ticket for Omid

    await desk.agent("Ali", f"resolve {original} Replaced the valve")
    for person in (sara, omid):
        assert f"Ticket *#{original}* is resolved: Replaced the valve" in texts(await person.read())


async def test_merge_without_into(desk: DeskHarness) -> None:
    original = await opened(desk.person("Sara"), COFFEE)
    duplicate = await opened(desk.person("Omid"), PARKING)
    assert (await desk.agent("Ali", f"merge #{duplicate} #{original}")).ok
    assert (await desk.ticket_row(duplicate)).merged_into_id == original


async def test_merge_refusals(desk: DeskHarness) -> None:
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


# -- available/away and round-robin ---------------------------------------------------------------


def round_robin(desk: DeskHarness, *members: Member) -> None:
    desk.configure(assignment="round_robin", team=Team.from_members(members))


async def test_round_robin_gives_new_tickets_in_turn(desk: DeskHarness) -> None:
    round_robin(desk, member("Ali"), member("Bea"), member("Cy"))
    people = [desk.person(name) for name in ("Sara", "Omid", "Nima", "Lina")]
    descriptions = [COFFEE, PARKING, FIRE_DOOR, PLANTS]
    numbers, owners = [], []
    for person, description in zip(people, descriptions, strict=True):
        numbers.append(await opened(person, description))
        owners.append((await desk.ticket_row(numbers[-1])).assignee_name)
        desk.clock.advance(minutes=1)

    assert sorted(owners[:3]) == ["Ali", "Bea", "Cy"]  # everyone gets one...
    assert owners[3] == owners[0]  # ...then the one assigned longest ago
    for person, number, owner in zip(people, numbers, owners, strict=True):
        assigned = await desk.ticket_row(number)
        assert (assigned.status, assigned.assignee_key) == ("open", agent(str(owner)).key)
        assert f"{owner} is looking at your request *#{number}*." in texts(person.received)
        assert f"*#{number}* assigned to {owner} by round-robin." in [
            m.text for m in desk.posts_about(number)
        ]
        assert (await desk.trail(number))[1:] == [
            ("assigned", "round-robin", None, owner),
            ("status", "round-robin", "new", "open"),
        ]


async def test_round_robin_counts_claims_as_assignments(desk: DeskHarness) -> None:
    """Least recently assigned first: whoever just claimed a ticket by hand waits their turn."""
    round_robin(desk, member("Ali"), member("Bea"))
    first = await opened(desk.person("Sara"), COFFEE)
    got_first = (await desk.ticket_row(first)).assignee_name
    other = "Bea" if got_first == "Ali" else "Ali"
    desk.clock.advance(minutes=1)
    await desk.agent(str(got_first), f"unclaim {first}")
    await desk.agent(other, f"claim {first}")  # now the other one was assigned last
    desk.clock.advance(minutes=1)

    second = await opened(desk.person("Omid"), PARKING)

    assert (await desk.ticket_row(second)).assignee_name == got_first


async def test_round_robin_skips_an_agent_who_is_away(desk: DeskHarness) -> None:
    round_robin(desk, member("Ali"), member("Bea"), member("Cy"))
    assert await desk.agent("Bea", "away") == Reply(
        "You're away: round-robin won't give you tickets."
    )
    async with desk.sessions() as session:
        bea = await session.scalar(select(Agent).where(Agent.key == "web:agent:Bea"))
        assert bea is not None and bea.available is False

    owners = []
    for name, description in (("Sara", COFFEE), ("Omid", PARKING), ("Nima", FIRE_DOOR)):
        number = await opened(desk.person(name), description)
        owners.append((await desk.ticket_row(number)).assignee_name)
        desk.clock.advance(minutes=1)
    assert "Bea" not in owners and set(owners) == {"Ali", "Cy"}

    await desk.agent("Bea", "queue")  # other commands leave her away
    number = await opened(desk.person("Tara"), PLANTS)
    assert (await desk.ticket_row(number)).assignee_name != "Bea"

    assert await desk.agent("Bea", "available") == Reply(
        "You're available: round-robin may give you tickets."
    )
    desk.clock.advance(minutes=1)
    number = await opened(desk.person("Ravi"), LOCK)
    assert (await desk.ticket_row(number)).assignee_name == "Bea"  # never assigned: her turn


async def test_round_robin_skips_an_agent_at_capacity(desk: DeskHarness) -> None:
    sara, omid = desk.person("Sara"), desk.person("Omid")
    ali_s = await opened(sara, COFFEE)
    bea_s = await opened(omid, PARKING)
    await desk.agent("Ali", f"claim {ali_s}")  # Ali: assigned longest ago, one open ticket
    desk.clock.advance(minutes=1)
    await desk.agent("Bea", f"claim {bea_s}")
    desk.clock.advance(minutes=1)
    round_robin(desk, member("Ali", capacity=1), member("Bea", capacity=2))

    third = await opened(desk.person("Nima"), FIRE_DOOR)
    assert (await desk.ticket_row(third)).assignee_name == "Bea"  # Ali is full

    desk.clock.advance(minutes=1)
    fourth = await opened(desk.person("Lina"), PLANTS)
    waiting = await desk.ticket_row(fourth)
    assert (waiting.status, waiting.assignee_key) == ("new", None)  # both full

    await desk.agent("Ali", f"resolve {ali_s}")
    desk.clock.advance(minutes=1)
    fifth = await opened(desk.person("Ravi"), LOCK)
    assert (await desk.ticket_row(fifth)).assignee_name == "Ali"  # room again
    assert (await desk.ticket_row(fourth)).assignee_key is None  # the queue is not re-dealt


async def test_round_robin_with_nobody_available_leaves_the_ticket_in_the_queue(
    desk: DeskHarness,
) -> None:
    round_robin(desk, member("Ali"), member("Bea"))
    for name in ("Ali", "Bea"):
        await desk.agent(name, "away")
    sara = desk.person("Sara")

    number = await opened(sara)

    waiting = await desk.ticket_row(number)
    assert (waiting.status, waiting.assignee_key) == ("new", None)
    assert "is looking at your request" not in texts(sara.received)
    (post,) = desk.posts_about(number)  # the new-ticket post, with its Claim button, only
    assert [b.action_id for b in post.buttons] == ["claim"]
    assert [e[0] for e in await desk.trail(number)] == ["created"]
    assert await desk.agent("Bea", "claim") == Reply(f"You claimed #{number}.")  # away can claim


async def test_round_robin_tells_the_requester_in_order(desk: DeskHarness) -> None:
    """First that the ticket is open, then who took it, not the other way round."""
    round_robin(desk, member("Ali"))
    sara = desk.person("Sara")

    replies = [m.text for m in await sara.say(COFFEE)]

    opened_at = next(i for i, t in enumerate(replies) if "opened ticket *#1*" in t)
    looking_at = next(i for i, t in enumerate(replies) if "is looking at your request" in t)
    assert opened_at < looking_at, replies


async def test_round_robin_names_the_agent_as_the_desk_knows_them(desk: DeskHarness) -> None:
    """A team file member without a ``name``: the requester is told the agent's name, not their
    platform key, and the desk keeps knowing the agent by that name (``assign @Ali``)."""
    round_robin(desk, member("Ali", named=False), member("Lea", Role.LEAD))
    await desk.agent("Ali", "available")  # the desk knows Ali as "Ali"
    await desk.agent("Lea", "away")  # every ticket goes to Ali
    sara = desk.person("Sara")

    number = await opened(sara)

    assert (await desk.ticket_row(number)).assignee_name == "Ali"
    assert f"Ali is looking at your request *#{number}*." in [m.text for m in sara.received]
    second = await opened(desk.person("Omid"), PARKING)
    await desk.agent("Lea", f"unclaim {second}")
    assert await desk.agent("Lea", f"assign {second} @Ali") == Reply(
        f"#{second} is now assigned to Ali."
    )


# -- the audit trail ------------------------------------------------------------------------------


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

    async with desk.sessions() as session:
        events = list(
            await session.scalars(
                select(TicketEvent).where(TicketEvent.ticket_id == number).order_by(TicketEvent.id)
            )
        )
    changes = [
        (e.action, e.actor, e.from_value, e.to_value, e.created_at)
        for e in events
        if e.action in ("created", "assigned", "status", "priority", "transfer")
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


async def test_a_transfer_past_its_deadline_cannot_be_accepted_even_before_the_timer(
    desk: DeskHarness,
) -> None:
    desk.configure(transfer_timeout=timedelta(minutes=15))
    await opened(desk.person("Sara"))
    await desk.agent("Ali", "claim 1")
    await desk.agent("Bea", "help")  # Bea is known to the desk
    assert (await desk.agent("Ali", "transfer 1 @Bea")).ok
    desk.clock.advance(minutes=16)  # no tick: the timer has not run
    late = await desk.agent("Bea", "accept 1")
    assert not late.ok and late.text == "#1 has no transfer waiting."
    assert (await desk.ticket_row(1)).assignee_name == "Ali"


async def test_resolving_cancels_a_pending_transfer(desk: DeskHarness) -> None:
    await opened(desk.person("Sara"))
    await desk.agent("Ali", "claim 1")
    await desk.agent("Bea", "help")
    await desk.agent("Ali", "transfer 1 @Bea")
    await desk.agent("Ali", "resolve 1 Fixed")
    refused = await desk.agent("Bea", "accept 1")
    assert not refused.ok and refused.text == "#1 has no transfer waiting."
    desk.clock.advance(hours=1)
    await desk.tick()
    assert not any("not accepted in time" in m.text for m in desk.agent_posts)


async def test_the_sender_cannot_accept_their_own_team_transfer(desk: DeskHarness) -> None:
    desk.configure(
        team=Team.from_members(
            [
                Member("web:agent:Ali", Role.AGENT, "Ali", ("network",)),
                Member("web:agent:Bea", Role.AGENT, "Bea", ("network",)),
            ]
        )
    )
    await opened(desk.person("Sara"))
    await desk.agent("Ali", "claim 1")
    assert (await desk.agent("Ali", "transfer 1 network")).ok
    own = await desk.agent("Ali", "accept 1")
    assert not own.ok and own.text == "The transfer of #1 is not for you."
    assert (await desk.agent("Bea", "accept 1")).ok
