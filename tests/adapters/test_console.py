"""The console adapter behind ``deskbot chat``: keyed buttons and resuming a conversation.

The sender prints to a buffer and the engine is a recording stand-in: what is tested is how a
typed line picks a button and what the console shows when it opens.
"""

from __future__ import annotations

import io

import pytest

from adapters.console import ConsoleSender, parse_line, run_console
from conversations.messages import (
    Button,
    ChatRef,
    InboundAction,
    InboundCommand,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
    Platform,
    Reply,
    UserRef,
)

SARA = UserRef(Platform.CONSOLE, "Sara", "Sara")
CHAT = ChatRef(Platform.CONSOLE, "Sara")
# As the survey offers them: the worst first, so the fifth button is the rating 1.
RATINGS = tuple(Button(str(n), "rate", str(n)) for n in (1, 2, 3, 4, 5))
SUGGESTIONS = (Button("This solved it", "faq.ok", "a"), Button("Not this", "faq.no", "a"))


async def shown(sender: ConsoleSender, *buttons: Button, text: str = "Pick one") -> str:
    before = sender.out.getvalue() if isinstance(sender.out, io.StringIO) else ""
    await sender.send(OutboundMessage(CHAT, text, buttons))
    assert isinstance(sender.out, io.StringIO)
    return sender.out.getvalue()[len(before) :]


async def test_numbered_labels_get_letters_so_a_typed_number_means_the_label() -> None:
    sender = ConsoleSender(io.StringIO())
    printed = await shown(sender, *reversed(RATINGS))

    assert "[a] 5" in printed and "[e] 1" in printed and "[5]" not in printed
    assert sender.choose("5") == RATINGS[4]
    assert sender.choose("1") == RATINGS[0]
    assert sender.choose("e") == RATINGS[0]


async def test_persian_digits_choose_the_same_rating() -> None:
    sender = ConsoleSender(io.StringIO())
    await shown(sender, *RATINGS)

    assert sender.choose("۴") == RATINGS[3]


async def test_word_labels_keep_numbers_and_can_be_typed() -> None:
    sender = ConsoleSender(io.StringIO())
    printed = await shown(sender, *SUGGESTIONS)

    assert "[1] This solved it" in printed and "[2] Not this" in printed
    assert sender.choose("2") == SUGGESTIONS[1]
    assert sender.choose("this SOLVED it") == SUGGESTIONS[0]
    assert sender.choose("3") is None


async def test_keys_restart_after_each_line_read() -> None:
    sender = ConsoleSender(io.StringIO())
    await shown(sender, *SUGGESTIONS)
    sender.clear()
    assert sender.choose("1") is None
    printed = await shown(sender, *SUGGESTIONS)
    assert "[1] This solved it" in printed


@pytest.mark.parametrize(
    ("line", "kind"),
    [("5", InboundAction), ("/ticket", InboundCommand), ("my printer is on fire", InboundMessage)],
)
async def test_a_line_is_a_button_a_command_or_a_message(line: str, kind: type) -> None:
    sender = ConsoleSender(io.StringIO())
    await shown(sender, *RATINGS)

    event = parse_line(line, CHAT, SARA, sender)

    assert isinstance(event, kind)
    if isinstance(event, InboundAction):
        assert (event.action_id, event.value) == ("rate", "5")


class Engine:
    """Records what the console dispatched; answers nothing (replies go through the outbox)."""

    def __init__(self) -> None:
        self.events: list[InboundEvent] = []

    async def dispatch(self, event: InboundEvent) -> Reply | None:
        self.events.append(event)
        return None


async def open_console(
    welcome_back: str | None, waiting: list[str], lines: str
) -> tuple[Engine, str]:
    engine, out = Engine(), io.StringIO()
    sender = ConsoleSender(out)

    async def deliver() -> int:
        for text in waiting:
            await sender.send(OutboundMessage(CHAT, text))
        sent, waiting[:] = len(waiting), []
        return sent

    await run_console(
        engine.dispatch,
        deliver,
        sender,
        user=SARA,
        lines=io.StringIO(lines),
        welcome_back=welcome_back,
    )
    return engine, out.getvalue()


async def test_a_new_conversation_starts_with_the_greeting() -> None:
    engine, _ = await open_console(None, [], "")

    assert [type(e) for e in engine.events] == [InboundCommand]
    assert isinstance(engine.events[0], InboundCommand) and engine.events[0].name == "start"


async def test_coming_back_shows_what_arrived_and_does_not_greet_again() -> None:
    engine, out = await open_console("Welcome back.", ["Ali: try turning it off and on"], "")

    assert engine.events == []
    assert "Ali: try turning it off and on" in out
    assert "Welcome back." not in out


async def test_coming_back_to_nothing_new_says_so() -> None:
    engine, out = await open_console("Welcome back.", [], "thanks\n")

    assert out.startswith("Welcome back.")
    assert [type(e) for e in engine.events] == [InboundMessage]


def test_events_carry_the_console_chat() -> None:
    event = parse_line("hello", CHAT, SARA, ConsoleSender(io.StringIO()))
    assert event.chat == CHAT and event.sender == SARA
