"""Who may do what, on every configured database: with a team file only its members work
tickets (directly or through a group), lead-only commands need a lead, and requesters only ever
reach their own tickets. A refusal changes nothing."""

from __future__ import annotations

import uuid

import pytest

from conversations.messages import InboundAction, Reply, UserRef
from conversations.team import Member, Role, Team
from tests.harness import COFFEE, DeskHarness, agent, agent_command_names, texts

NOT_ALLOWED = "You're not allowed to work tickets. Ask an admin to add you to the team."
STALE = "That button belongs to an earlier question. Just write what you need."
FRIDGE = "The fridge in the kitchen smells of old fish again"

AGENT_GROUP = "slack-usergroup:S1"
LEAD_GROUP = "slack-usergroup:L1"
TEAM = Team.from_members(
    [
        Member("web:agent:Ali", Role.AGENT, "Ali"),
        Member("web:agent:Bea", Role.AGENT, "Bea"),
        Member("web:agent:Lea", Role.LEAD, "Lea"),
        Member("web:agent:Ada", Role.ADMIN, "Ada"),
        Member(AGENT_GROUP, Role.AGENT),
        Member(LEAD_GROUP, Role.LEAD),
    ]
)

# Every agent command, with arguments that would make it act if the sender were allowed to.
# {new}: an unassigned new ticket; {mine}: a ticket Ali works on and offered to Ada; {done}: a
# resolved one.
EVERY_COMMAND = {
    "help": "",
    "queue": "",
    "list": "all",
    "show": "{new}",
    "claim": "{new}",
    "unclaim": "{mine}",
    "assign": "{new} @Ali",
    "transfer": "{new} @Bea please take it",
    "accept": "{mine}",
    "decline": "{mine}",
    "priority": "{new} urgent",
    "reply": "{new} Is the water near a socket?",
    "note": "{new} facilities were told",
    "faq": "{new} password-reset",
    "pending": "{new}",
    "resolve": "{new} Replaced the valve",
    "reopen": "{done}",
    "close": "{new}",
    "merge": "{new} into {mine}",
    "available": "",
    "away": "",
    "report": "week",
}


@pytest.fixture
def desk(desk: DeskHarness) -> DeskHarness:
    """The shared desk, with the team file ``TEAM``."""
    desk.configure(team=TEAM)
    return desk


@pytest.fixture
async def tickets(desk: DeskHarness) -> dict[str, int]:
    """A new ticket, one Ali is working on and offers to Ada, and one he resolved."""
    new = await desk.person("Sara").open_ticket(COFFEE)
    mine = await desk.person("Omid").open_ticket(FRIDGE)
    done = await desk.person("Reza").open_ticket("The blinds in room 12 are stuck halfway down")
    assert (await desk.agent("Ali", f"claim {mine}")).ok
    assert (await desk.agent("Ali", f"transfer {mine} @Ada")).ok
    assert (await desk.agent("Ali", f"resolve {done} Replaced the cable")).ok
    return {"new": new, "mine": mine, "done": done}


# -- people outside the team -----------------------------------------------------------------------


def test_every_agent_command_is_covered() -> None:
    assert set(EVERY_COMMAND) == agent_command_names()


@pytest.mark.parametrize("name", sorted(EVERY_COMMAND))
async def test_someone_outside_the_team_can_run_no_command_and_nothing_changes(
    desk: DeskHarness, tickets: dict[str, int], name: str
) -> None:
    before = await desk.snapshot()
    posts, sent = len(desk.agent_posts), len(desk.sender.sent)
    command = f"{name} {EVERY_COMMAND[name].format(**tickets)}".strip()

    for who in (agent("Eve"), agent("Mallory", "slack-usergroup:SOMEONE-ELSE")):
        reply = await desk.agent(who, command)
        assert reply == Reply(NOT_ALLOWED, ok=False), command

    assert await desk.snapshot() == before  # the tickets, the outbox, the agents: all untouched
    assert len(desk.sender.sent) == sent and len(desk.agent_posts) == posts
    assert not {"web:agent:Eve", "web:agent:Mallory"} & await desk.agent_keys()


@pytest.mark.parametrize("name", sorted(EVERY_COMMAND))
async def test_the_same_commands_work_for_an_admin(
    desk: DeskHarness, tickets: dict[str, int], name: str
) -> None:
    """The control for the test above: its commands are ones that act, not ones that fail."""
    command = f"{name} {EVERY_COMMAND[name].format(**tickets)}".strip()
    reply = await desk.agent("Ada", command)
    assert reply.ok, (command, reply)


async def test_a_bare_claim_from_outside_the_team_takes_nothing(
    desk: DeskHarness, tickets: dict[str, int]
) -> None:
    before = await desk.snapshot()
    assert await desk.agent("Eve", "claim") == Reply(NOT_ALLOWED, ok=False)
    assert await desk.snapshot() == before


