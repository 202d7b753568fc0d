"""The built-in web channel's declaration: always on, its agent channel is the web console."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from adapters.base import Channel, ChannelSettings, ChatAdapter
from adapters.web.hosts import LOOPBACK_HOSTS, AllowedHosts, parse_allowed_hosts
from adapters.web.inbound import AGENT_CHAT
from adapters.web.post_limits import (
    DEFAULT_NEW_CHATS,
    DEFAULT_PER_ADDRESS,
    DEFAULT_PER_CHAT,
    PostLimits,
)
from adapters.web.proxies import TrustedProxies, parse_trusted_proxies
from conversations.messages import ChatRef, Platform
from conversations.throttle import parse_limits
from conversations.views import Desk

if TYPE_CHECKING:
    from aiohttp import web

    from adapters.web.outbound import WebSender


class WebSettings(ChannelSettings):
    # The console's shared password; required to serve beyond loopback (see `deskbot serve`).
    agent_token: str | None = Field(None, validation_alias="DESKBOT_AGENT_TOKEN")
    # How long a console login lasts.
    agent_session_hours: float = Field(
        12.0, gt=0, le=24 * 365, validation_alias="DESKBOT_AGENT_SESSION_HOURS"
    )
    # The names requests may carry in Host and Origin (see adapters/web/hosts.py); comma-separated.
    allowed_hosts: str = Field(",".join(LOOPBACK_HOSTS), validation_alias="DESKBOT_ALLOWED_HOSTS")
    # The reverse proxies whose X-Forwarded-For/-Proto are believed (adapters/web/proxies.py).
    trusted_proxies: str = Field("", validation_alias="DESKBOT_TRUSTED_PROXIES")
    # Web chat posts taken per chat and per client address (adapters/web/post_limits.py).
    chat_rate_limit: str = Field(DEFAULT_PER_CHAT, validation_alias="DESKBOT_CHAT_RATE_LIMIT")
    address_rate_limit: str = Field(
        DEFAULT_PER_ADDRESS, validation_alias="DESKBOT_ADDRESS_RATE_LIMIT"
    )
    new_chats_rate_limit: str = Field(
        DEFAULT_NEW_CHATS, validation_alias="DESKBOT_NEW_CHATS_RATE_LIMIT"
    )

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, value: str) -> str:
        parse_allowed_hosts(value)  # raises ValueError with the reason
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        parse_trusted_proxies(value)  # raises ValueError with the reason
        return value

    @field_validator("chat_rate_limit", "address_rate_limit", "new_chats_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        parse_limits(value)  # raises ValueError with the reason
        return value

    @property
    def post_limits(self) -> PostLimits:
        return PostLimits(
            parse_limits(self.chat_rate_limit),
            parse_limits(self.address_rate_limit),
            parse_limits(self.new_chats_rate_limit),
        )

    @property
    def host_names(self) -> AllowedHosts:
        return AllowedHosts(parse_allowed_hosts(self.allowed_hosts))

    @property
    def proxies(self) -> TrustedProxies:
        return TrustedProxies(parse_trusted_proxies(self.trusted_proxies))

    @property
    def configured(self) -> bool:
        return True  # the web chat and console are part of every server

    @property
    def agent_chat(self) -> ChatRef | None:
        return AGENT_CHAT


class WebAdapter:
    """The requester chat and the agent console on the server's own aiohttp application."""

    def __init__(self, desk: Desk, settings: WebSettings) -> None:
        self._desk = desk
        self._settings = settings
        self._sender: WebSender | None = None

    @property
    def sender(self) -> WebSender:
        if self._sender is None:
            raise RuntimeError("the web channel delivers once it is mounted")
        return self._sender

    def mount(self, app: web.Application) -> None:
        from adapters.web.app import setup_web_chat

        settings = self._settings
        self._sender = setup_web_chat(
            app,
            self._desk,
            agent_token=settings.agent_token,
            allowed_hosts=settings.host_names,
            trusted_proxies=settings.proxies,
            post_limits=settings.post_limits,
            session_lifetime=timedelta(hours=settings.agent_session_hours),
        )

    async def start(self) -> None:
        """Nothing to connect: the routes serve as soon as the application does."""

    async def stop(self) -> None:
        """Open sockets are closed by the application's shutdown (see ``setup_web_chat``)."""


def build(settings: ChannelSettings, desk: Desk) -> ChatAdapter:
    assert isinstance(settings, WebSettings)
    return WebAdapter(desk, settings)


CHANNEL = Channel(Platform.WEB, WebSettings, build)
