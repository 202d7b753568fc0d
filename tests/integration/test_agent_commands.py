"""Agent commands, buttons and thread replies, on every configured database: what each one does,
and how each refuses."""

from __future__ import annotations

import itertools
import uuid

import pytest
from conversations.repository import Repository
from sqlalchemy import select

from conversations.messages import InboundAction, InboundCommand, Reply
from conversations.models import TicketEvent
from tests.harness import AGENTS, COFFEE, DeskHarness, agent, texts

# No FAQ answers this one either (nor COFFEE), so it opens a ticket straight away.
PRINTER = "URGENT: the printer on floor 2 is jammed and we have a board meeting now"


def refused(reply: Reply, *fragments: str) -> bool:
    return not reply.ok and all(f in reply.text for f in fragments)


# -- help, queue, show ----------------------------------------------------------------------------


async def test_help_lists_every_command(desk: DeskHarness) -> None:
    reply = await desk.agent("Ali", "help")
    assert reply.ok
    for usage in ("queue", "show N", "claim N", "reply N text", "note N text", "resolve N", "help"):
        assert usage in reply.text


async def test_queue_views(desk: DeskHarness) -> None:
    empty = await desk.agent("Ali", "queue")
    assert empty.ok and empty.text == "The queue is empty."

    coffee = await desk.person("Sara").open_ticket(COFFEE)
    printer = await desk.person("Omid").open_ticket(PRINTER)
    assert (await desk.ticket_row(printer)).priority == "urgent"
    assert (await desk.ticket_row(coffee)).priority != "urgent"
    await desk.agent("Ali", f"claim {coffee}")

    everything = await desk.agent("Ali", "queue")
    assert everything.ok
    lines = everything.text.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"#{printer} [urgent] new:") and "assignee: -" in lines[0]
    assert lines[1].startswith(f"#{coffee} ") and "open" in lines[1]
    assert "coffee machine" in lines[1] and "assignee: Ali" in lines[1]
    assert (await desk.agent("Ali", "queue all")).text == everything.text
    assert (await desk.agent("Ali", "list")).text == everything.text

    mine = await desk.agent("Ali", "queue mine")
    assert mine.ok and mine.text.splitlines() == [lines[1]]
    assert (await desk.agent("Bea", "queue mine")).text == "The queue is empty."
    unassigned = await desk.agent("Ali", "queue unassigned")
    assert unassigned.ok and unassigned.text.splitlines() == [lines[0]]
    urgent = await desk.agent("Ali", "queue URGENT")
    assert urgent.ok and urgent.text.splitlines() == [lines[0]]

    bad = await desk.agent("Ali", "queue weekly")
    assert refused(bad, "Usage: queue [all|mine|unassigned|urgent|pending|breached|<team>]")


