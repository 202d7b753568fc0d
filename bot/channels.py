"""The channel registry: every chat channel ``deskbot serve`` can run. Adding a channel is one new
package under ``adapters/`` (declaring its ``CHANNEL`` in ``channel.py``) and one line here."""

from __future__ import annotations

from adapters.base import Channel
from adapters.slack.channel import CHANNEL as SLACK
from adapters.telegram.channel import CHANNEL as TELEGRAM
from adapters.web.channel import CHANNEL as WEB

REGISTRY: tuple[Channel, ...] = (
    WEB,
    SLACK,
    TELEGRAM,
)
