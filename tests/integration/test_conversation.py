"""The requester's journey through the engine, on every configured database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conversations.messages import DeliveryError
from conversations.models import Suggestion, Ticket, TicketEvent
from tests.harness import AGENTS, DeskHarness, texts

PASSWORD_QUESTION = "I forgot my password and cannot log in"


async def test_greets_a_new_user_once(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    first = await sara.say("hello")
    second = await sara.say("hello again")
    assert "I'm Deskbot" in first[0].text
    assert "I'm Deskbot" not in texts(second)


async def test_faq_suggestions_solve_the_question(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    replies = await sara.say(PASSWORD_QUESTION)

    suggested = [m for m in replies if any(b.action_id == "faq.ok" for b in m.buttons)]
    assert 1 <= len(suggested) <= 3
    assert "password.acme.example" in suggested[0].text
    for message in suggested:
        assert [b.label for b in message.buttons] == ["This solved it", "Not what I need"]
    assert sara.buttons("Talk to a person")

    answer = await sara.press("This solved it", nth=0)
    assert "Glad" in texts(answer)
    shown = await desk.rows(Suggestion)
    assert shown[0].outcome == "solved"
    assert shown[0].article_id in ("password-reset", "forgotten-password")
    assert all(s.outcome in ("solved", "ignored") for s in shown)
    assert all(s.query == PASSWORD_QUESTION for s in shown)
    assert desk.agent_posts == []  # nothing reached the agents


async def test_short_message_asks_for_detail_then_uses_both(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    replies = await sara.say("help please")
    assert "tell me a bit more" in texts(replies)
    replies = await sara.say("the VPN will not connect from home, error 809")
    assert any("VPN" in m.text for m in replies if m.buttons)
    assert (await desk.rows(Suggestion))[0].query == (
        "help please\nthe VPN will not connect from home, error 809"
    )


async def test_a_short_but_clear_question_gets_answers_straight_away(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    replies = await sara.say("printer jammed")
    assert any(b.action_id == "faq.ok" for m in replies for b in m.buttons)


async def test_talk_to_a_person_opens_a_ticket_and_hands_it_to_the_agents(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    await sara.say(PASSWORD_QUESTION)
    replies = await sara.press("Talk to a person")

    assert "#1" in texts(replies)
    opened = await desk.ticket_row(1)
    assert opened.description == PASSWORD_QUESTION
    assert opened.channel == "web" and opened.status == "new"
    assert opened.priority == "high"  # "cannot log in" stops someone working
    assert [b.label for b in replies[-1].buttons] == ["Low", "Normal", "High", "Urgent"]

    (post,) = desk.agent_posts
    assert post.chat == AGENTS and post.ticket_id == 1
    assert "New ticket #1" in post.text and "Sara" in post.text and "password" in post.text
    assert [(b.label, b.action_id, b.value) for b in post.buttons] == [("Claim", "claim", "1")]
    assert {s.outcome for s in await desk.rows(Suggestion)} == {"escalated"}
    assert {s.ticket_id for s in await desk.rows(Suggestion)} == {1}


async def test_rejecting_every_suggestion_escalates(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say(PASSWORD_QUESTION)
    count = len(sara.buttons("Not what I need"))
    for n in range(count - 1):
        replies = await sara.press("Not what I need", nth=n)
        assert "other suggestions" in texts(replies)
    replies = await sara.press("Not what I need", nth=count - 1)
    assert "ticket *#1*" in texts(replies)
    assert {s.outcome for s in await desk.rows(Suggestion)} == {"rejected"}


async def test_no_match_opens_a_ticket_straight_away(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    replies = await sara.say("The coffee machine on floor three is leaking water everywhere")
    assert "couldn't find an answer" in texts(replies)
    assert (await desk.ticket_row(1)).subject.startswith("The coffee machine")


async def test_agent_and_requester_talk_through_the_ticket(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say(PASSWORD_QUESTION)
    await sara.press("Talk to a person")

    assert (await desk.agent("Ali", "claim 1")).text == "You claimed #1."
    assert "Ali is looking at your request *#1*" in texts(await sara.read())

    await desk.agent("Ali", "reply 1 Hi Sara, I have reset it: check your e-mail")
    assert "Hi Sara, I have reset it" in texts(await sara.read())

    before = len(desk.agent_posts)
    await sara.say("Thanks, it works now")
    relayed = desk.agent_posts[before:]
    assert [m.text for m in relayed] == ["*#1* Sara: Thanks, it works now"]
    root = next(desk.posts_about(1))
    assert relayed[0].chat.thread_id == "m" + str(desk.sender.sent.index(root) + 1)

    reply = await desk.agent("Ali", "resolve 1 Password reset")
    assert reply.ok
    assert "resolved: Password reset" in texts(await sara.read())
    detail = await desk.reads.ticket(1)
    assert detail is not None
    assert [(e.kind, e.author) for e in detail.entries] == [
        ("requester", "Sara"),
        ("agent", "Ali"),
        ("requester", "Sara"),
        ("system", "Ali"),
    ]
    assert detail.ticket.status == "resolved" and detail.ticket.assignee_name == "Ali"


async def test_a_reply_after_resolve_reopens_the_ticket(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say("The coffee machine on floor three is leaking water everywhere")
    await desk.agent("Ali", "claim 1")
    await desk.agent("Ali", "resolve 1")
    desk.clock.advance(hours=2)
    replies = await sara.say("It is leaking again")
    assert "open again" in texts(replies)
    assert (await desk.ticket_row(1)).status == "open"

    # After the re-open window a message starts a new question instead.
    await desk.agent("Ali", "resolve 1")
    desk.clock.advance(days=4)
    await sara.say("The coffee machine on floor two is also leaking water now")
    assert (await desk.ticket_row(2)).description.startswith("The coffee machine on floor two")


async def test_a_restart_in_the_middle_loses_nothing(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say(PASSWORD_QUESTION)
    desk.start()  # a new process: only the database survives
    replies = await sara.press("Talk to a person")
    assert "#1" in texts(replies)
    desk.start()
    await desk.agent("Ali", "claim 1")
    await desk.agent("Ali", "reply 1 On it")
    desk.start()
    await sara.say("Thank you")
    assert "On it" in texts(sara.received)
    assert desk.agent_posts[-1].text == "*#1* Sara: Thank you"


async def test_an_undelivered_reply_survives_a_restart(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say("The coffee machine on floor three is leaking water everywhere")
    await desk.agent("Ali", "claim 1")
    desk.sender.failures.append(ConnectionError("platform unreachable"))
    await desk.agent("Ali", "reply 1 Someone is coming")
    assert "Someone is coming" not in texts(sara.received)
    desk.start()
    desk.clock.advance(minutes=5)
    assert "Someone is coming" in texts(await sara.read())


async def test_a_redelivered_event_takes_effect_once(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say(
        "The coffee machine on floor three is leaking water everywhere", event_id="evt-1"
    )
    again = await sara.say(
        "The coffee machine on floor three is leaking water everywhere", event_id="evt-1"
    )
    assert again == []
    async with desk.sessions() as session:
        assert len(list(await session.scalars(select(Ticket)))) == 1


async def test_priority_is_inferred_and_the_requester_can_change_it(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say("URGENT: the printer on floor 2 is jammed and we have a board meeting now")
    assert (await desk.ticket_row(1)).priority in ("urgent",)
    replies = await sara.press("Low")
    assert "priority: *Low*" in texts(replies)
    assert (await desk.ticket_row(1)).priority == "low"
    assert "priority changed by the requester to low" in desk.agent_posts[-1].text
    async with desk.sessions() as session:
        (change,) = await session.scalars(
            select(TicketEvent).where(TicketEvent.action == "priority")
        )
    assert (change.from_value, change.to_value, change.actor) == ("urgent", "low", "Sara")


async def test_user_commands(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    assert "You have no tickets" in texts(await sara.command("ticket"))
    await sara.say("The coffee machine on floor three is leaking water everywhere")
    listing = texts(await sara.command("ticket"))
    assert "#1" in listing and "waiting for an agent" in listing
    assert "/lang" in texts(await sara.command("help"))
    assert "don't know the command /frobnicate" in texts(await sara.command("frobnicate"))

    assert "withdrawn" in texts(await sara.command("cancel"))
    assert (await desk.ticket_row(1)).status == "closed"
    assert "withdrawn by Sara" in desk.agent_posts[-1].text
    assert "nothing to cancel" in texts(await sara.command("cancel"))

    await sara.say("my screen")
    assert "dropped that question" in texts(await sara.command("cancel"))


async def test_language_from_locale_text_and_lang_command(desk: DeskHarness) -> None:
    maryam = desk.person("Maryam", locale="fa-IR")
    greeting = await maryam.say("hello")
    assert greeting[0].lang == "fa" and "دسک‌بات" in greeting[0].text

    reza = desk.person("Reza")
    replies = await reza.say("رمز عبورم را فراموش کرده‌ام و نمی‌توانم وارد شوم")
    assert all(m.lang == "fa" for m in replies)
    assert any(b.action_id == "faq.ok" for m in replies for b in m.buttons)

    john = desk.person("John")
    await john.say("hello")
    switched = await john.command("lang", "fa")
    assert switched[0].lang == "fa" and "فارسی" in switched[0].text
    # The choice sticks, even when they write English afterwards.
    assert (await john.say("my printer is broken"))[0].lang == "fa"
    assert "en|fa" in texts(await john.command("lang", "de"))


async def test_persian_typed_with_arabic_letters_finds_the_persian_article(
    desk: DeskHarness,
) -> None:
    reza = desk.person("Reza")
    # Arabic ي and ك, no ZWNJ: how many keyboards type it.
    replies = await reza.say("رمز عبورم را فراموش كرده ام و نميتوانم وارد شوم")
    shown = await desk.rows(Suggestion)
    assert shown and shown[0].article_id.endswith("-fa")
    assert all(m.lang == "fa" for m in replies)


async def test_a_stale_button_gets_a_clear_answer(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say(PASSWORD_QUESTION)
    await sara.press("This solved it", nth=0)
    replies = await sara.press("This solved it", nth=0)
    assert "earlier question" in texts(replies)


async def test_an_unexpected_failure_gets_an_apology(
    desk: DeskHarness, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenMatcher:
        def match(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("index corrupted")

    desk.matcher = BrokenMatcher()  # type: ignore[assignment]
    desk.start()
    sara = desk.person("Sara")
    replies = await sara.say(PASSWORD_QUESTION)
    assert (
        texts(replies) == "Sorry, something went wrong on our side. Please try again in a moment."
    )
    assert "index corrupted" in caplog.text


async def test_a_requester_who_blocked_the_bot_is_marked_unreachable(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await sara.say("The coffee machine on floor three is leaking water everywhere")
    await desk.agent("Ali", "claim 1")
    desk.sender.failures.append(
        DeliveryError("Forbidden: bot was blocked by the user", permanent=True)
    )
    await desk.agent("Ali", "reply 1 Which floor exactly?")
    await desk.outbox.deliver_due()

    detail = await desk.reads.ticket(1)
    assert detail is not None
    assert detail.entries[-1].kind == "system"
    assert "can't be reached on web: Forbidden: bot was blocked" in detail.entries[-1].text
    assert "Reach them another way" in desk.agent_posts[-1].text
    assert desk.agent_posts[-1].ticket_id == 1
