"""Fixtures shared by the whole suite: no proxies, and real migrated databases on every backend.

Database fixtures, from the outside in:

- ``database_url``: the URL of a fresh database, migrated to head by ``bot.db.upgrade`` and empty of
  rows, for one test. Parametrized by backend: ``[sqlite]`` always, ``[postgres]`` only when
  ``DESKBOT_TEST_POSTGRES_URL`` is set (e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``).
  Without it the postgres variant is not generated at all; under ``CI=true`` the run fails instead.
- ``db_engine``: ``bot.db.create_engine(database_url)``, disposed after the test.
- ``sessions``: ``bot.db.session_factory(db_engine)``.

Costs are paid once per session, like Warehouse's ``tests/conftest.py``: SQLite migrates one
template file that each test gets a copy of; PostgreSQL migrates one scratch database (created on
the given server and dropped at the end) that is truncated before each test.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from bot import db
from conversations.models import Base
from tests.outage import POSTGRES_URL_VARIABLE, Outage, postgres_admin

POSTGRES_URL = os.environ.get(POSTGRES_URL_VARIABLE, "")
# Decided at import time so that, without PostgreSQL, the [postgres] variant does not exist (rather
# than showing up as a skip on every database test).
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
)

T = TypeVar("T")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_configure(config: pytest.Config) -> None:
    if _in_ci() and not POSTGRES_URL:
        raise pytest.UsageError(
            f"CI=true but {POSTGRES_URL_VARIABLE} is not set: CI must test PostgreSQL as well as "
            f"SQLite. Set it, e.g. {POSTGRES_URL_VARIABLE}="
            "postgresql+asyncpg://postgres@127.0.0.1:5432/test (.ci/run does)."
        )


@pytest.fixture(scope="session", autouse=True)
def _no_proxy() -> Iterator[None]:
    """Tests talk to local fakes and databases only, never through a proxy."""
    with pytest.MonkeyPatch.context() as patch:
        for name in PROXY_VARIABLES:
            patch.delenv(name, raising=False)
        # Both spellings: urllib lets the lower-case one win when both are present.
        patch.setenv("NO_PROXY", "*")
        patch.setenv("no_proxy", "*")
        yield


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous fixture code.

    A thread of its own gives it a private event loop, whatever pytest-asyncio's loops are doing
    in this thread (session fixtures may be set up while a test's loop is current).
    """
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


async def _migrate(url: str) -> None:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
    finally:
        await engine.dispose()


# --- SQLite: one migrated template per session, one copy per test ---------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "deskbot.db"
    # Disposing the engine closes the last connection, which checkpoints the WAL into the main
    # file: the single file is then the whole database and can be copied.
    _run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


def _sqlite_database(request: pytest.FixtureRequest) -> str:
    template: Path = request.getfixturevalue("_sqlite_template")
    tmp_path: Path = request.getfixturevalue("tmp_path")
    path = tmp_path / "deskbot.db"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


# --- PostgreSQL: one migrated scratch database per session, truncated per test --------------


@pytest.fixture(scope="session")
def _postgres_scratch_url() -> Iterator[str]:
    name = f"deskbot_test_{os.getpid()}_{secrets.token_hex(4)}"
    _run(postgres_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        _run(_migrate(url))
        yield url
    finally:
        # FORCE: a test that leaked a connection must not keep the scratch database alive.
        _run(postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate_all(url: str) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


def _postgres_database(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue("_postgres_scratch_url")
    _run(_truncate_all(url))
    return url


# --- What tests use ------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """URL of a fresh database at the head revision with no rows, for this test only."""
    if request.param == "sqlite":
        return _sqlite_database(request)
    return _postgres_database(request)


@pytest.fixture
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return db.session_factory(db_engine)


@pytest.fixture
async def outage(database_url: str, db_engine: AsyncEngine) -> AsyncIterator[Outage]:
    """``await outage.begin()`` / ``await outage.end()``; always ended after the test."""
    made = Outage(database_url, db_engine)
    try:
        yield made
    finally:
        await made.end()