async def test_show_a_ticket_and_its_conversation(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await desk.agent("Ali", f"reply {number} Someone is on the way")

    for token in (str(number), f"#{number}"):
        shown = await desk.agent("Bea", f"show {token}")
        assert shown.ok
        header, *lines = shown.text.splitlines()
        assert header == f"*#{number}* {COFFEE}"
        assert "status: open" in lines[0] and "requester: Sara (web)" in lines[0]
        assert "assignee: Ali" in lines[0]
        assert lines[1] == "SLA: first response done, resolution due in 1440 min"
        assert lines[2] == "FAQs already tried: none"
        assert lines[3:] == [f"[requester] Sara: {COFFEE}", "[agent] Ali: Someone is on the way"]


@pytest.mark.parametrize("command", ["show", "claim", "reply", "note", "resolve"])
async def test_commands_refuse_what_is_not_a_ticket_number(desk: DeskHarness, command: str) -> None:
    await desk.person("Sara").open_ticket()
    usage = f"Usage: {command} N"
    rest = " some text" if command in ("reply", "note", "resolve") else ""
    for token in ("abc", "#x", "1abc", "-1", "#"):
        reply = await desk.agent("Ali", f"{command} {token}{rest}")
        assert refused(reply, f"'{token}' is not a ticket number", usage), reply
    if command != "claim":  # a bare "claim" takes the next ticket (test_commands_workflow.py)
        assert refused(await desk.agent("Ali", command), usage)  # no argument at all
    assert refused(await desk.agent("Ali", f"{command} 99{rest}"), "There is no ticket #99.")
    assert (await desk.ticket_row(1)).assignee_key is None  # nothing happened to ticket 1


# -- claim ----------------------------------------------------------------------------------------


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


async def test_claiming_a_ticket_twice_or_someone_elses(desk: DeskHarness) -> None:
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


async def test_a_resolved_ticket_cannot_be_claimed(desk: DeskHarness) -> None:
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


async def test_the_claim_button_works_like_the_command(desk: DeskHarness) -> None:
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


# -- reply ----------------------------------------------------------------------------------------


async def test_reply_needs_text(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()
    for command in (f"reply {number}", f"reply {number}    "):
        assert refused(await desk.agent("Ali", command), "Usage: reply N text")
    assert await sara.read() == []
    assert (await desk.ticket_row(number)).assignee_key is None


async def test_replying_to_an_unassigned_ticket_assigns_it_to_the_replier(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()

    reply = await desk.agent("Bea", f"reply {number} Is the water near a socket?")

    assert reply == Reply(f"Reply sent to the requester of #{number}.")
    answered = await desk.ticket_row(number)
    assert (answered.assignee_name, answered.status) == ("Bea", "open")
    assert [m.text for m in await sara.read()] == [
        f"*Bea* (ticket #{number}): Is the water near a socket?"
    ]
    assert desk.agent_posts[-1].text == f"*#{number}* Bea replied: Is the water near a socket?"
    assert (await desk.entries(number))[-1] == ("agent", "Bea", "Is the water near a socket?")
    assert ("assigned", "Bea", None, "Bea") in await desk.trail(number)


async def test_first_response_time_is_set_by_the_first_reply_only(desk: DeskHarness) -> None:
    number = await desk.person("Sara").open_ticket()
    await desk.agent("Ali", f"claim {number}")
    await desk.agent("Ali", f"note {number} checking with facilities")
    assert (await desk.ticket_row(number)).first_response_at is None  # notes are not responses

    desk.clock.advance(minutes=7)
    first = desk.clock()
    await desk.agent("Ali", f"reply {number} Facilities are on the way")
    desk.clock.advance(minutes=30)
    await desk.agent("Ali", f"reply {number} Fixed, please check")

    answered = await desk.ticket_row(number)
    assert answered.first_response_at == first
    assert answered.updated_at == desk.clock()


async def test_a_closed_ticket_cannot_be_replied_to(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.command("cancel")
    await sara.read()

    reply = await desk.agent("Ali", f"reply {number} Still need help?")

    assert refused(reply, f"#{number} is closed, so that can't be done.")
    assert await sara.read() == []
    assert ("agent", "Ali", "Still need help?") not in await desk.entries(number)


# -- note -----------------------------------------------------------------------------------------


async def test_a_note_stays_with_the_agents(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()

    reply = await desk.agent("Ali", f"note {number} Water main was repaired last week")

    assert reply == Reply(f"Internal note added to #{number}.")
    assert await sara.read() == []
    assert (await desk.entries(number))[-1] == ("note", "Ali", "Water main was repaired last week")
    post = desk.agent_posts[-1]
    assert post.text == f"*#{number}* internal note by Ali: Water main was repaired last week"
    assert post.ticket_id == number
    assert refused(await desk.agent("Ali", f"note {number}"), "Usage: note N text")


# -- resolve --------------------------------------------------------------------------------------


async def test_resolve_with_a_summary(desk: DeskHarness) -> None:
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


async def test_resolve_without_a_summary_and_twice(desk: DeskHarness) -> None:
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


# -- unknown commands, thread messages ------------------------------------------------------------


async def test_an_unknown_command_is_refused_clearly(desk: DeskHarness) -> None:
    reply = await desk.agent("Ali", "frobnicate 1")
    assert refused(reply, "Unknown command 'frobnicate'", "help")
    odd_button = InboundAction(
        uuid.uuid4().hex, AGENTS, agent("Ali"), "escalate", "1", desk.clock()
    )
    pressed = await desk.dispatch(odd_button)
    assert pressed is not None and refused(pressed, "Unknown command 'escalate'")


async def test_writing_in_a_tickets_thread_answers_the_requester(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()
    thread = await desk.thread_of(number)

    reply = await desk.agent_says("Ali", "  Could you send a photo?  ", thread=thread)

    assert reply == Reply(f"Reply sent to the requester of #{number}.")
    assert [m.text for m in await sara.read()] == [
        f"*Ali* (ticket #{number}): Could you send a photo?"
    ]
    assert (await desk.entries(number))[-1] == ("agent", "Ali", "Could you send a photo?")
    assert (await desk.ticket_row(number)).assignee_name == "Ali"


async def test_a_note_in_a_tickets_thread_stays_internal(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()
    thread = await desk.thread_of(number)

    reply = await desk.agent_says("Ali", "NOTE: probably the valve again", thread=thread)

    assert reply == Reply(f"Internal note added to #{number}.")
    assert await sara.read() == []
    assert (await desk.entries(number))[-1] == ("note", "Ali", "probably the valve again")
    assert (
        desk.agent_posts[-1].text == f"*#{number}* internal note by Ali: probably the valve again"
    )


async def test_agent_chat_talk_outside_a_ticket_thread_does_nothing(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()
    posts, before = len(desk.agent_posts), await desk.entries(number)

    assert await desk.agent_says("Ali", "Anyone up for lunch?", thread=None) is None
    # A thread that is no ticket's (a thread agents started themselves).
    assert await desk.agent_says("Ali", "I'll go at one", thread="agents-own-thread") is None

    assert await sara.read() == []
    assert len(desk.agent_posts) == posts
    assert await desk.entries(number) == before
    assert (await desk.ticket_row(number)).assignee_key is None


# -- audit trail ----------------------------------------------------------------------------------


async def test_the_audit_trail_records_claims_and_status_changes(desk: DeskHarness) -> None:
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
    async with desk.sessions() as session:
        stamps = list(
            await session.scalars(
                select(TicketEvent.created_at)
                .where(TicketEvent.ticket_id == number)
                .order_by(TicketEvent.id)
            )
        )
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


async def test_a_command_cut_short_takes_effect_when_the_platform_redelivers_it(
    desk: DeskHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event's record and its effects commit together: a command that failed half-way
    (database hiccup, process killed) must not be mistaken for a duplicate when it comes again."""
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    claim = InboundCommand("evt-claim", AGENTS, agent("Ali"), "claim", str(number), desk.clock())

    real_audit = Repository.audit

    def audit_after_a_hiccup(self: Repository, *args: object, **kwargs: object) -> None:
        monkeypatch.setattr(Repository, "audit", real_audit)
        raise ConnectionResetError("connection to the database was lost")

    monkeypatch.setattr(Repository, "audit", audit_after_a_hiccup)
    failed = await desk.dispatch(claim)
    assert failed is not None and not failed.ok
    assert (await desk.ticket_row(number)).assignee_key is None  # nothing of it was kept

    retried = await desk.dispatch(claim)
    assert retried == Reply(f"You claimed #{number}.")
    assert (await desk.ticket_row(number)).assignee_name == "Ali"
