"""After the ticket: satisfaction surveys (rating, comment, sampling, cooldown) and what agents'
answers teach the knowledge base (article links), on every configured database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from conversations.messages import InboundAction, OutboundMessage
from conversations.models import ArticleLink, Conversation, Survey
from tests.harness import COFFEE, DeskHarness, Person, coffee, texts

FRIDGE = "The fridge in the kitchen smells of old fish again"
STALE = "That button belongs to an earlier question. Just write what you need."
ASK = "How did we do on ticket *#{id}*? 1 is poor, 5 is excellent."
THANKS = "Thank you! Anything you'd like to add? Write it now, or press Skip."
COMMENT_THANKS = "Thanks for the feedback."


async def state_of(person: Person) -> str:
    async with person.desk.sessions() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.chat_id == person.chat.chat_id)
        )
        assert conversation is not None
        return conversation.state


def survey_asks(messages: list[OutboundMessage]) -> list[OutboundMessage]:
    return [m for m in messages if m.text.startswith("How did we do on ticket")]


async def resolved(desk: DeskHarness, person: Person, description: str = COFFEE) -> int:
    """``person`` opens a ticket and Ali resolves it; what they were told is read."""
    number = await person.open_ticket(description)
    assert (await desk.agent("Ali", f"resolve {number} Replaced the valve")).ok
    return number


async def press_as(desk: DeskHarness, person: Person, action: str, value: str) -> None:
    """``person`` presses a button with this action and value in their own chat."""
    await desk.dispatch(
        InboundAction(uuid.uuid4().hex, person.chat, person.user, action, value, desk.clock())
    )


# -- the survey -----------------------------------------------------------------------------------


async def test_resolving_offers_the_requester_a_rating_from_1_to_5(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()

    await desk.agent("Ali", f"resolve {number} Replaced the valve")

    told = await sara.read()
    assert f"Ticket *#{number}* is resolved: Replaced the valve" in told[0].text
    (ask,) = survey_asks(told)
    assert ask.text == ASK.format(id=number)
    assert [(b.label, b.action_id, b.value) for b in ask.buttons] == [
        (str(n), "rate", f"{number}:{n}") for n in range(1, 6)
    ]
    (survey,) = await desk.rows(Survey)
    assert (survey.ticket_id, survey.rating, survey.comment) == (number, None, None)
    assert survey.sent_at == desk.clock() and survey.answered_at is None
    assert survey.requester_id == (await desk.ticket_row(number)).requester_id


async def test_a_rating_is_stored_thanked_for_and_told_to_the_agents(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await resolved(desk, sara)
    await sara.read()
    desk.clock.advance(minutes=5)

    replies = await sara.press("4")

    assert [m.text for m in replies] == [THANKS]
    assert [(b.label, b.action_id) for b in replies[0].buttons] == [("Skip", "rate.skip")]
    (survey,) = await desk.rows(Survey)
    assert (survey.rating, survey.answered_at, survey.comment) == (4, desk.clock(), None)
    assert desk.agent_posts[-1].text == f"*#{number}* rated 4/5 by the requester."
    assert desk.agent_posts[-1].ticket_id == number


async def test_the_next_message_is_the_comment_and_does_not_reopen(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await resolved(desk, sara)
    await sara.press("5")

    replies = await sara.say("Quick and friendly, thank you")

    assert [m.text for m in replies] == [COMMENT_THANKS]
    (survey,) = await desk.rows(Survey)
    assert (survey.rating, survey.comment) == (5, "Quick and friendly, thank you")
    assert (await desk.ticket_row(number)).status == "resolved"
    assert desk.agent_posts[-1].text == f"*#{number}* survey comment: Quick and friendly, thank you"
    assert await state_of(sara) == "idle"

    # The survey is over: what she writes next is about the ticket again.
    replies = await sara.say("Oh no, it is leaking again")
    assert f"Ticket *#{number}* is open again" in texts(replies)
    assert (await desk.ticket_row(number)).status == "open"
    assert (await desk.rows(Survey))[0].comment == "Quick and friendly, thank you"


async def test_skip_ends_the_survey_without_a_comment(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await resolved(desk, sara)
    await sara.press("3")

    replies = await sara.press("Skip")

    assert [m.text for m in replies] == [COMMENT_THANKS]
    assert await state_of(sara) == "idle"
    replies = await sara.say("It is leaking again")
    assert f"Ticket *#{number}* is open again" in texts(replies)
    (survey,) = await desk.rows(Survey)
    assert (survey.rating, survey.comment) == (3, None)


async def test_a_rating_left_without_a_comment_does_not_swallow_a_later_question(
    desk: DeskHarness,
) -> None:
    """Most people press a rating and leave. "Write it now" does not mean next week: once the
    ticket is closed, what they write is a new question again."""
    desk.configure(close_after=timedelta(hours=1))
    sara = desk.person("Sara")
    number = await resolved(desk, sara)
    await sara.press("5")  # ...and nothing more
    desk.clock.advance(days=7)
    await desk.tick()
    assert (await desk.ticket_row(number)).status == "closed"

    replies = await sara.say(FRIDGE)

    assert COMMENT_THANKS not in texts(replies)
    assert "ticket *#2*" in texts(replies)
    assert (await desk.ticket_row(2)).description == FRIDGE
    assert (await desk.rows(Survey))[0].comment is None


async def test_once_an_agent_reopens_the_ticket_the_requesters_answer_joins_it(
    desk: DeskHarness,
) -> None:
    """A poor rating is a reason to follow up: when the agent re-opens the ticket and asks, the
    answer belongs to the ticket, not to the survey."""
    sara = desk.person("Sara")
    number = await resolved(desk, sara)
    await sara.press("1")
    await desk.agent("Ali", f"reopen {number}")
    await desk.agent("Ali", f"reply {number} Sorry to hear that. Is it still leaking?")
    await sara.read()

    replies = await sara.say("Yes, there is a puddle under it every morning")

    assert COMMENT_THANKS not in texts(replies)
    assert desk.agent_posts[-1].text == (
        f"*#{number}* Sara: Yes, there is a puddle under it every morning"
    )
    detail = await desk.reads.ticket(number)
    assert detail is not None
    assert detail.entries[-1].text == "Yes, there is a puddle under it every morning"
    assert (await desk.rows(Survey))[0].comment is None


async def test_one_survey_per_ticket(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await resolved(desk, sara)
    assert len(survey_asks(await sara.read())) == 1

    await sara.say("It is leaking again")  # re-opens
    await desk.agent("Ali", f"resolve {number} Replaced the whole pump")
    assert survey_asks(await sara.read()) == []

    assert (await desk.agent("Ali", f"reopen {number}")).ok
    await desk.agent("Ali", f"resolve {number}")
    assert survey_asks(await sara.read()) == []
    assert [s.ticket_id for s in await desk.rows(Survey)] == [number]


@pytest.mark.parametrize(("draw", "asked"), [(0.7, False), (0.5, False), (0.3, True), (0.0, True)])
async def test_sampling_decides_who_is_asked(desk: DeskHarness, draw: float, asked: bool) -> None:
    desk.configure(survey_rate=0.5, random=lambda: draw)
    sara = desk.person("Sara")
    await resolved(desk, sara)
    told = await sara.read()
    assert len(survey_asks(told)) == int(asked)
    assert len(await desk.rows(Survey)) == int(asked)
    assert "is resolved" in texts(told)  # the resolution itself always goes out


async def test_a_survey_rate_of_zero_asks_nobody(desk: DeskHarness) -> None:
    desk.configure(survey_rate=0.0)
    sara = desk.person("Sara")
    await resolved(desk, sara)
    assert survey_asks(await sara.read()) == []


async def test_the_cooldown_spares_a_requester_asked_recently(desk: DeskHarness) -> None:
    desk.configure(survey_cooldown=timedelta(days=7), close_after=timedelta(hours=1))
    sara, omid = desk.person("Sara"), desk.person("Omid")
    first_asked = desk.clock()
    await resolved(desk, sara, coffee(1))
    assert len(survey_asks(await sara.read())) == 1

    desk.clock.advance(days=6)
    second = await resolved(desk, sara, coffee(2))
    assert survey_asks(await sara.read()) == []
    # The cooldown is per requester: Omid was never asked.
    await resolved(desk, omid, FRIDGE)
    assert len(survey_asks(await omid.read())) == 1

    desk.clock.now = first_asked + timedelta(days=7, minutes=1)
    third = await resolved(desk, sara, coffee(3))
    (ask,) = survey_asks(await sara.read())
    assert ask.text == ASK.format(id=third)
    assert second not in [s.ticket_id for s in await desk.rows(Survey)]


async def test_a_rating_pressed_twice_is_stale(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await resolved(desk, sara)
    await sara.press("5")
    await sara.press("Skip")
    posts = len(desk.agent_posts)

    for label in ("5", "1"):
        assert texts(await sara.press(label)) == STALE

    (survey,) = await desk.rows(Survey)
    assert survey.rating == 5
    assert len(desk.agent_posts) == posts  # the agents were told once
    assert await state_of(sara) == "idle"


async def test_a_rating_pressed_again_before_the_comment_is_stale(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    await resolved(desk, sara)
    await sara.press("2")
    assert texts(await sara.press("4")) == STALE
    await sara.say("Took a while")
    (survey,) = await desk.rows(Survey)
    assert (survey.rating, survey.comment) == (2, "Took a while")


async def test_someone_elses_rating_button_is_stale(desk: DeskHarness) -> None:
    sara, omid = desk.person("Sara"), desk.person("Omid")
    number = await resolved(desk, sara)
    await omid.say("hello")
    await omid.read()
    posts = len(desk.agent_posts)

    await press_as(desk, omid, "rate", f"{number}:1")

    assert texts(await omid.read()) == STALE
    (survey,) = await desk.rows(Survey)
    assert survey.rating is None and survey.answered_at is None
    assert len(desk.agent_posts) == posts
    assert await state_of(omid) != "survey_comment"
    # Sara's own buttons still work.
    assert (await sara.press("4"))[-1].text == THANKS


@pytest.mark.parametrize("value", ["", "1", "1:", "1:0", "1:6", "x:3", "99:3", "1:five"])
async def test_a_malformed_rating_is_stale(desk: DeskHarness, value: str) -> None:
    sara = desk.person("Sara")
    await resolved(desk, sara)
    await sara.read()
    await press_as(desk, sara, "rate", value)
    assert texts(await sara.read()) == STALE
    assert (await desk.rows(Survey))[0].rating is None


# -- knowledge sharing ----------------------------------------------------------------------------


async def test_answering_with_an_article_links_it_to_the_question(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket()
    await sara.read()

    reply = await desk.agent("Ali", f"faq {number} password-reset")

    assert reply.ok and reply.text == f"Article password-reset sent to the requester of #{number}."
    (link,) = await desk.rows(ArticleLink)
    assert (link.ticket_id, link.article_id, link.question, link.source, link.agent) == (
        number,
        "password-reset",
        COFFEE,
        "faq",
        "Ali",
    )
    assert link.created_at == desk.clock()
    told = texts(await sara.read())
    assert f"*Ali* (ticket #{number}) sent you an article:" in told
    assert "How do I change or reset my password?" in told


async def test_resolving_with_an_article_links_it_and_keeps_the_summary(
    desk: DeskHarness,
) -> None:
    sara = desk.person("Sara")
    number = await sara.open_ticket(FRIDGE)
    await sara.read()

    reply = await desk.agent("Bea", f"resolve {number} password-reset Reset it for her")

    assert reply.ok
    (link,) = await desk.rows(ArticleLink)
    assert (link.ticket_id, link.article_id, link.question, link.source, link.agent) == (
        number,
        "password-reset",
        FRIDGE,
        "resolve",
        "Bea",
    )
    assert (await desk.ticket_row(number)).resolution == "Reset it for her"
    assert f"Ticket *#{number}* is resolved: Reset it for her" in texts(await sara.read())


async def test_the_question_linked_is_the_whole_question_asked(desk: DeskHarness) -> None:
    """A question completed after "tell me more" is linked as the requester put it together."""
    sara = desk.person("Sara")
    await sara.say("coffee machine")
    number = await sara.open_ticket("it is leaking water on the third floor kitchen")
    await desk.agent("Ali", f"faq {number} password-reset")
    (link,) = await desk.rows(ArticleLink)
    assert link.question == (await desk.ticket_row(number)).description
    assert link.question.startswith("coffee machine\n")


async def test_no_link_without_a_known_article(desk: DeskHarness) -> None:
    sara = desk.person("Sara")
    first = await sara.open_ticket(coffee(1))
    reply = await desk.agent("Ali", f"faq {first} no-such-article")
    assert not reply.ok
    assert reply.text == "There is no knowledge-base article 'no-such-article'."

    # A summary whose first word is no article id is all summary.
    await desk.agent("Ali", f"resolve {first} Replaced the valve")
    assert (await desk.ticket_row(first)).resolution == "Replaced the valve"
    assert await desk.rows(ArticleLink) == []
