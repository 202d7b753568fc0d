"""The composition root: the only place that knows all the parts and wires them together.

``build`` wires what every command needs (the database, the engine, the outbox); the web server
that ``deskbot serve`` runs on top of it is ``bot/server.py``, so a command such as
``deskbot tickets list`` never loads aiohttp."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.base import ChannelSettings, ChatAdapter
from bot import db
from bot.channels import registry
from bot.config import Settings, agent_chats, load_channels
from conversations.delivery import Outbox
from conversations.engine import Engine, EngineSettings, utcnow
from conversations.messages import Platform
from conversations.reads import HelpDesk, Reads
from conversations.team import load_team
from conversations.tickets.workflow import Workflow
from kb import DeferredMatcher, load_kb

log = logging.getLogger(__name__)


@dataclass
class Deskbot:
    """The wired parts of one Deskbot process."""

    settings: Settings
    channels: dict[Platform, ChannelSettings]
    database: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    engine: Engine
    desk: HelpDesk  # what surfaces are handed: the engine's dispatch and the read side
    outbox: Outbox
    matcher: DeferredMatcher


def build(
    settings: Settings,
    *,
    channels: Mapping[Platform, ChannelSettings] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Deskbot:
    """Load the knowledge base (a broken one stops us here, with every problem listed) and wire
    the database, engine and outbox. Senders are added by whoever runs the adapters.
    ``channels`` replaces the environment's settings for those channels (tests give them)."""
    channel_settings = load_channels(channels)
    kb = load_kb(settings.knowledge_base)
    team = load_team(settings.team_file)
    # Built on first match (or by `serve` before it answers): most commands never match.
    matcher = DeferredMatcher(kb.articles, threshold=settings.kb_threshold)
    database = db.create_engine(settings.database_url)
    sessions = db.session_factory(database)
    outbox = Outbox(sessions, {}, clock=clock)  # its failure hook is set once the engine exists
    workflow = Workflow(
        # Every process posts ticket news to every configured agent channel, also the CLI's
        # (whose messages the server's delivery worker then sends).
        agent_chats=agent_chats(channel_settings),
        agent_lang=settings.agent_lang,
        team=team,
        sla=settings.sla_policy,
        assignment=settings.assignment,
        transfer_timeout=timedelta(minutes=settings.transfer_timeout_minutes),
        close_after=timedelta(hours=settings.close_after_hours),
        survey_rate=settings.survey_rate,
        survey_cooldown=timedelta(days=settings.survey_cooldown_days),
        articles={article.id: article for article in kb.articles},
    )
    engine = Engine(
        sessions,
        matcher,
        settings=EngineSettings(
            default_lang=settings.default_lang,
            workflow=workflow,
            requester_limit=settings.requester_rate_limit,
        ),
        clock=clock,
        on_commit=outbox.wake,
    )
    outbox.on_permanent_failure = engine.delivery_failed
    desk = HelpDesk.on_database(
        engine.dispatch, Reads(sessions, clock=clock, teams=team.team_names), sessions, clock=clock
    )
    if settings.kb_path is None:
        log.info("no DESKBOT_KB_PATH: using the sample knowledge base (%d articles)", len(kb))
    else:
        log.info("knowledge base: %d articles from %s", len(kb), settings.kb_path)
    return Deskbot(settings, channel_settings, database, sessions, engine, desk, outbox, matcher)


def channel_adapters(deskbot: Deskbot) -> dict[Platform, ChatAdapter]:
    """An adapter for each registered channel its settings switch on."""
    return {
        channel.platform: channel.build(deskbot.channels[channel.platform], deskbot.desk)
        for channel in registry()
        if deskbot.channels[channel.platform].configured
    }
