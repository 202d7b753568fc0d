"""The Slack adapter: employees ask Deskbot by DM or @mention; agents work tickets in one channel.

``channel.py`` declares the channel (its settings and factory) for the registry; ``app.py`` holds
``SlackAdapter``; ``inbound.py`` turns Slack payloads into boundary types, ``outbound.py`` renders
Block Kit and sends (``SlackSender``), and ``directory.py`` knows who people are (name, locale,
user groups). Nothing is imported here, so reading the settings never imports the SDK.
"""
