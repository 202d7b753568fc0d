"""Deskbot on Telegram: customers talk to the bot privately, agents work in one group (a forum
topic per ticket when topics are enabled).

``channel.py`` declares the channel for the registry; ``app.py`` holds ``TelegramAdapter``, whose
``sender`` delivers for ``Platform.TELEGRAM``. Nothing is imported here, so reading the settings
never imports the SDK.
"""
