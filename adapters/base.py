"""The adapter contract: what every channel gives the composition root, and how it is declared.

A channel is one package under ``adapters/`` plus one line in ``bot/channels.py``. The package's
``channel.py`` declares a ``Channel``: the platform it serves, its own settings model (the
environment variables it reads, validated at start-up like every other setting), and a factory
that builds its ``ChatAdapter`` once the settings say it is configured. ``channel.py`` must stay
light: the factory imports the SDK, so a ``deskbot`` command that never talks to the platform
never pays for importing it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.messages import ChatRef, Platform, Sender
from conversations.views import Desk

if TYPE_CHECKING:  # aiohttp is imported by whoever serves; `deskbot tickets` never does
    from aiohttp import web


class AdapterStartError(RuntimeError):
    """A channel could not start (a refused token, an agent chat the bot cannot see). The message
    names the setting to check; ``deskbot serve`` prints it as one line and exits."""


class ChatAdapter(Protocol):
    """One channel, running inside ``deskbot serve``."""

    # Read-only, so an adapter may hold a more specific sender than the protocol names.
    @property
    def sender(self) -> Sender:
        """Delivers the outbox's messages for this channel's platform."""
        ...

    def mount(self, app: web.Application) -> None:
        """Add the channel's HTTP routes (webhooks, pages) before the application starts."""
        ...

    async def start(self) -> None:
        """Connect, once the database schema is ready; raise ``AdapterStartError`` to refuse."""
        ...

    async def stop(self) -> None:
        """Disconnect and finish what is in flight. Safe to call more than once."""
        ...


class ChannelSettings(BaseSettings):
    """A channel's own settings, read from the environment by their exact variable names (give
    each field a ``validation_alias``). ``configured`` says whether the channel is switched on."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @property
    def configured(self) -> bool:
        raise NotImplementedError

    @property
    def agent_chat(self) -> ChatRef | None:
        """Where this channel's agents see new tickets, when it has an agent channel."""
        return None


@dataclass(frozen=True)
class Channel:
    """A channel's declaration, for the registry in ``bot/channels.py``."""

    platform: Platform
    settings: type[ChannelSettings]
    # (its settings, the desk) -> the running adapter. Imports the SDK when called.
    build: Callable[[ChannelSettings, Desk], ChatAdapter]


#: How long a client may take to send a request body. Deskbot's are a few kilobytes; a client
#: that trickles one holds a connection and a file descriptor (aiohttp bounds the headers, not
#: the body).
BODY_SECONDS = 15.0


async def read_body_within(request: web.Request, max_bytes: int) -> bytes | None:
    """The body, or ``None`` when it is larger than ``max_bytes``; ``TimeoutError`` when it has
    not all arrived within ``BODY_SECONDS``. Reads the stream itself, so the limit holds whatever
    ``client_max_size`` the application has, and for chunked bodies that announce no length."""
    if request.content_length is not None and request.content_length > max_bytes:
        return None
    chunks: list[bytes] = []
    size = 0
    async with asyncio.timeout(BODY_SECONDS):
        while chunk := await request.content.read(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                return None
            chunks.append(chunk)
    return b"".join(chunks)
