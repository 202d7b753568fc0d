"""A database outage for tests: the database really made unavailable to Deskbot, then back."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from sqlalchemy import event, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

POSTGRES_URL_VARIABLE = "DESKBOT_TEST_POSTGRES_URL"


async def postgres_admin(statement: str) -> None:
    """Run one statement on the test PostgreSQL server, outside any transaction (CREATE and
    DROP DATABASE cannot run in one), connected to the server's own database."""
    url = os.environ[POSTGRES_URL_VARIABLE]
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


class Outage:
    """The database made really unavailable to Deskbot's engine, and back.

    PostgreSQL: the server stops taking connections to the database and ends the ones it has
    (what a restart does to them). SQLite: another connection holds the write lock; the engine's
    connections wait 0.1 s for it instead of the 10 s ``bot.db`` gives them, so a test is quick.
    """

    def __init__(self, url: str, engine: AsyncEngine) -> None:
        self._url = make_url(url)
        self._engine = engine  # the engine Deskbot runs on
        self._holder: sqlite3.Connection | None = None

    async def begin(self) -> None:
        if self._url.get_backend_name() == "sqlite":

            @event.listens_for(self._engine.sync_engine, "connect")
            def _short_wait(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.execute("PRAGMA busy_timeout=100")

            await self._engine.dispose()  # the pooled connections wait 10 s
            holder = sqlite3.connect(self._url.database or "", isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            self._holder = holder
            return
        name = self._url.database
        await postgres_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await postgres_admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )

    async def end(self) -> None:
        if self._url.get_backend_name() == "sqlite":
            if self._holder is not None:
                self._holder.execute("ROLLBACK")
                self._holder.close()
                self._holder = None
            return
        await postgres_admin(f'ALTER DATABASE "{self._url.database}" ALLOW_CONNECTIONS true')
