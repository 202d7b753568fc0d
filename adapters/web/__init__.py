"""Deskbot's built-in web chat: a requester chat page and an agent console on the shared aiohttp
application. ``setup_web_chat`` is the entry point for the composition root."""

from adapters.web.app import setup_web_chat
from adapters.web.outbound import WebSender

__all__ = ["WebSender", "setup_web_chat"]
