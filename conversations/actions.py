"""The buttons Deskbot offers, as typed ids and values.

A ``Button`` carries an ``action_id`` and a short ``value`` that come back verbatim in an
``InboundAction`` (Telegram allows 64 bytes for both). Requester buttons are ``Action``s handled
by the requester flow; agent-channel buttons are ``AgentAction``s, each the name of the agent
command it runs with the ticket number as its argument. ``encode``/``parse`` pairs keep the
values' format in one place; ``parse_*`` returns None for a value that is not well formed (a
stale or forged button).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Action(enum.StrEnum):
    FAQ_SOLVED = "faq.ok"  # value: suggestion id
    FAQ_REJECTED = "faq.no"  # value: suggestion id
    HUMAN = "human"  # no value
    PRIORITY = "prio"  # value: PriorityChoice
    RATE = "rate"  # value: Rating
    RATE_SKIP = "rate.skip"  # no value


class AgentAction(enum.StrEnum):
    """Agent-channel buttons: each runs the agent command of the same name on the ticket."""

    CLAIM = "claim"
    ACCEPT = "accept"
    DECLINE = "decline"
    RESOLVE = "resolve"


def _pair(value: str) -> tuple[int, str] | None:
    number, _, rest = value.partition(":")
    if not (number.isascii() and number.isdigit()) or len(number) > 9 or not rest:
        return None
    return int(number), rest


@dataclass(frozen=True, slots=True)
class PriorityChoice:
    ticket_id: int
    level: str

    def encode(self) -> str:
        return f"{self.ticket_id}:{self.level}"

    @classmethod
    def parse(cls, value: str) -> PriorityChoice | None:
        pair = _pair(value)
        return cls(*pair) if pair else None


@dataclass(frozen=True, slots=True)
class Rating:
    ticket_id: int
    score: int

    def encode(self) -> str:
        return f"{self.ticket_id}:{self.score}"

    @classmethod
    def parse(cls, value: str) -> Rating | None:
        pair = _pair(value)
        if pair is None or not (pair[1].isascii() and pair[1].isdigit()) or len(pair[1]) > 2:
            return None
        return cls(pair[0], int(pair[1]))


def parse_id(value: str) -> int | None:
    """A suggestion or ticket id carried as a button value."""
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None