async def test_the_claim_button_refuses_someone_outside_the_team(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()
    (button,) = desk.agent_posts[-1].buttons
    assert (button.action_id, button.value) == ("claim", str(number))
    before = await desk.snapshot()

    reply = await desk.agent_action("Eve", button.action_id, button.value)

    assert reply == Reply(NOT_ALLOWED, ok=False)
    assert await desk.snapshot() == before
    assert (await desk.ticket_row(number)).assignee_key is None
    assert await sara.read() == []
    # A member pressing the same button still gets it.
    ok = await desk.agent_action("Ali", button.action_id, button.value)
    assert ok == Reply(f"You claimed #{number}.")


async def test_writing_in_a_tickets_thread_refuses_someone_outside_the_team(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()
    thread = await desk.thread_of(number)
    before = await desk.snapshot()

    for text in ("Hi, I can help you with that", "note: I am not really an agent"):
        reply = await desk.agent_says("Eve", text, thread=thread)
        assert reply == Reply(NOT_ALLOWED, ok=False)

    assert await desk.snapshot() == before
    assert await sara.read() == []
    taken = await desk.ticket_row(number)
    assert taken.assignee_key is None and taken.first_response_at is None


# -- members ---------------------------------------------------------------------------------------


async def test_a_member_through_a_group_may_work_tickets(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()
    gil = agent("Gil", AGENT_GROUP)

    assert await desk.agent(gil, f"claim {number}") == Reply(f"You claimed #{number}.")
    claimed = await desk.ticket_row(number)
    assert (claimed.assignee_key, claimed.assignee_name) == ("web:agent:Gil", "Gil")
    assert f"Gil is looking at your request *#{number}*." in texts(await sara.read())

    thread = await desk.thread_of(number)
    reply = await desk.agent_says(gil, "Is the water near a socket?", thread=thread)
    assert reply == Reply(f"Reply sent to the requester of #{number}.")
    assert f"*Gil* (ticket #{number}): Is the water near a socket?" in texts(await sara.read())
    assert "web:agent:Gil" in await desk.agent_keys()


async def test_the_same_person_without_the_group_is_refused(desk: DeskHarness) -> None:
    number = await desk.person("Sara").open_ticket()
    reply = await desk.agent("Gil", f"claim {number}")
    assert reply == Reply(NOT_ALLOWED, ok=False)
    assert (await desk.ticket_row(number)).assignee_key is None


# -- roles -----------------------------------------------------------------------------------------


async def test_assign_is_for_leads_and_refused_agents_change_nothing(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()
    before = await desk.snapshot()

    for who in (agent("Ali"), agent("Gil", AGENT_GROUP)):
        reply = await desk.agent(who, f"assign {number} @Bea")
        assert reply == Reply("Only a lead can use 'assign'.", ok=False)
    assert await desk.snapshot() == before
    assert await sara.read() == []

    reply = await desk.agent("Lea", f"assign {number} @Bea")
    assert reply == Reply(f"#{number} is now assigned to Bea.")
    assigned = await desk.ticket_row(number)
    assert (assigned.assignee_key, assigned.assignee_name) == ("web:agent:Bea", "Bea")
    assert desk.agent_posts[-1].text == f"*#{number}* assigned to Bea by Lea."


@pytest.mark.parametrize(
    "who",
    [agent("Ada"), agent("Kai", LEAD_GROUP), agent("Ali", LEAD_GROUP)],
    ids=["admin", "lead-through-group", "agent-who-is-also-in-the-lead-group"],
)
async def test_leads_and_admins_may_assign(desk: DeskHarness, who: UserRef) -> None:
    number = await desk.person("Sara").open_ticket()
    reply = await desk.agent(who, f"assign {number} @Bea")
    assert reply == Reply(f"#{number} is now assigned to Bea.")
    assert (await desk.ticket_row(number)).assignee_name == "Bea"


# -- requesters ------------------------------------------------------------------------------------


async def test_a_requester_only_sees_their_own_tickets(desk: DeskHarness) -> None:
    sara, omid = desk.person("Sara"), desk.person("Omid")
    saras = await sara.open_ticket(COFFEE)
    omids = await omid.open_ticket(FRIDGE)

    listing = texts(await sara.command("ticket"))
    assert f"#{saras}*" in listing and "coffee machine" in listing
    assert f"#{omids}*" not in listing and "fridge" not in listing

    listing = texts(await omid.command("tickets"))
    assert f"#{omids}*" in listing and "fridge" in listing
    assert f"#{saras}*" not in listing and "coffee machine" not in listing

    assert texts(await desk.person("Reza").command("ticket")).endswith("You have no tickets.")


async def test_a_priority_button_for_someone_elses_ticket_is_stale(desk: DeskHarness) -> None:
    sara, omid = desk.person("Sara"), desk.person("Omid")
    await sara.open_ticket(COFFEE)
    omids = await omid.open_ticket(FRIDGE)
    await omid.read()
    priority = (await desk.ticket_row(omids)).priority
    # Omid's own buttons carry his ticket's number; Sara crafts the same press from her chat.
    urgent = next(b for b in omid.buttons("Urgent") if b.value == f"{omids}:urgent")
    before = await desk.snapshot()
    posts = len(desk.agent_posts)

    await desk.dispatch(
        InboundAction(
            uuid.uuid4().hex, sara.chat, sara.user, urgent.action_id, urgent.value, desk.clock()
        )
    )

    assert texts(await sara.read()) == STALE
    assert (await desk.ticket_row(omids)).priority == priority != "urgent"
    assert len(desk.agent_posts) == posts and await omid.read() == []
    after = await desk.snapshot()
    assert after["tickets"] == before["tickets"]
    assert after["ticket_events"] == before["ticket_events"]


async def test_a_requester_cannot_run_agent_commands_from_their_chat(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    replies = await sara.command("claim", str(number))
    assert "I don't know the command /claim" in texts(replies)
    assert (await desk.ticket_row(number)).assignee_key is None
