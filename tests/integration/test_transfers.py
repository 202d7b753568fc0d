"""Transfers, on every configured database: an agent offers a ticket to another agent or a team,
who accepts or declines it (command or button); an offer nobody takes in time expires, and one that
other events overtake is withdrawn. Nothing changes hands until the receiver accepts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from conversations.copy.durations import humanize
from conversations.messages import Button, Reply
from conversations.team import Member, Role, Team
from tests.harness import (
    COFFEE,
    PARKING,
    PASSWORD_QUESTION,
    STAFF,
    DeskHarness,
    opened,
    refusal,
)


def minutes_until(due: datetime | None, now: datetime) -> int:
    assert due is not None
    return round((due - now).total_seconds() / 60)


# -- offering a ticket -----------------------------------------------------------------------------


async def test_a_transfer_offer_carries_the_summary_and_accept_decline_buttons(
    desk: DeskHarness,
) -> None:
    desk.configure(team=STAFF)
    sara = desk.person("Sara")
    await sara.say(PASSWORD_QUESTION)
    await sara.press("Talk to a person")
    number = await desk.latest_ticket()
    assert number is not None
    tried = await desk.suggested_articles(number)
    assert tried  # the FAQs she saw before asking for a person
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
        f"{humanize(now.resolution_due_at - desk.clock())}",
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


async def test_a_transfer_without_a_note_shows_a_dash_for_it(desk: DeskHarness) -> None:
    desk.configure(team=STAFF)
    number = await opened(desk.person("Sara"))
    await desk.agent("Ali", f"claim {number}")
    assert (await desk.agent("Ali", f"transfer {number} @Bea")).ok
    assert desk.agent_posts[-1].text.splitlines()[1] == "Note: -"


async def test_transfer_refuses_bad_usage_self_others_tickets_a_second_offer_and_resolved_ones(
    desk: DeskHarness,
) -> None:
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
    assert len(await desk.transfer_statuses()) == 0

    assert (await desk.agent("Ali", f"transfer {number} @Bea")).ok
    for sender, command in (("Ali", f"transfer {number} @Cy"), ("Lea", f"transfer {number} @Cy")):
        assert await desk.agent(sender, command) == refusal(
            f"#{number} already has a transfer waiting to be accepted."
        )
    assert len(await desk.transfer_statuses()) == 1

    await desk.agent("Bea", f"decline {number}")
    await desk.agent("Ali", f"resolve {number}")
    assert await desk.agent("Ali", f"transfer {number} @Bea") == refusal(
        f"#{number} is resolved, so that can't be done."
    )
    assert len(await desk.transfer_statuses()) == 1


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
    assert (await desk.trail(number))[-2:] == [
        ("assigned", "Bea", "Ali", "Bea"),
        ("transfer_accepted", "Bea", "Lea", "Bea"),  # Lea, a lead, made the transfer
    ]


# -- accept and decline ----------------------------------------------------------------------------


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
    assert (await desk.trail(number))[-3:] == [
        ("transfer", "Ali", "Ali", "Bea"),
        ("assigned", "Bea", "Ali", "Bea"),
        ("transfer_accepted", "Bea", "Ali", "Bea"),
    ]

    assert await desk.agent("Bea", f"accept {number}") == refusal(
        f"#{number} has no transfer waiting."
    )
    assert await desk.agent("Bea", f"decline {number}") == refusal(
        f"#{number} has no transfer waiting."
    )


async def test_the_accept_and_decline_buttons_work_for_the_receiver_only(desk: DeskHarness) -> None:
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


# -- expiry and withdrawal -------------------------------------------------------------------------


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
    assert await desk.transfer_statuses() == ["pending"]

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
    assert set(await desk.transfer_statuses()) == {"cancelled"}
