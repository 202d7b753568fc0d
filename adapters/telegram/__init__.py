"""Deskbot on Telegram: customers talk to the bot privately, agents work in one group (a forum
topic per ticket when topics are enabled). ``TelegramAdapter`` is the composition root's entry
point; its ``sender`` delivers for ``Platform.TELEGRAM``."""

from adapters.telegram.app import TelegramAdapter
from adapters.telegram.outbound import TelegramSender

__all__ = ["TelegramAdapter", "TelegramSender"]
