"""The console adapter behind ``deskbot chat``: one message per line on stdin, replies on stdout.

Buttons are numbered in the order they were shown since your last line; answer with the number
or the label. Lines starting with ``/`` are commands. Being plain lines in, plain lines out, a
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


class ConsoleSender:
    """Prints outbound messages, numbering their buttons so a line can choose one."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self._out = out
        self.options: list[Button] = []
        self._sent = 0

    async def send(self, message: OutboundMessage) -> str:
        lines = [render_text(message.text)]
        for button in message.buttons:
            self.options.append(button)
            lines.append(f"  [{len(self.options)}] {button.label}")
        print("\n".join(lines), file=self._out, flush=True)
        self._sent += 1
        return f"console-{self._sent}"

    def choose(self, line: str) -> Button | None:
        """The button a line picks: by its number, or by a label only one button has."""
        if line.isdigit() and 1 <= int(line) <= len(self.options):
            return self.options[int(line) - 1]
        same = [b for b in self.options if b.label.casefold() == line.casefold()]
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
    deliver: Callable[[], Awaitable[object]],
    sender: ConsoleSender,
    *,
    user: UserRef,
    lines: TextIO = sys.stdin,
) -> None:
    """Feed stdin to the engine until end of input, delivering replies after each line."""
    chat = ChatRef(Platform.CONSOLE, user.user_id)
    await dispatch(InboundCommand(uuid.uuid4().hex, chat, user, "start", "", datetime.now(UTC)))
    await deliver()
    while True:
        line = await asyncio.to_thread(lines.readline)
        if not line:
            return
        line = line.strip()
        if not line:
            continue
        event = parse_line(line, chat, user, sender)
        sender.options.clear()
        await dispatch(event)
        await deliver()
