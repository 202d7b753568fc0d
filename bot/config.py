"""Configuration: the one place that reads the environment.

Every setting comes from an environment variable (documented in the README's table) and can be
overridden by a command-line flag. The core settings are here; each channel declares its own
(``adapters/*/channel.py``) and ``load_channels`` reads them all. Invalid values stop Deskbot at
start-up with a message naming the variable, rather than failing later in the middle of a
conversation.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import platformdirs
from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.base import ChannelSettings
from bot.channels import registry
from conversations.copy import LANGUAGES
from conversations.engine import DEFAULT_REQUESTER_LIMIT
from conversations.messages import ChatRef, Platform
from conversations.sla import SlaPolicy, parse_targets
from conversations.throttle import parse_limits

#: The sample knowledge base shipped inside the package: the default when none is configured.
SAMPLE_KB = Path(__file__).resolve().parent.parent / "kb" / "sample"


def default_database_url() -> str:
    """SQLite in the per-user data directory (``~/.local/share/deskbot`` on Linux), so Deskbot
    runs the same from any folder; ``DESKBOT_DATABASE_URL`` replaces it."""
    folder = Path(platformdirs.user_data_dir("deskbot", appauthor=False))
    return f"sqlite+aiosqlite:///{folder / 'deskbot.db'}"


class ConfigError(Exception):
    """Configuration is invalid; the message says which variable and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DESKBOT_", extra="ignore", frozen=True, populate_by_name=True
    )

    database_url: str = Field(
        default_factory=default_database_url,
        # DATABASE_URL is what Heroku-style platforms set for an attached PostgreSQL.
        validation_alias=AliasChoices("DESKBOT_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    kb_path: Path | None = None  # None: the sample KB (SAMPLE_KB), said at start
    kb_threshold: float | None = Field(None, ge=0.0, le=1.0)
    host: str = "127.0.0.1"
    port: int = Field(
        8080, ge=0, le=65535, validation_alias=AliasChoices("DESKBOT_PORT", "PORT", "port")
    )
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
    requester_rate_limit: str = DEFAULT_REQUESTER_LIMIT
    # Seconds a client has to send a request's headers; idle keep-alive connections are closed
    # after as long (aiohttp's keepalive_timeout does both).
    client_timeout: float = Field(15.0, gt=0, le=3600)
    log_level: str = "INFO"

    @field_validator("sla_urgent", "sla_high", "sla_normal", "sla_low")
    @classmethod
    def _sla_targets(cls, value: str) -> str:
        parse_targets(value)  # raises ValueError with the reason
        return value

    @field_validator("requester_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        parse_limits(value)  # raises ValueError with the reason
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
    def knowledge_base(self) -> Path:
        return self.kb_path or SAMPLE_KB

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
        raise _invalid(_problems(error)) from None


def load_channels(
    given: Mapping[Platform, ChannelSettings] | None = None,
) -> dict[Platform, ChannelSettings]:
    """Every registered channel's settings: ``given`` ones as they are, the others read from the
    environment. All problems of all channels are reported together."""
    channels: dict[Platform, ChannelSettings] = {}
    problems: list[str] = []
    for channel in registry():
        if given is not None and channel.platform in given:
            channels[channel.platform] = given[channel.platform]
            continue
        try:
            channels[channel.platform] = channel.settings()
        except ValidationError as error:
            problems.extend(_problems(error))
    if problems:
        raise _invalid(problems)
    return channels


def agent_chats(channels: Mapping[Platform, ChannelSettings]) -> tuple[ChatRef, ...]:
    """Where tickets are posted: each configured channel's agent chat (the web console always)."""
    return tuple(
        chat
        for settings in channels.values()
        if settings.configured and (chat := settings.agent_chat) is not None
    )


def _invalid(problems: list[str]) -> ConfigError:
    """One problem is one line; several are a count and a line each."""
    if len(problems) == 1:
        return ConfigError(f"invalid configuration: {problems[0]}")
    return ConfigError(
        f"invalid configuration ({len(problems)} problems):\n  " + "\n  ".join(problems)
    )


def _problems(error: ValidationError) -> list[str]:
    """Each problem as ``VARIABLE: reason``."""
    problems = []
    for e in error.errors():
        if not e["loc"]:  # a check across settings: its message names the variables
            problems.append(str(e["msg"]).removeprefix("Value error, "))
            continue
        # Fields with aliases report the alias (DESKBOT_PORT), the others the field (port).
        name = str(e["loc"][0]).upper()
        variable = (
            name if name.startswith(("DESKBOT_", "SLACK_", "TELEGRAM_")) else (f"DESKBOT_{name}")
        )
        problems.append(f"{variable}: {str(e['msg']).removeprefix('Value error, ')}")
    return problems
