"""Engine views -> the JSON the browser pages read.

The Markdown subset in ``text`` is left as it is: the pages render it into DOM nodes themselves
(``static/markdown.js``), so the server never builds HTML out of user text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conversations.messages import Button, Reply
from conversations.reports.period import Period
from conversations.views import ChatLine, TicketDetail, TicketEntry, TicketView


def render_time(at: datetime) -> str:
    """ISO 8601 with an offset, which ``new Date(...)`` reads everywhere."""
    if at.tzinfo is None:  # the boundary promises UTC; do not let a slip turn into local time
        at = at.replace(tzinfo=UTC)
    return at.isoformat()


def render_button(button: Button) -> dict[str, Any]:
    return {
        "label": button.label,
        "action_id": button.action_id,
        "value": button.value,
        "style": button.style,
    }


def render_chat_line(line: ChatLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "direction": line.direction,
        "text": line.text,
        "buttons": [render_button(button) for button in line.buttons],
        "lang": line.lang,
        "at": render_time(line.at),
    }


def render_transcript(lines: list[ChatLine]) -> dict[str, Any]:
    return {"lines": [render_chat_line(line) for line in lines]}


def render_ticket_view(ticket: TicketView) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "requester_name": ticket.requester_name,
        "channel": str(ticket.channel),
        "assignee_name": ticket.assignee_name,
        "lang": ticket.lang,
        "created_at": render_time(ticket.created_at),
        "updated_at": render_time(ticket.updated_at),
    }


def render_period(period: Period) -> dict[str, str]:
    """As a report spells its period: ``{"from": "2026-11-03", "to": "2026-11-03"}``."""
    return {"from": period.first.isoformat(), "to": period.last.isoformat()}


def render_queue(tickets: list[TicketView]) -> dict[str, Any]:
    return {"tickets": [render_ticket_view(ticket) for ticket in tickets]}


def render_ticket_entry(entry: TicketEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "author": entry.author,
        "text": entry.text,
        "at": render_time(entry.at),
    }


def render_ticket_detail(detail: TicketDetail) -> dict[str, Any]:
    return {
        "ticket": render_ticket_view(detail.ticket),
        "description": detail.description,
        "faqs_tried": list(detail.faqs_tried),
        "entries": [render_ticket_entry(entry) for entry in detail.entries],
    }


def render_reply(reply: Reply | None) -> dict[str, Any]:
    if reply is None:  # the engine had nothing to say back; the command still ran
        return {"text": "", "ok": True}
    return {"text": reply.text, "ok": reply.ok}
