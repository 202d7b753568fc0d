"""The database engine and session factory, and schema migration (Alembic)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:  # Alembic is imported when a schema is checked or migrated, not before
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_engine(url: str) -> AsyncEngine:
    connect_args: dict[str, object] = {}
    if url.startswith("postgresql"):
        # PostgreSQL's JIT compiles a query when its estimated cost is high, which the report
        # aggregates over a year of tickets are: compiling took 290 of a query's 390 ms in
        # benchmarks/reports.py, for work that then ran in 60 ms. Deskbot's queries are short.
        connect_args["server_settings"] = {"jit": "off"}
    engine = create_async_engine(url, pool_pre_ping=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        # The default file lives in a per-user data directory that may not exist yet.
        if engine.url.database and engine.url.database != ":memory:":
            Path(engine.url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine.sync_engine, "connect", _sqlite_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # The sqlite3 driver's own transaction handling does not cover SAVEPOINT (its RELEASE
    # commits: an event would stay "processed" after its handler failed), so we begin
    # transactions ourselves; see "Serializable isolation / Savepoints / Transactional DDL" in
    # SQLAlchemy's SQLite dialect documentation.
    dbapi_connection.isolation_level = None
    # WAL lets `deskbot serve` and `deskbot tickets`/`deskbot chat` share the file; the busy
    # timeout makes a writer wait for the other instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front: a transaction that reads and then writes cannot
    # then fail half-way because another process wrote in between (which the busy timeout
    # cannot cure under WAL).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision``, sharing our connection with Alembic (so it works inside
    a running event loop, e.g. from ``serve``'s start-up)."""

    from alembic import command

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


def newest_revision() -> str:
    """The head, read from the file names alone (``NNNN_name.py`` holds revision ``NNNN``, each
    revising the one before: a test holds Alembic to that), so checking that a database is up to
    date costs one query, not loading Alembic and every migration script."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*.py"))


async def _stored_revision(engine: AsyncEngine) -> str | None:
    """``alembic_version``'s row, or None when there is none (a new or foreign database)."""
    from sqlalchemy.exc import DBAPIError

    try:
        async with engine.connect() as connection:
            stored = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            return None if stored is None else str(stored)
    except DBAPIError as error:
        if "alembic_version" in str(error.orig):  # no such table / relation does not exist
            return None
        raise


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def prepare(engine: AsyncEngine) -> None:
    """Make the schema usable: SQLite (the embedded default) is migrated on the spot; a server
    database must have been migrated by ``deskbot db upgrade`` (the release step), because
    several processes starting at once must not race to migrate it."""
    if await _stored_revision(engine) == newest_revision():
        return
    if engine.dialect.name == "sqlite":
        await upgrade(engine)
        return
    current, head = await current_revision(engine), head_revision()
    if current != head:
        raise SchemaError(
            f"the database schema is at revision {current or 'none'} but this Deskbot needs "
            f"{head}: run `deskbot db upgrade` first"
        )


class SchemaError(Exception):
    """The database is not at the schema this code needs."""
