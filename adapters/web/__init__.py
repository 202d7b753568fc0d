"""Deskbot's built-in web chat: a requester chat page and an agent console on the shared aiohttp
application. ``channel.py`` declares the channel; ``app.py``'s ``setup_web_chat`` adds the routes.
"""
