"""Round-robin assignment and availability, on every configured database: new tickets go in turn
to the available team member assigned longest ago, skipping whoever is away or at capacity, and
the requester hears who took theirs."""

from __future__ import annotations

from conversations.messages import Reply
from conversations.team import Member, Role, Team
from tests.harness import (
    COFFEE,
    FIRE_DOOR,
    LOCK,
    PARKING,
    PLANTS,
    DeskHarness,
    agent,
    member,
    opened,
    texts,
)


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


# -- available and away ----------------------------------------------------------------------------


async def test_round_robin_skips_an_agent_who_is_away(desk: DeskHarness) -> None:
    round_robin(desk, member("Ali"), member("Bea"), member("Cy"))
    assert await desk.agent("Bea", "away") == Reply(
        "You're away: round-robin won't give you tickets."
    )
    assert await desk.is_available("Bea") is False

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
