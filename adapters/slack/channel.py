"""The Slack channel's declaration: its settings (Slack's customary variable names) and factory."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from adapters.base import Channel, ChannelSettings, ChatAdapter
from conversations.messages import ChatRef, Platform
from conversations.views import Desk


class SlackSettings(ChannelSettings):
    bot_token: str | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    signing_secret: str | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    app_token: str | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    agent_channel: str | None = Field(None, validation_alias="SLACK_AGENT_CHANNEL")
    api_url: str | None = Field(None, validation_alias="DESKBOT_SLACK_API_URL")

    @field_validator("agent_channel")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        # A stray space would make the engine stop recognising the agent channel.
        return value.strip() if value else value

    @model_validator(mode="after")
    def _complete(self) -> SlackSettings:
        if not self.bot_token:
            return self
        missing = []
        if not self.agent_channel:
            missing.append("SLACK_AGENT_CHANNEL (the agents' channel id) is required")
        if not self.signing_secret and not self.app_token:
            missing.append("SLACK_SIGNING_SECRET is required (or SLACK_APP_TOKEN)")
        if missing:
            raise ValueError("; ".join(missing))
        return self

    @property
    def configured(self) -> bool:
        return bool(self.bot_token)

    @property
    def agent_chat(self) -> ChatRef | None:
        return ChatRef(Platform.SLACK, self.agent_channel) if self.agent_channel else None


def build(settings: ChannelSettings, desk: Desk) -> ChatAdapter:
    from adapters.slack.app import SlackAdapter  # the SDK, only when Slack is configured

    assert isinstance(settings, SlackSettings) and settings.bot_token and settings.agent_channel
    return SlackAdapter(
        bot_token=settings.bot_token,
        signing_secret=settings.signing_secret or "",
        agent_channel=settings.agent_channel,
        dispatch=desk.dispatch,
        desk=desk,
        api_url=settings.api_url,
        app_token=settings.app_token,
    )


CHANNEL = Channel(Platform.SLACK, SlackSettings, build)
