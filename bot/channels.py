"""The channel registry: every chat channel ``deskbot serve`` can run.

Adding a channel is one new package under ``adapters/`` (its ``channel.py`` declares ``CHANNEL``)
and one line in ``CHANNEL_MODULES``; nothing else is edited (tests/e2e/test_new_channel.py does
exactly that). The order is the order adapters start in.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from adapters.base import Channel

CHANNEL_MODULES: tuple[str, ...] = (
    "adapters.web.channel",
    "adapters.slack.channel",
    "adapters.telegram.channel",
)


@cache
def registry() -> tuple[Channel, ...]:
    """Each registered module's ``CHANNEL``. Only the declarations load here (settings models,
    no SDK): an adapter's SDK is imported when the adapter is built."""
    channels = []
    for name in CHANNEL_MODULES:
        channel = getattr(import_module(name), "CHANNEL", None)
        if not isinstance(channel, Channel):
            raise TypeError(f"{name} must declare CHANNEL = adapters.base.Channel(...)")
        channels.append(channel)
    return tuple(channels)
