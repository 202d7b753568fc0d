"""The web server ``deskbot serve`` runs: the health check and every configured channel mounted on
one aiohttp application, with the delivery worker and the timers running beside them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime

from aiohttp import web
from sqlalchemy import text

from adapters.base import ChannelSettings, ChatAdapter
from bot import db
from bot.app import Deskbot, build, channel_adapters
from bot.config import Settings
from conversations.engine import Engine, utcnow
from conversations.messages import Platform

log = logging.getLogger(__name__)

TICK_SECONDS = 15.0

DESKBOT = web.AppKey("deskbot", Deskbot)
ADAPTERS = web.AppKey("adapters", dict)


def create_app(
    settings: Settings,
    *,
    channels: Mapping[Platform, ChannelSettings] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> web.Application:
    """The aiohttp application ``deskbot serve`` runs: the health check and every configured
    channel (the web chat and console always)."""
    deskbot = build(settings, channels=channels, clock=clock)
    if deskbot.engine.settings.workflow.team.open:
        log.warning(
            "no team file (DESKBOT_TEAM_FILE): everyone on an agent surface may work tickets"
        )
    app = web.Application()
    app[DESKBOT] = deskbot
    adapters = channel_adapters(deskbot)
    for platform, adapter in adapters.items():
        adapter.mount(app)
        deskbot.outbox.add_sender(platform, adapter.sender)
    app[ADAPTERS] = adapters
    app.router.add_get("/healthz", _health)
    app.cleanup_ctx.append(_lifecycle)
    return app


#: How long shutting down waits for the message being sent to be sent and recorded.
OUTBOX_GRACE_SECONDS = 10.0


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    deskbot = app[DESKBOT]
    deskbot.matcher.warm()  # before the first question, not during it
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
        deskbot.outbox.stop()
        if workers:
            # The message being sent is finished and recorded, unless the platform hangs.
            await asyncio.wait({workers[0]}, timeout=OUTBOX_GRACE_SECONDS)
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
