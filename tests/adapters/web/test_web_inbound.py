"""The pure browser-JSON -> boundary-type functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.web.inbound import (
    InputError,
    parse_after,
    parse_agent_action,
    parse_agent_command,
    parse_agent_name,
    parse_chat_action,
    parse_chat_message,
    parse_queue_view,
    parse_ticket_id,
)
from conversations.messages import (
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundMessage,
    Platform,
    UserRef,
)

NOW = datetime(2025, 1, 2, 9, 30, tzinfo=UTC)
CHAT = "c" * 32


def test_text_becomes_a_message_from_the_chat_owner() -> None:
    event = parse_chat_message(
        CHAT, {"text": "  I forgot my password ", "event_id": "e1", "locale": "fa-IR"}, now=NOW
    )

    assert event == InboundMessage(
        event_id=f"{CHAT}:e1",
        chat=ChatRef(Platform.WEB, CHAT),
        sender=UserRef(Platform.WEB, CHAT, "Web visitor", "fa-IR"),
        text="I forgot my password",
        sent_at=NOW,
    )


def test_typed_name_is_the_display_name() -> None:
    event = parse_chat_message(CHAT, {"text": "hi", "event_id": "e1", "name": " Sara "}, now=NOW)
    assert event.sender.display_name == "Sara"
    assert event.sender.locale is None


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("/lang fa", "lang", "fa"),
        ("/HELP", "help", ""),
        ("/start", "start", ""),
        ("/note first line\nsecond line", "note", "first line\nsecond line"),
    ],
)
def test_slash_text_becomes_a_command(text: str, name: str, args: str) -> None:
    event = parse_chat_message(CHAT, {"text": text, "event_id": "e1"}, now=NOW)
    assert isinstance(event, InboundCommand)
    assert (event.name, event.args) == (name, args)
    assert event.chat == ChatRef(Platform.WEB, CHAT)


@pytest.mark.parametrize("text", ["/", "/ hello", "/123"])
def test_slash_without_a_command_name_stays_a_message(text: str) -> None:
    event = parse_chat_message(CHAT, {"text": text, "event_id": "e1"}, now=NOW)
    assert isinstance(event, InboundMessage)


def test_button_press_becomes_an_action() -> None:
    event = parse_chat_action(
        CHAT, {"action_id": "faq.solved", "value": "password-reset", "event_id": "e2"}, now=NOW
    )
    assert event == InboundAction(
        event_id=f"{CHAT}:e2",
        chat=ChatRef(Platform.WEB, CHAT),
        sender=UserRef(Platform.WEB, CHAT, "Web visitor"),
        action_id="faq.solved",
        value="password-reset",
        sent_at=NOW,
    )


def test_action_value_may_be_absent() -> None:
    event = parse_chat_action(CHAT, {"action_id": "handoff", "event_id": "e2"}, now=NOW)
    assert event.value == ""


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("claim 12", "claim", "12"),
        ("/Claim 12", "claim", "12"),
        ("reply 12 Hi,\nI reset it", "reply", "12 Hi,\nI reset it"),
        ("queue", "queue", ""),
    ],
)
def test_agent_text_becomes_a_command_in_the_agent_channel(text: str, name: str, args: str) -> None:
    event = parse_agent_command("alice", {"text": text, "event_id": "e3"}, now=NOW)
    assert event.chat == ChatRef(Platform.WEB, "agents")
    assert event.sender == UserRef(Platform.WEB, "agent:alice", "alice")
    assert (event.name, event.args) == (name, args)
    assert event.event_id == "agent:alice:e3"


def test_agent_name_is_percent_decoded() -> None:
    # What encodeURIComponent("علی") sends; browsers refuse non-Latin-1 header values.
    assert parse_agent_name("%D8%B9%D9%84%DB%8C") == "علی"
    assert parse_agent_name(" alice ") == "alice"


@pytest.mark.parametrize("header", [None, "", "   ", "%FF%FE", "a%0Ab", "x" * 81])
def test_bad_agent_names_are_refused(header: str | None) -> None:
    with pytest.raises(InputError) as raised:
        parse_agent_name(header)
    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"event_id": "e"}, 400, "'text' is required"),
        ({"text": None, "event_id": "e"}, 400, "'text' is required"),
        ({"text": 5, "event_id": "e"}, 400, "must be a string"),
        ({"text": "   ", "event_id": "e"}, 400, "empty"),
        ({"text": "x" * 4001, "event_id": "e"}, 413, "limit is 4000"),
        ({"text": "hi"}, 400, "'event_id' is required"),
        ({"text": "hi", "event_id": "a b"}, 400, "'event_id' must be"),
        ({"text": "hi", "event_id": "e", "name": 3}, 400, "'name' must be a string"),
        ({"text": "hi", "event_id": "e", "locale": "<script>"}, 400, "language tag"),
    ],
)
def test_bad_message_bodies_are_explained(body: dict, status: int, fragment: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_chat_message(CHAT, body, now=NOW)
    assert raised.value.status == status
    assert fragment in raised.value.message


def test_longest_message_is_accepted_in_any_script() -> None:
    text = "س" * 4000  # 8000 bytes of UTF-8; the limit is in characters
    event = parse_chat_message(CHAT, {"text": text, "event_id": "e"}, now=NOW)
    assert isinstance(event, InboundMessage)
    assert event.text == text


def test_action_ids_longer_than_a_button_can_carry_are_refused() -> None:
    with pytest.raises(InputError, match="64 bytes"):
        parse_chat_action(CHAT, {"action_id": "a" * 60, "value": "b" * 5, "event_id": "e"}, now=NOW)


def test_action_needs_an_action_id() -> None:
    with pytest.raises(InputError, match="'action_id' is required"):
        parse_chat_action(CHAT, {"value": "x", "event_id": "e"}, now=NOW)


def test_agent_button_press_becomes_an_action_in_the_agent_channel() -> None:
    event = parse_agent_action(
        "alice", {"action_id": "claim", "value": "12", "event_id": "b-1"}, now=NOW
    )
    assert event == InboundAction(
        event_id="agent:alice:b-1",
        chat=ChatRef(Platform.WEB, "agents"),
        sender=UserRef(Platform.WEB, "agent:alice", "alice"),
        action_id="claim",
        value="12",
        sent_at=NOW,
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"value": "12", "event_id": "e"}, "'action_id' is required"),
        ({"action_id": "", "value": "12", "event_id": "e"}, "'action_id' is required"),
        ({"action_id": 7, "value": "12", "event_id": "e"}, "'action_id' is required"),
        ({"action_id": "claim", "value": 12, "event_id": "e"}, "'value' must be a string"),
        ({"action_id": "claim", "value": "1" * 60, "event_id": "e"}, "64 bytes"),
        ({"action_id": "claim", "value": "12"}, "'event_id' is required"),
        ({"action_id": "claim", "value": "12", "event_id": "a/b"}, "'event_id' must be"),
    ],
)
def test_bad_agent_button_presses_are_explained(body: dict, fragment: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_agent_action("alice", body, now=NOW)
    assert raised.value.status == 400
    assert fragment in raised.value.message


def test_after_is_a_line_id() -> None:
    assert parse_after(None) == 0
    assert parse_after("") == 0
    assert parse_after("17") == 17
    assert parse_after("0017") == 17
    for bad in ("-1", "abc", "1.5", "٣", " 1", "+1"):
        with pytest.raises(InputError):
            parse_after(bad)


@pytest.mark.parametrize("huge", ["2147483648", "99999999999999999999", "9" * 5000])
def test_after_past_the_largest_id_is_clamped(huge: str) -> None:
    # PostgreSQL refuses parameters wider than the int4 id column, and int() refuses more than
    # 4300 digits; nothing can come after the largest id anyway.
    assert parse_after(huge) == 2**31 - 1
    assert parse_after("2147483647") == 2**31 - 1


def test_ticket_ids() -> None:
    assert parse_ticket_id("12") == 12
    assert parse_ticket_id("#12") == 12
    assert parse_ticket_id("0") is None
    assert parse_ticket_id("000") is None
    assert parse_ticket_id("2147483647") == 2**31 - 1
    assert parse_ticket_id("2147483648") is None
    assert parse_ticket_id("99999999999999999999") is None
    assert parse_ticket_id("9" * 5000) is None
    for bad in ("abc", "1e3", "-3", "١٢"):
        with pytest.raises(InputError):
            parse_ticket_id(bad)


def test_queue_views() -> None:
    assert parse_queue_view(None) == "all"
    # Every view of the queue, the same on every surface (conversations.views.QueueView).
    for view in ("all", "mine", "unassigned", "urgent", "pending", "breached"):
        assert parse_queue_view(view) == view
    with pytest.raises(InputError, match="all, mine, unassigned, urgent, pending, breached"):
        parse_queue_view("closed")
