"""Configuration: the one place that reads the environment.

Every setting comes from an environment variable (documented in the README's table) and can be
overridden by a command-line flag. Invalid values stop Deskbot at start-up with a message naming
the variable, rather than failing later in the middle of a conversation.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.copy import LANGUAGES
from conversations.sla import SlaPolicy, parse_targets


class ConfigError(Exception):
    """Configuration is invalid; the message says which variable and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_", extra="ignore", frozen=True, populate_by_name=True
    )

    database_url: str = Field(
        "sqlite+aiosqlite:///deskbot.db",
        # DATABASE_URL is what Heroku-style platforms set for an attached PostgreSQL.
        validation_alias=AliasChoices("DESKBOT_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    kb_path: Path = Path("examples/kb")
    kb_threshold: float | None = Field(None, ge=0.0, le=1.0)
    host: str = "127.0.0.1"
    port: int = Field(
        8080, ge=0, le=65535, validation_alias=AliasChoices("DESKBOT_PORT", "PORT", "port")
    )
    agent_token: str | None = None
    default_lang: str = "en"
    agent_lang: str = "en"
    team_file: Path | None = None
    assignment: Literal["manual", "round_robin"] = "manual"
    sla_urgent: str = "30m/4h"
    sla_high: str = "1h/8h"
    sla_normal: str = "4h/24h"
    sla_low: str = "8h/72h"
    sla_warn_at: float = Field(0.8, gt=0, lt=1)
    transfer_timeout_minutes: float = Field(15.0, gt=0)
    close_after_hours: float = Field(72.0, ge=0)
    survey_rate: float = Field(1.0, ge=0, le=1)
    survey_cooldown_days: float = Field(0.0, ge=0)
    log_level: str = "INFO"

    # Slack (issue: employees ask in Slack). The names are Slack's customary ones.
    slack_bot_token: str | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_agent_channel: str | None = Field(None, validation_alias="SLACK_AGENT_CHANNEL")
    slack_api_url: str | None = None
    # Telegram (customers message the bot; agents work in a group).
    telegram_bot_token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_agent_chat_id: str | None = Field(None, validation_alias="TELEGRAM_AGENT_CHAT_ID")
    telegram_webhook_url: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_api_url: str | None = None

    @field_validator("slack_agent_channel", "telegram_agent_chat_id")
    @classmethod
    def _strip_ids(cls, value: str | None) -> str | None:
        # A stray space would make the engine stop recognising the agent chat.
        return value.strip() if value else value

    @model_validator(mode="after")
    def _adapters_complete(self) -> Settings:
        missing = []
        if self.slack_bot_token:
            if not self.slack_agent_channel:
                missing.append("SLACK_AGENT_CHANNEL (the agents' channel id) is required")
            if not self.slack_signing_secret and not self.slack_app_token:
                missing.append("SLACK_SIGNING_SECRET is required (or SLACK_APP_TOKEN)")
        if self.telegram_bot_token and not self.telegram_agent_chat_id:
            missing.append("TELEGRAM_AGENT_CHAT_ID (the agents' group id) is required")
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            missing.append("TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL")
        if missing:
            raise ValueError("; ".join(missing))
        return self

    @field_validator("sla_urgent", "sla_high", "sla_normal", "sla_low")
    @classmethod
    def _sla_targets(cls, value: str) -> str:
        parse_targets(value)  # raises ValueError with the reason
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        # Platforms hand out postgres:// URLs; SQLAlchemy's async engine needs the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url.removeprefix(prefix)
        if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
            return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
        if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return url

    @field_validator("default_lang", "agent_lang")
    @classmethod
    def _known_language(cls, lang: str) -> str:
        if lang not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(sorted(LANGUAGES))}")
        return lang

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, level: str) -> str:
        level = level.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def sla_policy(self) -> SlaPolicy:
        targets = {
            level: parse_targets(getattr(self, f"sla_{level}"))
            for level in ("urgent", "high", "normal", "low")
        }
        return SlaPolicy(MappingProxyType(targets), warn_at=self.sla_warn_at)

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with command-line ``overrides`` (None means "not given")."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as error:
        problems = []
        for e in error.errors():
            if not e["loc"]:  # a check across settings: its message names the variables
                problems.append(str(e["msg"]).removeprefix("Value error, "))
                continue
            # Fields with aliases report the alias (DESKBOT_PORT), the others the field (port).
            name = str(e["loc"][0]).upper()
            variable = (
                name
                if name.startswith(("DESKBOT_", "SLACK_", "TELEGRAM_"))
                else (f"DESKBOT_{name}")
            )
            problems.append(f"{variable}: {e['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None
