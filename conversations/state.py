"""Where a requester's conversation is (``ConversationState``), stored on ``Conversation``.

    idle            -> a question arrives: suggest FAQs, ask for detail, or open a ticket
    awaiting_detail -> the question was too short; the next message completes it
    suggesting      -> FAQ suggestions are shown; buttons answer them
    describing      -> "Talk to a person" was pressed before any question; the next message
                       opens a ticket
    survey_comment  -> a rating was given; the next message is its comment

The question collected so far is ``Conversation.question`` (awaiting_detail, suggesting); the
ticket being commented on is ``Conversation.survey_ticket_id`` (survey_comment). Each piece of
state has its own typed column: nothing is parsed back out of a string.
"""

from __future__ import annotations

import enum


class ConversationState(enum.StrEnum):
    IDLE = "idle"
    AWAITING_DETAIL = "awaiting_detail"
    SUGGESTING = "suggesting"
    DESCRIBING = "describing"
    SURVEY_COMMENT = "survey_comment"
