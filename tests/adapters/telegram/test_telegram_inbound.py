"""``parse_update``: real Telegram Update JSON (as the fake builds it) -> boundary types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Update

from adapters.telegram.inbound import parse_update
from conversations.messages import (
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundMessage,
    InboundUnreachable,
    Platform,
)
from tests.fakes.telegram_api import BOT_USERNAME, FakeTelegramAPI

AGENTS = "-1001987654321"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def api() -> FakeTelegramAPI:
    api = FakeTelegramAPI()  # only its update builders: no server
    api.group(AGENTS, "Help desk agents")
    return api


def parse(data: dict[str, Any]) -> Any:
    return parse_update(
        Update.de_json(data, None), agent_chat_id=AGENTS, bot_username=BOT_USERNAME, now=NOW
    )


def test_a_private_message(api: FakeTelegramAPI) -> None:
    sara = api.user(5001, "Sara", last_name="Karimi", language_code="fa")
    update = api.text_update(5001, sara, "سلام، چاپگر کار نمی‌کند")
    event = parse(update)
    assert isinstance(event, InboundMessage)
    assert event.event_id == str(update["update_id"])
    assert event.chat == ChatRef(Platform.TELEGRAM, "5001")
    assert event.text == "سلام، چاپگر کار نمی‌کند"
    assert event.sender.user_id == "5001" and event.sender.display_name == "Sara Karimi"
    assert event.sender.locale == "fa" and event.sender.groups == frozenset()
    assert event.sent_at.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("/start", "start", ""),
        ("/start ref-42", "start", "ref-42"),
        ("/Lang  fa ", "lang", "fa"),
        (f"/help@{BOT_USERNAME}", "help", ""),
    ],
)
def test_private_commands(api: FakeTelegramAPI, text: str, name: str, args: str) -> None:
    sara = api.user(5001, "Sara")
    event = parse(api.text_update(5001, sara, text))
    assert isinstance(event, InboundCommand)
    assert (event.name, event.args) == (name, args)
    assert event.chat.thread_id is None


def test_text_that_only_looks_like_a_command_is_text(api: FakeTelegramAPI) -> None:
    sara = api.user(5001, "Sara")
    path = api.text_update(5001, sara, "/etc/hosts is broken")
    assert isinstance(parse(path), InboundMessage)
    unmarked = api.text_update(5001, sara, "/claim 1")
    unmarked["message"]["entities"] = [{"type": "url", "offset": 0, "length": 3}]
    assert isinstance(parse(unmarked), InboundMessage)


def test_an_agent_command_in_the_group(api: FakeTelegramAPI) -> None:
    ali = api.user(9001, "Ali")
    event = parse(api.text_update(AGENTS, ali, f"/resolve@{BOT_USERNAME} 12 Fixed the   driver"))
    assert isinstance(event, InboundCommand)
    assert (event.name, event.args) == ("resolve", "12 Fixed the   driver")
    assert event.chat == ChatRef(Platform.TELEGRAM, AGENTS)
    assert event.sender.groups == frozenset({f"telegram-group:{AGENTS}"})
    assert event.sender.key == "telegram:9001"


def test_a_command_for_another_bot_is_ignored(api: FakeTelegramAPI) -> None:
    ali = api.user(9001, "Ali")
    assert parse(api.text_update(AGENTS, ali, "/claim@other_bot 12")) is None


def test_agent_messages_thread_by_reply_or_topic(api: FakeTelegramAPI) -> None:
    ali = api.user(9001, "Ali")
    post = api.message(AGENTS, api.bot_user, "New ticket #1")
    reply = parse(api.text_update(AGENTS, ali, "On it", reply_to=post["message_id"]))
    assert isinstance(reply, InboundMessage)
    assert reply.chat == ChatRef(Platform.TELEGRAM, AGENTS, str(post["message_id"]))

    api.group(AGENTS, "Help desk agents", forum=True)
    topic = api._api_createForumTopic({"chat_id": AGENTS, "name": "#1"})["message_thread_id"]
    answer = api.message(AGENTS, api.bot_user, "New ticket #1", topic=topic)
    for options in ({"topic": topic}, {"topic": topic, "reply_to": answer["message_id"]}):
        in_topic = parse(api.text_update(AGENTS, ali, "Hello", **options))
        assert isinstance(in_topic, InboundMessage)
        assert in_topic.chat.thread_id == str(topic)

    chatter = parse(api.text_update(AGENTS, ali, "Coffee?"))
    assert isinstance(chatter, InboundMessage) and chatter.chat.thread_id is None


def test_a_reply_to_a_colleagues_reply_threads_under_the_root(api: FakeTelegramAPI) -> None:
    # As a plain supergroup (no topics) delivers it: the reply thread's root, the bot's ticket
    # post 41, is message_thread_id; the message replied to is Ali's note 42.
    group = {"id": int(AGENTS), "title": "Help desk agents", "type": "supergroup"}
    ali = {"id": 9001, "is_bot": False, "first_name": "Ali"}
    reza = {"id": 9002, "is_bot": False, "first_name": "Reza", "language_code": "en"}
    note = {
        "message_id": 42,
        "message_thread_id": 41,
        "from": ali,
        "chat": group,
        "date": 1764662400,
        "reply_to_message": {
            "message_id": 41,
            "from": api.bot_user,
            "chat": group,
            "date": 1764662300,
            "text": "New ticket #1",
        },
        "text": "note: facilities?",
    }
    update = {
        "update_id": 880001,
        "message": {
            "message_id": 43,
            "message_thread_id": 41,
            "from": reza,
            "chat": group,
            "date": 1764662460,
            "reply_to_message": note,
            "text": "Sara, facilities are on the way",
        },
    }
    event = parse(update)
    assert isinstance(event, InboundMessage)
    assert event.chat == ChatRef(Platform.TELEGRAM, AGENTS, "41")

    # The note itself replies to the bot's post: that post is its thread.
    assert parse({"update_id": 880000, "message": note}).chat.thread_id == "41"


def test_relay_does_not_depend_on_forward_from(api: FakeTelegramAPI) -> None:
    ali = api.user(9001, "Ali")
    relayed = api.message(AGENTS, api.bot_user, "*#1* Sara: help")
    update = api.text_update(AGENTS, ali, "Try again now", reply_to=relayed["message_id"])
    assert "forward_origin" not in update["message"]["reply_to_message"]
    event = parse(update)
    assert event.chat.thread_id == str(relayed["message_id"])


def test_captions_and_file_names_become_text(api: FakeTelegramAPI) -> None:
    sara = api.user(5001, "Sara")

    def text_of(**message: Any) -> str | None:
        event = parse(api.update(message=api.message(5001, sara, **message)))
        return event.text if event is not None else None

    assert text_of(caption="The error", photo=True) == "The error\n[photo]"
    assert text_of(photo=True) == "[photo]"
    assert text_of(document="vpn-log.txt") == "[file: vpn-log.txt]"
    assert text_of(caption="Log attached", document="vpn.log") == "Log attached\n[file: vpn.log]"


def test_what_carries_no_words_is_ignored(api: FakeTelegramAPI) -> None:
    sara = api.user(5001, "Sara")
    sticker = api.message(5001, sara)
    sticker["sticker"] = {
        "file_id": "CAACAgIAAx",
        "file_unique_id": "AgADsA",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    assert parse(api.update(message=sticker)) is None
    joined = api.message(AGENTS, sara)
    joined["new_chat_members"] = [sara]
    assert parse(api.update(message=joined)) is None


def test_bots_and_strange_groups_are_ignored(api: FakeTelegramAPI) -> None:
    other_bot = {"id": 42, "is_bot": True, "first_name": "Other"}
    assert parse(api.text_update(AGENTS, other_bot, "/claim 1")) is None
    api.group(-100555, "Some other group")
    sara = api.user(5001, "Sara")
    assert parse(api.text_update(-100555, sara, "I forgot my password")) is None
    edited = api.update(edited_message=api.message(5001, sara, "typo"))
    assert parse(edited) is None


def test_button_presses(api: FakeTelegramAPI) -> None:
    sara = api.user(5001, "Sara", language_code="en")
    suggestion = api._api_sendMessage(
        {
            "chat_id": "5001",
            "text": "Reset your password",
            "reply_markup": {
                "inline_keyboard": [
                    [
                        {"text": "This solved it", "callback_data": "faq.ok|17"},
                        {"text": "High", "callback_data": "prio|3:high|x"},
                        {"text": "Talk", "callback_data": "human"},
                    ]
                ]
            },
        }
    )
    update = api.callback_update(sara, suggestion, "faq.ok|17")
    event = parse(update)
    assert isinstance(event, InboundAction)
    assert (event.action_id, event.value) == ("faq.ok", "17")
    assert event.event_id == str(update["update_id"]) and event.sent_at == NOW
    assert event.chat == ChatRef(Platform.TELEGRAM, "5001")
    assert event.sender.locale == "en" and not event.sender.groups

    # Everything after the first separator is the value; no separator means no value.
    assert parse(api.callback_update(sara, suggestion, "prio|3:high|x")).value == "3:high|x"
    assert parse(api.callback_update(sara, suggestion, "human")).value == ""


def test_a_press_in_the_agent_group(api: FakeTelegramAPI) -> None:
    ali = api.user(9001, "Ali")
    post = api._api_sendMessage(
        {
            "chat_id": AGENTS,
            "text": "New ticket #3",
            "reply_markup": {"inline_keyboard": [[{"text": "Claim", "callback_data": "claim|3"}]]},
        }
    )
    event = parse(api.callback_update(ali, post, "claim|3"))
    assert isinstance(event, InboundAction)
    assert (event.action_id, event.value) == ("claim", "3")
    assert event.chat == ChatRef(Platform.TELEGRAM, AGENTS)
    assert event.sender.groups == frozenset({f"telegram-group:{AGENTS}"})


def _membership(api: FakeTelegramAPI, chat: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    # As the Bot API documents ChatMemberUpdated: the bot's own membership, before and after.
    person = {"id": 7001, "is_bot": False, "first_name": "Sara", "language_code": "en"}
    bot = {k: v for k, v in api.bot_user.items() if k in ("id", "is_bot", "first_name", "username")}

    def member(status: str) -> dict[str, Any]:
        # A "kicked" member always carries until_date; 0 is for good.
        return {"status": status, "user": bot} | ({"until_date": 0} if status == "kicked" else {})

    return {
        "update_id": 990001,
        "my_chat_member": {
            "chat": chat,
            "from": person,
            "date": 1764662400,
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        },
    }


def test_a_customer_blocking_the_bot_is_unreachable(api: FakeTelegramAPI) -> None:
    private = {"id": 7001, "type": "private", "first_name": "Sara"}
    event = parse(_membership(api, private, "member", "kicked"))
    assert isinstance(event, InboundUnreachable)
    assert event.chat == ChatRef(Platform.TELEGRAM, "7001")
    assert event.sender.user_id == "7001" and event.reason == "they blocked the bot"
    assert event.event_id == "990001"

    # Unblocking, or the bot's membership of a group changing, needs nothing from the desk.
    assert parse(_membership(api, private, "kicked", "member")) is None
    group = {"id": -100555, "type": "supergroup", "title": "Somewhere"}
    assert parse(_membership(api, group, "member", "kicked")) is None
