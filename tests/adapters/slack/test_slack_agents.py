"""The agent channel: /desk, buttons and emoji, and who may use them."""

from __future__ import annotations

from conversations.team import Member, Role, Team
from tests.fakes.slack_api import channel_message_event, reaction_event

LEAK = "The coffee machine on floor three is leaking water everywhere"
NOT_ALLOWED = "You're not allowed to work tickets. Ask an admin to add you to the team."


async def open_ticket(desk) -> None:
    """Sara's question matches no article: a ticket straight away."""
    await desk.dm("U0SARA", LEAK)
    assert "ticket *#1*" in desk.fake.texts(desk.dm_channel("U0SARA"))


async def test_desk_command_without_text_is_help_and_queue_lists_tickets(desk) -> None:
    help_text = await desk.desk_command("U0ALI", "")
    assert help_text.startswith("Agent commands:")
    assert "claim [N]" in help_text
    await open_ticket(desk)
    queue = await desk.desk_command("U0ALI", "queue")
    assert queue.startswith("#1 [normal] new: The coffee machine")
    unknown = await desk.desk_command("U0ALI", "dance")
    assert "Unknown command 'dance'" in unknown


async def test_a_non_agent_is_refused_and_nothing_changes(make_desk) -> None:
    desk = await make_desk(team=Team.from_members([Member("slack:U0ALI", Role.AGENT)]))
    desk.fake.add_user("U0MALLORY", "Mallory")
    await open_ticket(desk)
    root = desk.root_post(1)
    updates = len(desk.fake.calls_to("chat.update"))
    sara_posts = len(desk.fake.posts(desk.dm_channel("U0SARA")))

    # By slash command, by button, by emoji and by writing in the ticket's thread.
    assert await desk.desk_command("U0MALLORY", "claim 1") == NOT_ALLOWED
    await desk.press("U0MALLORY", desk.fake.find_button("Claim", channel=desk.agent_channel))
    await desk.slack.event(reaction_event("U0MALLORY", desk.agent_channel, root.ts, "eyes"))
    await desk.in_thread("U0MALLORY", root.ts, "Hello, I am totally an agent")
    await desk.settle()

    assert desk.ephemerals("U0MALLORY") == [NOT_ALLOWED] * 3
    detail = await desk.reads.ticket(1)
    assert detail is not None
    assert detail.ticket.status == "new" and detail.ticket.assignee_name is None
    assert [e.kind for e in detail.entries] == ["requester"]
    assert len(desk.fake.calls_to("chat.update")) == updates
    assert len(desk.fake.posts(desk.dm_channel("U0SARA"))) == sara_posts

    # The agent on the team may.
    assert await desk.desk_command("U0ALI", "claim 1") == "You claimed #1."
    detail = await desk.reads.ticket(1)
    assert detail is not None and detail.ticket.assignee_name == "Ali"


async def test_a_slack_user_group_can_be_granted_the_agent_role(make_desk) -> None:
    desk = await make_desk(
        team=Team.from_members([Member("slack-usergroup:S0HELPDESK", Role.AGENT)])
    )
    desk.fake.add_user("U0NOOR", "Noor")
    desk.fake.add_usergroup("S0HELPDESK", "helpdesk", ["U0NOOR"])
    await open_ticket(desk)
    assert await desk.desk_command("U0NOOR", "claim 1") == "You claimed #1."
    assert await desk.desk_command("U0ALI", "queue") == NOT_ALLOWED
    (groups,) = desk.fake.calls_to("usergroups.list")  # cached, asked once
    assert groups.args["include_users"] in ("1", "true")


async def test_without_the_usergroups_scope_nobody_is_in_a_group(make_desk) -> None:
    desk = await make_desk(
        team=Team.from_members(
            [Member("slack-usergroup:S0HELPDESK", Role.AGENT), Member("slack:U0ALI", Role.AGENT)]
        )
    )
    desk.fake.add_user("U0NOOR", "Noor")
    desk.fake.add_usergroup("S0HELPDESK", "helpdesk", ["U0NOOR"])
    desk.fake.fail_next("usergroups.list", "missing_scope")
    await open_ticket(desk)  # Sara's lookup meets the missing scope; she is served all the same
    assert await desk.desk_command("U0NOOR", "claim 1") == NOT_ALLOWED
    assert await desk.desk_command("U0ALI", "claim 1") == "You claimed #1."


async def test_emoji_on_a_ticket_post_claim_and_resolve(desk) -> None:
    await open_ticket(desk)
    root = desk.root_post(1)
    sara = desk.dm_channel("U0SARA")

    await desk.slack.event(reaction_event("U0ALI", desk.agent_channel, root.ts, "eyes"))
    await desk.settle()
    assert desk.ephemerals("U0ALI") == ["You claimed #1."]
    ephemeral = desk.fake.calls_to("chat.postEphemeral")[-1]
    assert ephemeral.args["thread_ts"] == root.ts
    assert "Ali is looking at your request *#1*" in desk.fake.texts(sara)

    # On any post of the ticket's thread, not only the root.
    notice = desk.fake.posts(desk.agent_channel, thread_ts=root.ts)[-1]
    await desk.slack.event(
        reaction_event("U0ALI", desk.agent_channel, notice.ts, "white_check_mark")
    )
    await desk.settle()
    assert desk.ephemerals("U0ALI")[-1] == "#1 is resolved; the requester was told."
    assert "Ticket *#1* is resolved" in desk.fake.texts(sara)

    # Other emoji, and emoji on posts that are no ticket's, do nothing.
    before = len(desk.fake.calls)
    await desk.slack.event(reaction_event("U0ALI", desk.agent_channel, root.ts, "tada"))
    await desk.slack.event(reaction_event("U0ALI", desk.agent_channel, "1600000000.000100", "eyes"))
    await desk.settle()
    assert len(desk.fake.calls) == before


async def test_the_resolve_button_on_the_root_post(desk) -> None:
    await open_ticket(desk)
    await desk.press("U0ALI", desk.fake.find_button("Resolve", channel=desk.agent_channel))
    assert desk.ephemerals("U0ALI") == ["#1 is resolved; the requester was told."]
    detail = await desk.reads.ticket(1)
    assert detail is not None
    assert detail.ticket.status == "resolved" and detail.ticket.assignee_name == "Ali"


async def test_agent_channel_chatter_outside_ticket_threads_does_nothing(desk) -> None:
    await open_ticket(desk)
    before = len(desk.fake.calls)
    # Top level in the agent channel, and a thread that is no ticket's.
    await desk.slack.event(channel_message_event("U0ALI", desk.agent_channel, "lunch?"))
    await desk.in_thread("U0ALI", "1600000000.000100", "in some other thread")
    await desk.settle()
    said = [c for c in desk.fake.calls[before:] if c.method.startswith("chat.")]
    assert said == []
    detail = await desk.reads.ticket(1)
    assert detail is not None and len(detail.entries) == 1
