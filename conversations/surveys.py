"""Satisfaction surveys: after a ticket is resolved the requester is asked to rate it 1-5 and
may add a comment. One survey per ticket; the share of tickets surveyed and a per-requester
cooldown are configurable, so nobody is asked after every little question."""

from __future__ import annotations

from conversations.copy import text
from conversations.messages import Button
from conversations.models import Survey, Ticket
from conversations.repository import Repository
from conversations.tickets import Notifier

RATINGS = range(1, 6)


async def offer(repo: Repository, notify: Notifier, ticket: Ticket) -> bool:
    """Send the rating buttons to the requester, unless sampling or the cooldown says not to or
    the ticket had its survey already (a re-resolved ticket is not asked twice)."""
    workflow = notify.workflow
    if workflow.random() >= workflow.survey_rate:
        return False
    if workflow.survey_cooldown:
        last = await repo.last_survey_sent(ticket.requester_id)
        if last is not None and last > repo.now - workflow.survey_cooldown:
            return False
    survey = Survey(ticket_id=ticket.id, requester_id=ticket.requester_id, sent_at=repo.now)
    if not await repo.add_survey(survey):
        return False
    conversation = await repo.conversation_by_id(ticket.conversation_id)
    buttons = tuple(
        Button(text(conversation.lang, f"survey.rating_{n}"), "rate", f"{ticket.id}:{n}")
        for n in RATINGS
    )
    notify.to_conversation(
        conversation,
        text(conversation.lang, "survey.ask", id=ticket.id),
        buttons=buttons,
        ticket_id=ticket.id,
    )
    return True


async def rate(repo: Repository, notify: Notifier, requester_id: int, value: str) -> Survey | None:
    """Record a rating pressed by ``requester_id``; None if the button is not theirs, not
    valid, or the survey was answered already."""
    number, _, score = value.partition(":")
    if not (number.isdigit() and score.isdigit() and int(score) in RATINGS):
        return None
    survey = await repo.survey_for(int(number))
    if survey is None or survey.requester_id != requester_id or survey.rating is not None:
        return None
    survey.rating = int(score)
    survey.answered_at = repo.now
    ticket = await repo.ticket(survey.ticket_id)
    assert ticket is not None
    notify.agents(ticket, notify.t("agent.rated_notice", id=ticket.id, rating=survey.rating))
    return survey


async def comment(repo: Repository, notify: Notifier, ticket_id: int, body: str) -> None:
    survey = await repo.survey_for(ticket_id)
    if survey is None:
        return
    survey.comment = body
    ticket = await repo.ticket(ticket_id)
    assert ticket is not None
    notify.agents(ticket, notify.t("agent.survey_comment_notice", id=ticket_id, text=body))
