"""SLA targets: parsing them, setting a ticket's due times, and which alerts are due when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest

from conversations.models import Ticket
from conversations.sla import Due, SlaPolicy, parse_duration, parse_targets, racing_due

CREATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DEFAULTS = {
    "urgent": (timedelta(minutes=30), timedelta(hours=4)),
    "high": (timedelta(hours=1), timedelta(hours=8)),
    "normal": (timedelta(hours=4), timedelta(hours=24)),
    "low": (timedelta(hours=8), timedelta(hours=72)),
}


def new_ticket(priority: str = "normal", policy: SlaPolicy | None = None) -> Ticket:
    ticket = Ticket(priority=priority, status="new", created_at=CREATED, updated_at=CREATED)
    (policy or SlaPolicy()).apply(ticket)
    return ticket


# -- durations and targets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        ("2d", timedelta(days=2)),
        ("1.5h", timedelta(minutes=90)),
        ("0.5d", timedelta(hours=12)),
        (" 45 m ", timedelta(minutes=45)),
        ("90m", timedelta(hours=1, minutes=30)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "30", "m", "30s", "-5m", "+5m", "thirty m", "1h30m", "4 hours", "4h!", ".5h", "5 5m"],
)
def test_parse_duration_refuses_what_is_no_duration(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_duration(text)
    assert str(raised.value) == f"'{text}' is not a duration like 30m, 4h or 2d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m/4h", (timedelta(minutes=30), timedelta(hours=4))),
        ("1h/8h", (timedelta(hours=1), timedelta(hours=8))),
        (" 4h / 1d ", (timedelta(hours=4), timedelta(days=1))),
        ("0.5h/1.5d", (timedelta(minutes=30), timedelta(hours=36))),
    ],
)
def test_parse_targets(text: str, expected: tuple[timedelta, timedelta]) -> None:
    assert parse_targets(text) == expected


@pytest.mark.parametrize("text", ["30m", "", "30m-4h", "30m 4h"])
def test_parse_targets_needs_both_targets(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_targets(text)
    assert str(raised.value) == f"'{text}' should be first-response/resolution, like 30m/4h"


@pytest.mark.parametrize(
    ("text", "bad"),
    [("30m/", ""), ("/4h", ""), ("30x/4h", "30x"), ("30m/4y", "4y"), ("30m/4h/1d", "4h/1d")],
)
def test_parse_targets_names_the_bad_duration(text: str, bad: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_targets(text)
    assert str(raised.value) == f"'{bad}' is not a duration like 30m, 4h or 2d"


# -- due times ----------------------------------------------------------------------------------


@pytest.mark.parametrize("priority", sorted(DEFAULTS))
def test_apply_sets_the_due_times_of_the_priority(priority: str) -> None:
    ticket = new_ticket(priority)
    first, resolution = DEFAULTS[priority]
    assert ticket.first_response_due_at == CREATED + first
    assert ticket.resolution_due_at == CREATED + resolution


def test_apply_uses_configured_targets() -> None:
    policy = SlaPolicy(
        MappingProxyType({**DEFAULTS, "high": (timedelta(minutes=20), timedelta(hours=2))})
    )
    ticket = new_ticket("high", policy)
    assert ticket.first_response_due_at == CREATED + timedelta(minutes=20)
    assert ticket.resolution_due_at == CREATED + timedelta(hours=2)


def test_an_unknown_priority_gets_the_normal_targets() -> None:
    ticket = new_ticket("whenever")
    assert ticket.first_response_due_at == CREATED + timedelta(hours=4)
    assert ticket.resolution_due_at == CREATED + timedelta(hours=24)


def test_a_priority_change_recomputes_the_due_times_from_creation() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("normal", policy)
    ticket.priority = "urgent"
    policy.apply(ticket)
    assert ticket.first_response_due_at == CREATED + timedelta(minutes=30)
    assert ticket.resolution_due_at == CREATED + timedelta(hours=4)
    ticket.priority = "low"
    policy.apply(ticket)
    assert ticket.first_response_due_at == CREATED + timedelta(hours=8)
    assert ticket.resolution_due_at == CREATED + timedelta(hours=72)


# -- alerts -------------------------------------------------------------------------------------

FIRST_DUE = CREATED + timedelta(hours=4)  # normal
RESOLUTION_DUE = CREATED + timedelta(hours=24)
FIRST_WARN = CREATED + timedelta(hours=4) * 0.8  # 3h12m
RESOLUTION_WARN = CREATED + timedelta(hours=24) * 0.8  # 19h12m


def test_nothing_is_due_before_warn_at() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("normal", policy)
    for now in (CREATED, CREATED + timedelta(hours=1), FIRST_WARN - timedelta(microseconds=1)):
        assert policy.alerts(ticket, now) == []


def test_a_warning_from_warn_at_of_the_target() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("normal", policy)
    assert FIRST_WARN == CREATED + timedelta(hours=3, minutes=12)
    for now in (FIRST_WARN, FIRST_DUE - timedelta(microseconds=1)):
        assert policy.alerts(ticket, now) == [Due("first_response", "warning", FIRST_DUE)]


def test_a_breach_from_the_due_time() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("normal", policy)
    for now in (FIRST_DUE, FIRST_DUE + timedelta(hours=3)):
        assert policy.alerts(ticket, now) == [Due("first_response", "breach", FIRST_DUE)]


def test_the_resolution_clock_warns_and_breaches_too() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("normal", policy)
    assert policy.alerts(ticket, RESOLUTION_WARN) == [
        Due("first_response", "breach", FIRST_DUE),
        Due("resolution", "warning", RESOLUTION_DUE),
    ]
    assert policy.alerts(ticket, RESOLUTION_DUE) == [
        Due("first_response", "breach", FIRST_DUE),
        Due("resolution", "breach", RESOLUTION_DUE),
    ]


def test_the_first_response_clock_stops_at_the_first_response() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("normal", policy)
    ticket.first_response_at = CREATED + timedelta(hours=1)
    assert policy.alerts(ticket, FIRST_WARN) == []
    assert policy.alerts(ticket, FIRST_DUE + timedelta(hours=1)) == []
    # The resolution clock keeps running.
    assert policy.alerts(ticket, RESOLUTION_WARN) == [Due("resolution", "warning", RESOLUTION_DUE)]
    assert racing_due(ticket) == RESOLUTION_DUE


def test_a_first_response_after_the_warning_still_stops_the_breach() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("normal", policy)
    assert policy.alerts(ticket, FIRST_WARN)
    ticket.first_response_at = FIRST_WARN + timedelta(minutes=5)
    assert policy.alerts(ticket, FIRST_DUE) == []


def test_warn_at_is_configurable() -> None:
    policy = SlaPolicy(warn_at=0.5)
    ticket = new_ticket("urgent", policy)  # 30 minutes to first response
    due = CREATED + timedelta(minutes=30)
    assert policy.alerts(ticket, CREATED + timedelta(minutes=14, seconds=59)) == []
    assert policy.alerts(ticket, CREATED + timedelta(minutes=15)) == [
        Due("first_response", "warning", due)
    ]


def test_the_warning_follows_a_priority_change() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("normal", policy)
    now = CREATED + timedelta(hours=3, minutes=30)
    assert policy.alerts(ticket, now) == [Due("first_response", "warning", FIRST_DUE)]
    ticket.priority = "low"  # 8h: warned from 6h24m
    policy.apply(ticket)
    low_due = CREATED + timedelta(hours=8)
    assert policy.alerts(ticket, now) == []
    assert policy.alerts(ticket, CREATED + timedelta(hours=6, minutes=24)) == [
        Due("first_response", "warning", low_due)
    ]


def test_a_ticket_without_due_times_has_no_alerts() -> None:
    ticket = Ticket(priority="normal", status="new", created_at=CREATED)
    assert SlaPolicy().alerts(ticket, CREATED + timedelta(days=30)) == []
    assert racing_due(ticket) is None


def test_racing_due_is_the_clock_the_ticket_races() -> None:
    policy = SlaPolicy()
    ticket = new_ticket("high", policy)
    assert racing_due(ticket) == CREATED + timedelta(hours=1)
    ticket.first_response_at = CREATED + timedelta(minutes=10)
    assert racing_due(ticket) == CREATED + timedelta(hours=8)
