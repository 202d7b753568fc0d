"""The Telegram channel's declaration: its settings and factory."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from adapters.base import Channel, ChannelSettings, ChatAdapter
from conversations.messages import ChatRef, Platform
from conversations.views import Desk

_CHAT_ID = re.compile(r"-?\d+")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # Telegram's rule for secret_token


class TelegramSettings(ChannelSettings):
    bot_token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    agent_chat_id: str | None = Field(None, validation_alias="TELEGRAM_AGENT_CHAT_ID")
    webhook_url: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_URL")
    webhook_secret: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    api_url: str | None = Field(None, validation_alias="DESKBOT_TELEGRAM_API_URL")

    @field_validator("agent_chat_id")
    @classmethod
    def _numeric_id(cls, value: str | None) -> str | None:
        if not value:
            return value
        value = value.strip()
        if not _CHAT_ID.fullmatch(value):
            raise ValueError(f"must be the group's numeric id (like -1001234567890), not {value!r}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value and not _SECRET.fullmatch(value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _complete(self) -> TelegramSettings:
        missing = []
        if self.bot_token and not self.agent_chat_id:
            missing.append("TELEGRAM_AGENT_CHAT_ID (the agents' group id) is required")
        if self.webhook_url and not self.webhook_secret:
            missing.append("TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL")
        if missing:
            raise ValueError("; ".join(missing))
        return self

    @property
    def configured(self) -> bool:
        return bool(self.bot_token)

    @property
    def agent_chat(self) -> ChatRef | None:
        return ChatRef(Platform.TELEGRAM, self.agent_chat_id) if self.agent_chat_id else None


def build(settings: ChannelSettings, desk: Desk) -> ChatAdapter:
    from adapters.telegram.app import TelegramAdapter  # the SDK, only when Telegram is configured

    assert isinstance(settings, TelegramSettings) and settings.bot_token
    assert settings.agent_chat_id
    return TelegramAdapter(
        token=settings.bot_token,
        agent_chat_id=settings.agent_chat_id,
        dispatch=desk.dispatch,
        desk=desk,
        base_url=settings.api_url,
        webhook_url=settings.webhook_url,
        webhook_secret=settings.webhook_secret,
    )


CHANNEL = Channel(Platform.TELEGRAM, TelegramSettings, build)
