"""The command menus Telegram shows as you type ``/`` (``setMyCommands``), generated from the
command registry: agent commands in the agent chat, requester commands in private chats
(https://core.telegram.org/bots/api#setmycommands, scopes: https://core.telegram.org/bots/api#botcommandscope).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from telegram import BotCommand

from conversations.commands import AGENT, REQUESTER
from conversations.commands.registry import CommandSpec

DESCRIPTION_LIMIT = 256  # Telegram's limit for a command's description


def _menu(specs: Iterable[CommandSpec[Any]], lang: str) -> tuple[BotCommand, ...]:
    commands = []
    for spec in specs:
        description = spec.help(lang)
        if spec.usage != spec.name:
            description = f"{description}: {spec.usage}"
        commands.append(BotCommand(spec.name, description[:DESCRIPTION_LIMIT]))
    return tuple(commands)


def agent_menu(lang: str = "en") -> tuple[BotCommand, ...]:
    return _menu(AGENT, lang)


def requester_menu(lang: str = "en") -> tuple[BotCommand, ...]:
    return _menu(REQUESTER, lang)
