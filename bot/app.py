"""The composition root: the only place that knows all the parts and wires them together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.web.app import setup_web_chat
from bot import db
from bot.config import Settings
from conversations.delivery import Outbox
from conversations.engine import Engine, EngineSettings, utcnow
from conversations.messages import ChatRef, Platform, Sender
from conversations.reads import HelpDesk, Reads
from conversations.team import load_team
from conversations.tickets.workflow import Workflow
from kb import Matcher, load_kb

log = logging.getLogger(__name__)

WEB_AGENT_CHAT = ChatRef(Platform.WEB, "agents")
TICK_SECONDS = 15.0


@dataclass
class Deskbot:
    """The wired parts of one Deskbot process."""

    settings: Settings
    database: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    engine: Engine
    desk: HelpDesk  # what surfaces are handed: the engine's dispatch and the read side
    outbox: Outbox


def build(settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> Deskbot:
    """Load the knowledge base (a broken one stops us here, with every problem listed) and wire
    the database, engine and outbox. Senders are added by whoever runs the adapters."""
    kb = load_kb(settings.kb_path)
    team = load_team(settings.team_file)
    matcher = Matcher(kb.articles, threshold=settings.kb_threshold)
    database = db.create_engine(settings.database_url)
    sessions = db.session_factory(database)
    outbox = Outbox(sessions, {}, clock=clock)  # its failure hook is set once the engine exists
    workflow = Workflow(
        # Every process posts ticket news to every configured agent channel, also the CLI's
        # (whose messages the server's delivery worker then sends).
        agent_chats=agent_chats(settings),
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
        settings=EngineSettings(default_lang=settings.default_lang, workflow=workflow),
        clock=clock,
        on_commit=outbox.wake,
    )
    outbox.on_permanent_failure = engine.delivery_failed
    desk = HelpDesk(engine.dispatch, Reads(sessions, clock=clock))
    log.info("knowledge base: %d articles from %s", len(kb), settings.kb_path)
    return Deskbot(settings, database, sessions, engine, desk, outbox)


DESKBOT = web.AppKey("deskbot", Deskbot)


class ChatAdapter(Protocol):
    """What the composition root needs from the Slack and Telegram adapters."""

    # Read-only, so an adapter may hold a more specific sender than the protocol names.
    @property
    def sender(self) -> Sender: ...

    def mount(self, app: web.Application) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def agent_chats(settings: Settings) -> tuple[ChatRef, ...]:
    """Where tickets are posted: the web console always, and each configured platform's."""
    chats = [WEB_AGENT_CHAT]
    if settings.slack_bot_token and settings.slack_agent_channel:
        chats.append(ChatRef(Platform.SLACK, settings.slack_agent_channel))
    if settings.telegram_bot_token and settings.telegram_agent_chat_id:
        chats.append(ChatRef(Platform.TELEGRAM, settings.telegram_agent_chat_id))
    return tuple(chats)


def chat_adapters(settings: Settings, deskbot: Deskbot) -> dict[Platform, ChatAdapter]:
    """The chat platforms whose tokens are set, wired to the engine."""
    adapters: dict[Platform, ChatAdapter] = {}
    engine = deskbot.engine
    # The SDKs are imported only when their platform is configured: every `deskbot` command
    # builds the engine, and most never talk to Slack or Telegram.
    if settings.slack_bot_token and settings.slack_agent_channel:
        from adapters.slack.app import SlackAdapter

        adapters[Platform.SLACK] = SlackAdapter(
            bot_token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret or "",
            agent_channel=settings.slack_agent_channel,
            dispatch=engine.dispatch,
            desk=deskbot.desk,
            api_url=settings.slack_api_url,
            app_token=settings.slack_app_token,
        )
    if settings.telegram_bot_token and settings.telegram_agent_chat_id:
        from adapters.telegram.app import TelegramAdapter

        adapters[Platform.TELEGRAM] = TelegramAdapter(
            token=settings.telegram_bot_token,
            agent_chat_id=settings.telegram_agent_chat_id,
            dispatch=engine.dispatch,
            desk=deskbot.desk,
            base_url=settings.telegram_api_url,
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=settings.telegram_webhook_secret,
        )
    return adapters


ADAPTERS = web.AppKey("adapters", dict)


def create_app(settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> web.Application:
    """The aiohttp application ``deskbot serve`` runs: web chat, agent console, health check,
    and the Slack and Telegram adapters whose tokens are set."""
    deskbot = build(settings, clock=clock)
    if deskbot.engine.settings.workflow.team.open:
        log.warning(
            "no team file (DESKBOT_TEAM_FILE): everyone on an agent surface may work tickets"
        )
    app = web.Application()
    app[DESKBOT] = deskbot
    deskbot.outbox.add_sender(
        Platform.WEB, setup_web_chat(app, deskbot.desk, agent_token=settings.agent_token)
    )
    adapters = chat_adapters(settings, deskbot)
    for platform, adapter in adapters.items():
        adapter.mount(app)
        deskbot.outbox.add_sender(platform, adapter.sender)
    app[ADAPTERS] = adapters
    app.router.add_get("/healthz", _health)
    app.cleanup_ctx.append(_lifecycle)
    return app


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    deskbot = app[DESKBOT]
    await db.prepare(deskbot.database)
    started: list[ChatAdapter] = []
    workers: list[asyncio.Task[None]] = []
    try:
        # Adapters start once the schema is ready: a Telegram poll may dispatch at once.
        for adapter in app[ADAPTERS].values():
            await adapter.start()
            started.append(adapter)
        workers.append(asyncio.create_task(deskbot.outbox.run(), name="deskbot-outbox"))
        workers.append(asyncio.create_task(_tick(deskbot.engine), name="deskbot-timers"))
        yield
    finally:
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        for adapter in reversed(started):
            await adapter.stop()
        await deskbot.database.dispose()


async def _tick(engine: Engine) -> None:
    """SLA alerts, transfer time-outs and closing resolved tickets, every few seconds."""
    while True:
        try:
            await engine.tick()
        except Exception:  # the timers must outlive a database hiccup
            log.exception("timers failed; trying again")
        await asyncio.sleep(TICK_SECONDS)


async def _health(request: web.Request) -> web.Response:
    """For load balancers and platform health checks: 200 when the database answers."""
    try:
        async with request.app[DESKBOT].database.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    return web.json_response({"ok": True})
