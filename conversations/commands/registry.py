"""The command registry: every agent and requester command declared once.

A command is declared where its handler is written (``@AGENT.command(...)`` in ``agent.py``,
``@REQUESTER.command(...)`` in ``requester.py``): its name, the least role it needs, its usage
(language-neutral syntax: command words are the same in every language) and its handler. Its help
text lives in the copy catalogues under ``help.agent.<name>`` / ``help.requester.<name>``, one
per language (the catalogue test keeps them complete). Everything a person reads about the
commands is generated from here: the ``help`` answers, the Telegram menus, the CLI's
``tickets run --help``, and the README's table (a test compares it).
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from conversations.copy import text
from conversations.team import Role

H = TypeVar("H", bound=Callable[..., Awaitable[Any]])


@dataclass(frozen=True, slots=True)
class CommandSpec(Generic[H]):
    name: str
    usage: str  # e.g. "resolve N [article-id] [summary]"
    handler: H
    audience: str  # "agent" | "requester"
    role: Role | None = None  # the least role an agent needs; None for requester commands
    aliases: tuple[str, ...] = ()

    def help(self, lang: str) -> str:
        return text(lang, f"help.{self.audience}.{self.name}")


@dataclass
class CommandSet(Generic[H]):
    """The commands of one audience, in the order they are declared (the order of every help
    listing)."""

    audience: str
    _specs: dict[str, CommandSpec[H]] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)  # name or alias -> name

    def command(
        self, name: str, usage: str, *, role: Role | None = None, aliases: tuple[str, ...] = ()
    ) -> Callable[[H], H]:
        def declare(handler: H) -> H:
            for word in (name, *aliases):
                assert word not in self._names, f"{self.audience} command {word!r} twice"
                self._names[word] = name
            self._specs[name] = CommandSpec(name, usage, handler, self.audience, role, aliases)
            return handler

        return declare

    def find(self, word: str) -> CommandSpec[H] | None:
        name = self._names.get(word.lower().removeprefix("/"))
        return self._specs[name] if name is not None else None

    def suggest(self, word: str) -> list[str]:
        """The commands closest to a mistyped one, best first."""
        close = difflib.get_close_matches(word.lower(), self._names, n=3, cutoff=0.6)
        return list(dict.fromkeys(self._names[w] for w in close))

    def __iter__(self) -> Iterator[CommandSpec[H]]:
        return iter(self._specs.values())

    def __getitem__(self, name: str) -> CommandSpec[H]:
        return self._specs[name]

    def help_lines(self, lang: str, *, prefix: str = "") -> list[str]:
        """One line per command: ``- <prefix><usage>: <help>``."""
        return [f"- {prefix}{spec.usage}: {spec.help(lang)}" for spec in self]


def markdown_table(commands: CommandSet[Any], lang: str = "en") -> str:
    """The README's table of agent commands."""
    rows = ["| command | role | effect |", "|---|---|---|"]
    for spec in commands:
        usage = spec.usage.replace("|", "\\|")
        role = spec.role.name.lower() if spec.role is not None else ""
        rows.append(f"| `{usage}` | {role} | {spec.help(lang)} |")
    return "\n".join(rows)
