"""Service-level targets: how soon a ticket must get its first response and its resolution.

Targets depend on the priority (configurable, defaults below) and run from the ticket's creation,
in wall-clock time. The agent channel gets a warning when ``warn_at`` of a target has elapsed and
a notice at the breach; each is recorded in ``sla_alerts`` under a unique constraint before it is
sent, so it goes out once however many processes check and however often they restart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from conversations.models import Ticket

_DEFAULTS = {
    "urgent": (timedelta(minutes=30), timedelta(hours=4)),
    "high": (timedelta(hours=1), timedelta(hours=8)),
    "normal": (timedelta(hours=4), timedelta(hours=24)),
    "low": (timedelta(hours=8), timedelta(hours=72)),
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a duration like 30m, 4h or 2d")
    duration = timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})
    if not duration:
        raise ValueError(f"'{text}': a target of zero would breach every ticket at once")
    return duration


def parse_targets(text: str) -> tuple[timedelta, timedelta]:
    """``"30m/4h"``: first response within 30 minutes, resolution within 4 hours."""
    first, sep, resolution = text.partition("/")
    if not sep:
        raise ValueError(f"'{text}' should be first-response/resolution, like 30m/4h")
    return parse_duration(first), parse_duration(resolution)


@dataclass(frozen=True, slots=True)
class Due:
    """One SLA clock of a ticket that needs an alert now."""

    target: str  # first_response | resolution
    stage: str  # warning | breach
    due_at: datetime


@dataclass(frozen=True)
class SlaPolicy:
    targets: Mapping[str, tuple[timedelta, timedelta]] = field(
        default_factory=lambda: MappingProxyType(dict(_DEFAULTS))
    )
    warn_at: float = 0.8  # share of the target elapsed when the warning goes out

    def apply(self, ticket: Ticket) -> None:
        """Set the ticket's due times from its priority (on creation and priority changes)."""
        first, resolution = self.targets.get(ticket.priority, _DEFAULTS["normal"])
        ticket.first_response_due_at = ticket.created_at + first
        ticket.resolution_due_at = ticket.created_at + resolution

    def alerts(self, ticket: Ticket, now: datetime) -> list[Due]:
        """The alerts a ticket is due now (the caller skips those already sent)."""
        clocks = []
        if ticket.first_response_at is None and ticket.first_response_due_at is not None:
            clocks.append(("first_response", ticket.first_response_due_at))
        if ticket.resolution_due_at is not None:
            clocks.append(("resolution", ticket.resolution_due_at))
        due = []
        for target, due_at in clocks:
            warn_from = ticket.created_at + (due_at - ticket.created_at) * self.warn_at
            if now >= due_at:
                due.append(Due(target, "breach", due_at))
            elif now >= warn_from:
                due.append(Due(target, "warning", due_at))
        return due


def racing_due(ticket: Ticket) -> datetime | None:
    """The SLA time the ticket is racing now: its first response until it has had one, then its
    resolution."""
    if ticket.first_response_at is None and ticket.first_response_due_at is not None:
        return ticket.first_response_due_at
    return ticket.resolution_due_at
