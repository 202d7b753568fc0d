"""What the event log (``ticket_events``) records. Reports are computed from these rows, so each
kind says exactly what its ``from_value`` and ``to_value`` hold (docs/architecture.md lists them).
"""

from __future__ import annotations

import enum


class EventKind(enum.StrEnum):
    CREATED = "created"  # to: "new"
    STATUS = "status"  # from -> to: ticket statuses
    ASSIGNED = "assigned"  # from -> to: owner names (None: nobody)
    PRIORITY = "priority"  # from -> to: priorities
    FIRST_RESPONSE = "first_response"  # the first time a person answered the requester
    TRANSFER = "transfer"  # from: sender, to: the agent or team offered it
    TRANSFER_ACCEPTED = "transfer_accepted"  # from: sender, to: receiver
    TRANSFER_DECLINED = "transfer_declined"  # to: who keeps it
    TRANSFER_EXPIRED = "transfer_expired"  # to: who keeps it
    MERGED = "merged"  # on the duplicate: to: "#<target id>"
    SURVEY_ANSWERED = "survey_answered"  # to: the rating 1-5
    SUGGESTION = "suggestion"  # from: the article id, to: solved | rejected | escalated | ignored
