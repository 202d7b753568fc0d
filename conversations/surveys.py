"""Satisfaction surveys: after a ticket is resolved the requester is asked to rate it 1-5 and
may add a comment. One survey per ticket; the share of tickets surveyed and a per-requester
cooldown are configurable, so nobody is asked after every little question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conversations.actions import Action, Rating
from conversations.copy import text
from conversations.messages import Button
from conversations.models import Person, Survey, Ticket
from conversations.tickets.events import EventKind

if TYPE_CHECKING:
    from conversations.tickets.workflow import Notifier

RATINGS = range(1, 6)


async def offer(n: Notifier, ticket: Ticket) -> bool:
    """Send the rating buttons to the requester, unless sampling or the cooldown says not to or
    the ticket had its survey already (a re-resolved ticket is not asked twice)."""
    workflow, store = n.workflow, n.store
    if workflow.random() >= workflow.survey_rate:
        return False
    if workflow.survey_cooldown:
        last = await store.surveys.last_sent_to(ticket.requester_id)
        if last is not None and last > store.now - workflow.survey_cooldown:
            return False
    survey = Survey(ticket_id=ticket.id, requester_id=ticket.requester_id, sent_at=store.now)
    if not await store.surveys.add(survey):
        return False
    conversation = await store.conversations.get(ticket.conversation_id)
    buttons = tuple(
        Button(
            text(conversation.lang, f"survey.rating_{score}"),
            Action.RATE,
            Rating(ticket.id, score).encode(),
        )
        for score in RATINGS
    )
    n.to_conversation(
        conversation,
        text(conversation.lang, "survey.ask", id=ticket.id),
        buttons=buttons,
        ticket_id=ticket.id,
    )
    return True


async def rate(n: Notifier, person: Person, value: str) -> Survey | None:
    """Record a rating pressed by ``person``; None if the button is not theirs, not valid, or
    the survey was answered already."""
    rating = Rating.parse(value)
    if rating is None or rating.score not in RATINGS:
        return None
    store = n.store
    survey = await store.surveys.of_ticket(rating.ticket_id)
    if survey is None or survey.requester_id != person.id or survey.rating is not None:
        return None
    survey.rating = rating.score
    survey.answered_at = store.now
    ticket = await store.tickets.get(survey.ticket_id)
    assert ticket is not None
    store.events.record(
        EventKind.SURVEY_ANSWERED,
        ticket_id=ticket.id,
        actor=person.display_name or person.platform_user_id,
        actor_key=f"{person.platform}:{person.platform_user_id}",
        to_value=str(rating.score),
    )
    n.agents(ticket, n.t("agent.rated_notice", id=ticket.id, rating=survey.rating))
    return survey


async def comment(n: Notifier, ticket_id: int, body: str) -> None:
    survey = await n.store.surveys.of_ticket(ticket_id)
    if survey is None:
        return
    survey.comment = body
    ticket = await n.store.tickets.get(ticket_id)
    assert ticket is not None
    n.agents(ticket, n.t("agent.survey_comment_notice", id=ticket_id, text=body))
