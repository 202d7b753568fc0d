"""Requester commands (``/ticket``, ``/lang fa``...): what a requester can type besides their
question. Declared in the registry like the agent commands; each handler answers in the
requester's chat through the ``Turn`` it is given."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from conversations.commands.registry import CommandSet
from conversations.copy import LANGUAGES, text
from conversations.state import ConversationState
from conversations.tickets import operations as op
from conversations.tickets.lifecycle import ACTIVE

if TYPE_CHECKING:
    from conversations.engine import Turn

RequesterCommand = Callable[["Turn", str], Awaitable[None]]
REQUESTER: CommandSet[RequesterCommand] = CommandSet("requester")


def help_text(lang: str) -> str:
    """What the desk does, then the commands, generated from the registry."""
    return "\n".join([text(lang, "help"), *REQUESTER.help_lines(lang, prefix="/")])


@REQUESTER.command("ticket", "ticket", aliases=("tickets",))
async def cmd_tickets(turn: Turn, args: str) -> None:
    tickets = await turn.store.tickets.of_requester(turn.person.id)
    if not tickets:
        turn.say(turn.t("no_tickets"))
        return
    lines = [
        turn.t(
            "ticket_line",
            id=t.id,
            subject=t.subject,
            status=turn.t("status." + t.status),
            priority=turn.t("priority." + t.priority),
        )
        for t in tickets
    ]
    turn.say("\n".join([turn.t("your_tickets"), *lines]))


@REQUESTER.command("cancel", "cancel")
async def cmd_cancel(turn: Turn, args: str) -> None:
    if turn.conversation.state != ConversationState.IDLE:
        await turn.settle_suggestions("ignored")
        turn.set_state(ConversationState.IDLE)
        turn.say(turn.t("cancelled"))
        return
    ticket = await turn.live_ticket()
    if ticket is None or ticket.status not in ACTIVE:
        turn.say(turn.t("nothing_to_cancel"))
        return
    await op.withdraw(turn.notify, ticket, turn.person)
    turn.say(turn.t("ticket_withdrawn", id=ticket.id), ticket_id=ticket.id)


@REQUESTER.command("lang", f"lang {'|'.join(sorted(LANGUAGES))}")
async def cmd_lang(turn: Turn, args: str) -> None:
    choice = args.strip().lower()
    if choice not in LANGUAGES:
        turn.say(turn.t("lang_usage", languages="|".join(sorted(LANGUAGES))))
        return
    turn.person.lang = choice
    turn.conversation.lang = choice
    turn.say(turn.t("lang_set"))


@REQUESTER.command("start", "start")
async def cmd_start(turn: Turn, args: str) -> None:
    turn.conversation.greeted = True
    turn.say(f"{turn.t('greeting')}\n\n{help_text(turn.lang)}")


@REQUESTER.command("help", "help")
async def cmd_help(turn: Turn, args: str) -> None:
    turn.say(help_text(turn.lang))
