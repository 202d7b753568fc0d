"""The Slack adapter: employees ask Deskbot by DM or @mention; agents work tickets in one channel.

``SlackAdapter`` (app.py) is what the composition root builds; ``inbound.py`` turns Slack payloads
into boundary types, ``outbound.py`` renders Block Kit and sends (``SlackSender``), and
``directory.py`` knows who people are (name, locale, user groups).
"""

from adapters.slack.app import SlackAdapter, SlackStartError
from adapters.slack.outbound import SlackSender

__all__ = ["SlackAdapter", "SlackSender", "SlackStartError"]
