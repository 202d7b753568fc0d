"""The console adapter behind ``deskbot chat``: one message per line on stdin, replies on stdout.

Buttons are numbered in the order they were shown since your last line; answer with the number
or the label. Buttons whose labels are themselves numbers (the survey's 1 to 5) are lettered
instead, so "5" always means the label 5, never the fifth button. Lines starting with ``/`` are
commands. Coming back to a conversation (``deskbot chat --name X`` again) shows what arrived
while the console was closed instead of greeting again. Being plain lines in, plain lines out, a
whole conversation can be scripted (``printf 'I forgot my password\\n1\\n' | deskbot chat``).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TextIO

from conversations.messages import (
    Button,
    ChatRef,
    Dispatch,
    InboundAction,
    InboundCommand,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
    Platform,
    UserRef,
)


def render_text(text: str) -> str:
    """The Markdown subset as plain terminal text: the markers go, the words stay."""
    for marker in ("*", "`"):
        text = text.replace(marker, "")
    return text


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Persian and Arabic-Indic digits read as the ASCII digits they are.
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def _plain(text: str) -> str:
    return text.strip().translate(_DIGITS).casefold()


class ConsoleSender:
    """Prints outbound messages, keying their buttons so a line can choose one."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.options: list[Button] = []
        self._keys: dict[str, Button] = {}
        self._sent = 0

    async def send(self, message: OutboundMessage) -> str:
        lines = [render_text(message.text)]
        # A message whose labels are numbers gets letters: "[5] 1" would invite a mistake.
        lettered = any(_plain(b.label).isdigit() for b in message.buttons)
        for button in message.buttons:
            self.options.append(button)
            key = self._next_key(lettered)
            self._keys[key] = button
            lines.append(f"  [{key}] {button.label}")
        print("\n".join(lines), file=self.out, flush=True)
        self._sent += 1
        return f"console-{self._sent}"

    def _next_key(self, lettered: bool) -> str:
        if not lettered:
            return str(sum(k.isdigit() for k in self._keys) + 1)
        used = sum(not k.isdigit() for k in self._keys)
        return _LETTERS[used % len(_LETTERS)] * (used // len(_LETTERS) + 1)

    def clear(self) -> None:
        """A line was read: the buttons shown before it are no longer on offer."""
        self.options.clear()
        self._keys.clear()

    def choose(self, line: str) -> Button | None:
        """The button a line picks: a label that is this number, else its key, else a label
        only one button has."""
        wanted = _plain(line)
        same = [b for b in self.options if _plain(b.label) == wanted]
        if wanted.isdigit() and same:
            return same[-1]
        if wanted in self._keys:
            return self._keys[wanted]
        # Several suggestions share "This solved it": the label is ambiguous, take the latest.
        return same[-1] if same else None


def parse_line(line: str, chat: ChatRef, user: UserRef, sender: ConsoleSender) -> InboundEvent:
    event_id, now = uuid.uuid4().hex, datetime.now(UTC)
    button = sender.choose(line)
    if button is not None:
        return InboundAction(event_id, chat, user, button.action_id, button.value, now)
    if line.startswith("/"):
        name, _, args = line[1:].partition(" ")
        return InboundCommand(event_id, chat, user, name.lower(), args.strip(), now)
    return InboundMessage(event_id, chat, user, line, now)


async def run_console(
    dispatch: Dispatch,
    deliver: Callable[[], Awaitable[int]],
    sender: ConsoleSender,
    *,
    user: UserRef,
    lines: TextIO = sys.stdin,
    welcome_back: str | None = None,
) -> None:
    """Feed stdin to the engine until end of input, delivering replies after each line.

    A new conversation starts with the greeting. Given ``welcome_back``, the conversation is
    resumed instead: whatever arrived for it while the console was closed is shown (agents'
    replies wait in the outbox until then), or ``welcome_back`` when nothing did."""
    chat = ChatRef(Platform.CONSOLE, user.user_id)
    if welcome_back is None:
        await dispatch(InboundCommand(uuid.uuid4().hex, chat, user, "start", "", datetime.now(UTC)))
        await deliver()
    elif not await deliver():
        print(welcome_back, file=sender.out, flush=True)
    while True:
        line = await asyncio.to_thread(lines.readline)
        if not line:
            return
        line = line.strip()
        if not line:
            continue
        event = parse_line(line, chat, user, sender)
        sender.clear()
        await dispatch(event)
        await deliver()
