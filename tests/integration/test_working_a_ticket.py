"""Working a ticket, on every configured database: replying to the requester (by command or in the
ticket's thread), internal notes, sending an FAQ article, setting the priority, and waiting on the
requester (pending). Each command's success and each of its refusals, with what the requester and
the agents see.
"""

from __future__ import annotations

from conversations.messages import Reply
from tests.harness import COFFEE, DeskHarness, opened, refusal, refused, texts

SURVEY_ASK = "How did we do on ticket"


# -- reply -----------------------------------------------------------------------------------------


async def test_reply_without_text_is_refused_and_sends_nothing(desk: DeskHarness) -> None:
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


async def test_first_response_time_is_set_by_the_first_reply_and_not_by_a_note(
    desk: DeskHarness,
) -> None:
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


# -- note ------------------------------------------------------------------------------------------


async def test_a_note_stays_with_the_agents_and_needs_text(desk: DeskHarness) -> None:
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


# -- writing in the agent chat ---------------------------------------------------------------------


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


# -- faq -------------------------------------------------------------------------------------------


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
    assert await desk.article_links() == [(number, article.id, COFFEE, "Ali", "faq")]
    assert (await desk.entries(number))[-1] == (
        "agent",
        "Ali",
        f"[{article.id}] {article.answer.strip()}",
    )
    assert desk.agent_posts[-1].text == f"*#{number}* Ali answered with the article {article.id}."

    desk.clock.advance(minutes=5)
    assert (await desk.agent("Ali", f"faq {number} printer-add")).ok
    assert (await desk.ticket_row(number)).first_response_at == answered_at  # the first one counts
    assert len(await desk.article_links()) == 2


async def test_faq_refusals_send_nothing_and_link_nothing(desk: DeskHarness) -> None:
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
    assert await desk.article_links() == []
    unanswered = await desk.ticket_row(number)
    assert (unanswered.first_response_at, unanswered.assignee_key) == (None, None)


# -- priority --------------------------------------------------------------------------------------


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


async def test_priority_refusals_leave_the_priority_and_due_times_unchanged(
    desk: DeskHarness,
) -> None:
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


# -- pending ---------------------------------------------------------------------------------------


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
    assert await desk.survey_count() == 1


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


async def test_pending_refuses_bad_numbers_and_tickets_already_pending_or_resolved(
    desk: DeskHarness,
) -> None:
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
