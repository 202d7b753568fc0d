"""The Alembic revisions build exactly the schema of conversations/models.py, on SQLite and
PostgreSQL, and the database keeps what the models promise (UTC times, one row per event)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import db
from conversations.models import Base, Message, Person, ProcessedEvent

TEHRAN = timezone(timedelta(hours=3, minutes=30))


def _schema_diff(connection: Connection) -> list[Any]:
    # The same comparison options as bot/migrations/env.py, plus server defaults (none are
    # declared, so none may exist). Nothing is ignored.
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return compare_metadata(context, Base.metadata)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _downgrade(engine: AsyncEngine, revision: str) -> None:
    # bot.db has only upgrade(); this mirrors it (the app never downgrades).
    def run(connection: Connection) -> None:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def test_migrated_schema_matches_the_models(db_engine: AsyncEngine) -> None:
    async with db_engine.connect() as connection:
        diff = await connection.run_sync(_schema_diff)
    assert diff == []


async def test_constraints_and_indexes_carry_the_naming_convention_names(
    db_engine: AsyncEngine,
) -> None:
    def names(connection: Connection) -> dict[str, set[str | None]]:
        inspector = inspect(connection)
        return {
            "pk": {inspector.get_pk_constraint("people")["name"]},
            "uq": {
                c["name"]
                for table in ("people", "conversations", "processed_events")
                for c in inspector.get_unique_constraints(table)
            },
            "fk": {c["name"] for c in inspector.get_foreign_keys("tickets")},
            "ix": {i["name"] for i in inspector.get_indexes("tickets")},
        }

    async with db_engine.connect() as connection:
        found = await connection.run_sync(names)

    assert found["pk"] == {"pk_people"}
    assert found["uq"] == {
        "uq_people_platform",
        "uq_conversations_platform",
        "uq_processed_events_platform",
    }
    assert found["fk"] == {
        "fk_tickets_conversation_id_conversations",
        "fk_tickets_merged_into_id_tickets",
        "fk_tickets_requester_id_people",
    }
    assert found["ix"] == {
        "ix_tickets_conversation_id",
        "ix_tickets_created_at",
        "ix_tickets_first_resolved_at",
        "ix_tickets_first_response_at",
        "ix_tickets_requester_id",
        "ix_tickets_resolved_at",
        "ix_tickets_status_priority",
    }


async def test_downgrade_to_base_and_upgrade_again(db_engine: AsyncEngine) -> None:
    model_tables = set(Base.metadata.tables)
    try:
        await _downgrade(db_engine, "base")
        async with db_engine.connect() as connection:
            # Alembic keeps its (now empty) version table; every table of ours is gone.
            assert await connection.run_sync(_tables) == {"alembic_version"}

        await db.upgrade(db_engine)
        async with db_engine.connect() as connection:
            assert await connection.run_sync(_tables) == model_tables | {"alembic_version"}
            assert await connection.run_sync(_schema_diff) == []
    finally:
        # On PostgreSQL the database is shared by the session's tests: leave it at head.
        await db.upgrade(db_engine)


async def test_timestamps_are_stored_and_read_back_as_utc(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    sent = datetime(2025, 3, 20, 12, 0, tzinfo=TEHRAN)  # Nowruz noon in Tehran = 08:30 UTC
    async with sessions() as session, session.begin():
        person = Person(platform="telegram", platform_user_id="42", created_at=sent)
        message = Message(
            platform="telegram", chat_id="42", direction="in", text="salam", created_at=sent
        )
        session.add_all([person, message])

    async with sessions() as session:  # a new session: values come from the database
        created = await session.scalar(select(Person.created_at))
        message = await session.scalar(select(Message))

    assert message is not None
    for value in (created, message.created_at):
        assert value == sent
        assert value.tzinfo is UTC
        assert value == datetime(2025, 3, 20, 8, 30, tzinfo=UTC)
    assert message.buttons == []
    assert message.sent_at is None


async def test_naive_timestamps_are_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        session.add(Person(platform="web", platform_user_id="v1", created_at=datetime(2025, 1, 1)))
        with pytest.raises(StatementError) as raised:
            await session.flush()
    assert isinstance(raised.value.orig, ValueError)
    assert "naive datetime" in str(raised.value.orig)


async def test_a_redelivered_event_is_rejected_by_the_unique_constraint(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        session.add(ProcessedEvent(platform="slack", event_id="Ev123", processed_at=now))

    async with sessions() as session:
        session.add(ProcessedEvent(platform="slack", event_id="Ev123", processed_at=now))
        with pytest.raises(IntegrityError):
            await session.commit()

    # The same event id on another platform is a different event.
    async with sessions() as session, session.begin():
        session.add(ProcessedEvent(platform="telegram", event_id="Ev123", processed_at=now))
    async with sessions() as session:
        assert len((await session.scalars(select(ProcessedEvent))).all()) == 2


def test_the_file_names_say_the_revisions_in_order() -> None:
    # db.prepare checks a database against the newest file name without loading Alembic.
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    files = sorted(p.name.split("_", 1)[0] for p in (db.MIGRATIONS / "versions").glob("[0-9]*.py"))
    assert chain == files
    assert db.newest_revision() == db.head_revision() == chain[-1]


async def test_prepare_migrates_sqlite_and_refuses_an_old_server_schema(
    db_engine: AsyncEngine,
) -> None:
    previous = db.newest_revision()
    previous = f"{int(previous) - 1:04d}"
    try:
        await _downgrade(db_engine, previous)
        if db_engine.dialect.name == "sqlite":
            await db.prepare(db_engine)
            assert await db.current_revision(db_engine) == db.newest_revision()
        else:
            with pytest.raises(db.SchemaError, match="deskbot db upgrade"):
                await db.prepare(db_engine)
    finally:
        await db.upgrade(db_engine)
    await db.prepare(db_engine)  # at head: nothing to do, nothing raised
