"""Reports against a known history: every figure compared with the value worked out by hand
below, on SQLite and PostgreSQL. The history runs through the real engine with a hand-moved
clock, so the figures are computed from what the desk really records.

The history (UTC). Monday 2 November is the previous period, Tuesday 3 November the period:

  Mon 10:00  #1 Sara (web, normal): no FAQ matches. Ali replies 10:20, resolves 11:00.
  Tue 09:00  Omid asks about his password; "Not what I need" opens #2 (web, high).
             Ali claims 09:10, replies 09:40, resolves 10:00 naming forgotten-password;
             Omid rates 5.
  Tue 11:00  #3 Neda (telegram, urgent). Nobody answers: the 30-minute first-response target is
             missed (the timers run at 11:45).
  Tue 12:00  #4 Kian (web, normal). Bea replies 12:30, resolves 13:00; Kian rates 2, then
             writes again at 13:30, which re-opens it; Bea replies 14:00, resolves 14:30.
  Tue 15:00  Reza asks about the printer and presses "This solved it".
  Tue 15:10  Mina asks the same and says nothing more (solved, assumed, a day later).
  Now: Thursday 5 November 00:00.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import db
from conversations.messages import ChatRef, Platform, UserRef
from conversations.models import Ticket, TicketEntry
from conversations.reads import REPORT_CONNECTIONS
from conversations.reports.compute import one_session, report
from conversations.reports.period import Filters, Period, ReportInputError, period_from
from conversations.reports.ticket_sets import tickets_in
from tests.harness import DeskHarness, Person, texts

MONDAY = date(2026, 11, 2)
TUESDAY = date(2026, 11, 3)
NOW = datetime(2026, 11, 5, 0, 0, tzinfo=UTC)
PASSWORD = "I forgot my password and cannot log in"
PRINTER = "printer not printing"


def at(desk: DeskHarness, day: date, hour: int, minute: int = 0) -> None:
    desk.clock.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def ok(desk: DeskHarness, who: str, command: str) -> None:
    reply = await desk.agent(who, command)
    assert reply.ok, (command, reply.text)


async def history(desk: DeskHarness) -> None:
    at(desk, MONDAY, 10)
    sara = desk.person("Sara")
    assert (
        await sara.open_ticket("The coffee machine on floor three is leaking water everywhere") == 1
    )
    at(desk, MONDAY, 10, 20)
    await ok(desk, "Ali", "reply 1 Someone is coming with a bucket")
    at(desk, MONDAY, 11)
    await ok(desk, "Ali", "resolve 1 Fixed the seal")

    at(desk, TUESDAY, 9)
    omid = desk.person("Omid")
    await omid.say(PASSWORD)
    assert "ticket *#2*" in texts(await omid.press("Not what I need"))
    at(desk, TUESDAY, 9, 10)
    await ok(desk, "Ali", "claim 2")
    at(desk, TUESDAY, 9, 40)
    await ok(desk, "Ali", "reply 2 I have sent you a reset link")
    at(desk, TUESDAY, 10)
    await ok(desk, "Ali", "resolve 2 forgotten-password Reset link used")
    await omid.press("5")
    await omid.press("Skip")

    at(desk, TUESDAY, 11)
    desk.outbox.add_sender(Platform.TELEGRAM, desk.sender)
    neda = Person(
        desk,
        UserRef(Platform.TELEGRAM, "5001", "Neda"),
        ChatRef(Platform.TELEGRAM, "5001"),
    )
    assert await neda.open_ticket("URGENT: the coffee machine on floor three is on fire") == 3
    at(desk, TUESDAY, 11, 45)
    await desk.tick()

    at(desk, TUESDAY, 12)
    kian = desk.person("Kian")
    assert await kian.open_ticket("The kitchen tap on floor two drips all day long") == 4
    at(desk, TUESDAY, 12, 30)
    await ok(desk, "Bea", "reply 4 A plumber is on the way")
    at(desk, TUESDAY, 13)
    await ok(desk, "Bea", "resolve 4 New washer")
    await kian.press("2")
    await kian.press("Skip")
    at(desk, TUESDAY, 13, 30)
    await kian.say("It is still dripping")
    at(desk, TUESDAY, 14)
    await ok(desk, "Bea", "reply 4 Replacing the whole tap then")
    at(desk, TUESDAY, 14, 30)
    await ok(desk, "Bea", "resolve 4 New tap")

    at(desk, TUESDAY, 15)
    reza = desk.person("Reza")
    await reza.say(PRINTER)
    await reza.press("This solved it")
    at(desk, TUESDAY, 15, 10)
    await desk.person("Mina").say(PRINTER)
    desk.clock.now = NOW


@pytest.fixture
async def known(desk: DeskHarness) -> DeskHarness:
    await history(desk)
    async with desk.sessions() as session:
        priorities = dict((await session.execute(select(Ticket.id, Ticket.priority))).all())
    assert priorities == {1: "normal", 2: "high", 3: "urgent", 4: "normal"}
    return desk


async def tuesday(desk: DeskHarness, filters: Filters | None = None) -> dict:  # type: ignore[type-arg]
    return await report(desk.sessions, Period(TUESDAY, TUESDAY), filters, now=NOW, apart=True)


async def test_a_report_is_the_same_run_apart_or_in_one_transaction(known: DeskHarness) -> None:
    # apart: the parts at once, each in its own session (PostgreSQL); the agent command runs
    # them in its own transaction, one after another
    for period in (Period(TUESDAY, TUESDAY), Period(MONDAY, TUESDAY)):
        at_once = await report(known.sessions, period, now=NOW, apart=True)
        async with known.sessions() as session:
            in_one = await report(one_session(session), period, now=NOW)
        assert at_once == in_one
        assert list(at_once) == list(in_one)  # the same keys in the same order


async def test_volume(known: DeskHarness) -> None:
    figures = await tuesday(known)
    assert figures["period"] == {"from": "2026-11-03", "to": "2026-11-03"}
    # Created #2 #3 #4; resolved (final resolution on Tuesday) #2 #4; re-opened #4; still to
    # be worked on at the end of Tuesday: #3.
    assert figures["tickets"] == {"created": 3, "resolved": 2, "reopened": 1, "backlog": 1}
    assert figures["previous"]["tickets"] == {
        "created": 1,
        "resolved": 1,
        "reopened": 0,
        "backlog": 0,
    }


async def test_speed(known: DeskHarness) -> None:
    figures = await tuesday(known)
    # First responses by a person: #2 after 40 min (the claim is not a response), #4 after 30.
    # p50 of [30, 40] = 35; p90 = 30 + 0.9 * 10 = 39.
    assert figures["first_response_minutes"] == {"p50": 35.0, "p90": 39.0, "n": 2}
    # To the final resolution: #2 60 min, #4 150 min (its re-open counts); p90 = 60 + 0.9 * 90.
    assert figures["resolution_minutes"] == {"p50": 105.0, "p90": 141.0, "n": 2}
    # The first resolutions, reported apart: both after 60 min.
    assert figures["first_resolution_minutes"] == {"p50": 60.0, "p90": 60.0, "n": 2}
    # Waits from a requester's message to the next agent reply: 40 (#2), 30 and 30 (#4).
    # p90 of [30, 30, 40]: rank 1.8 -> 30 + 0.8 * 10 = 38.
    assert figures["requester_wait_minutes"] == {"p50": 30.0, "p90": 38.0, "n": 3}
    assert figures["previous"]["first_response_minutes"] == {"p50": 20.0, "p90": 20.0, "n": 1}


async def test_sla(known: DeskHarness) -> None:
    figures = await tuesday(known)
    # First response judged for #2 (met), #3 (missed: nobody answered, due 11:30), #4 (met).
    assert figures["sla"] == {
        "first_response_hit_rate": round(2 / 3, 4),
        "first_response_n": 3,
        "resolution_hit_rate": 1.0,
        "resolution_n": 2,
        "breaches": 1,
    }


async def test_satisfaction_and_quality(known: DeskHarness) -> None:
    figures = await tuesday(known)
    # Surveys sent on Tuesday: #2 (5) and #4 (2; one survey per ticket, not again at 14:30).
    assert figures["csat"] == {
        "surveys_sent": 2,
        "responses": 2,
        "response_rate": 1.0,
        "average": 3.5,
        "satisfied_rate": 0.5,
    }
    # Monday's survey of #1 was never answered.
    assert figures["previous"]["csat"] == {
        "surveys_sent": 1,
        "responses": 0,
        "response_rate": 0.0,
        "average": None,
        "satisfied_rate": None,
    }
    # #2: one agent reply, never re-opened: first contact. #4: two replies and a re-open.
    assert figures["fcr_rate"] == 0.5
    assert figures["reopen_rate"] == 0.5


async def test_self_service(known: DeskHarness) -> None:
    figures = await tuesday(known)
    # Omid's question became #2; Reza confirmed; Mina neither wrote again nor opened a ticket.
    assert figures["self_service"] == {
        "questions": 3,
        "solved_confirmed": 1,
        "solved_assumed": 1,
        "escalated": 1,
        "deflection_rate": round(2 / 3, 4),
    }
    assert figures["articles"] == [
        {
            "id": "printer-not-printing",
            "shown": 2,
            "solved": 1,
            "rejected": 0,
            "escalated": 0,
            "deflection_rate": 0.5,
            "csat_average": None,
        },
        {
            "id": "forgotten-password",
            "shown": 1,
            "solved": 0,
            "rejected": 1,
            "escalated": 1,
            "deflection_rate": 0.0,
            "csat_average": 5.0,  # #2 was resolved naming it and rated 5
        },
    ]


async def test_an_assumed_solution_waits_a_day(known: DeskHarness) -> None:
    early = await report(
        known.sessions,
        Period(TUESDAY, TUESDAY),
        now=datetime(2026, 11, 4, 15, 0, tzinfo=UTC),  # Mina asked 23 h 50 min ago
        detail=False,
    )
    assert early["self_service"]["solved_assumed"] == 0


async def test_channels_priorities_and_agents(known: DeskHarness) -> None:
    figures = await tuesday(known)
    assert figures["by_channel"] == {
        "telegram": {"created": 1, "resolved": 0},
        "web": {"created": 2, "resolved": 2},
    }
    assert figures["by_priority"] == {
        "high": {"created": 1, "resolved": 1},
        "normal": {"created": 1, "resolved": 1},
        "urgent": {"created": 1, "resolved": 0},
    }
    agents = {a["name"]: a for a in figures["agents"]}
    assert agents["Ali"] | {} == {
        "name": "Ali",
        "key": "web:agent:Ali",
        "claimed": 1,
        "resolved": 1,
        "first_response_p50": 40.0,
        "first_responses": 1,
        "csat_average": 5.0,
        "open": 0,
        "transfers": 0,
        "merges": 0,
    }
    # Bea took #4 by answering it; she resolved it twice (one ticket).
    assert (agents["Bea"]["claimed"], agents["Bea"]["resolved"]) == (1, 1)
    assert (agents["Bea"]["first_response_p50"], agents["Bea"]["csat_average"]) == (30.0, 2.0)


async def test_live_figures(known: DeskHarness) -> None:
    live = (await tuesday(known))["live"]
    # Only #3 is still open: unassigned, unanswered, past its SLA, waiting since Tue 11:00.
    assert live == {
        "open": 1,
        "unassigned": 1,
        "unattended": 1,
        "pending": 0,
        "breached": 1,
        "oldest_waiting_minutes": 37 * 60.0,
    }


async def test_filters(known: DeskHarness) -> None:
    telegram = await tuesday(known, Filters(channel="telegram"))
    assert telegram["tickets"] == {"created": 1, "resolved": 0, "reopened": 0, "backlog": 1}
    assert telegram["first_response_minutes"] == {"p50": None, "p90": None, "n": 0}
    assert telegram["fcr_rate"] is None and telegram["reopen_rate"] is None
    assert telegram["self_service"]["questions"] == 0  # every question was asked on the web

    bea = await tuesday(known, Filters(agent="bea"))
    assert bea["tickets"] == {"created": 1, "resolved": 1, "reopened": 1, "backlog": 0}
    assert bea["resolution_minutes"] == {"p50": 150.0, "p90": 150.0, "n": 1}

    urgent = await tuesday(known, Filters(priority="urgent"))
    assert urgent["sla"]["first_response_hit_rate"] == 0.0

    article = await tuesday(known, Filters(article="forgotten-password"))
    assert article["tickets"]["created"] == 1
    assert article["self_service"]["questions"] == 1

    persian = await tuesday(known, Filters(lang="fa"))
    assert persian["tickets"]["created"] == 0


async def test_every_count_is_the_size_of_its_drill_down(known: DeskHarness) -> None:
    figures = await tuesday(known)
    period = Period(TUESDAY, TUESDAY)
    expected = {
        "created": [2, 3, 4],
        "resolved": [2, 4],
        "reopened": [4],
        "backlog": [3],
        "breaches": [3],
        "first_contact": [2],
        "open": [3],
        "unattended": [3],
    }
    async with known.sessions() as session:
        for name, ids in expected.items():
            assert list(await session.scalars(tickets_in(name, period, Filters(), NOW))) == ids
    assert figures["tickets"]["created"] == len(expected["created"])
    assert figures["tickets"]["resolved"] == len(expected["resolved"])
    assert figures["sla"]["breaches"] == len(expected["breaches"])
    assert figures["live"]["open"] == len(expected["open"])


async def test_every_agent_count_is_the_size_of_its_drill_down(known: DeskHarness) -> None:
    # Tuesday: Ali claimed, answered and resolved #2; Bea took #4 by answering it and resolved
    # it (twice: one ticket); neither owns an open ticket. Monday: Ali took #1 by answering it.
    expected = {
        (TUESDAY, "web:agent:Ali"): {"claimed": [2], "resolved": [2], "first_responses": [2]},
        (TUESDAY, "web:agent:Bea"): {"claimed": [4], "resolved": [4], "first_responses": [4]},
        (MONDAY, "web:agent:Ali"): {"claimed": [1], "resolved": [1], "first_responses": [1]},
    }
    for (day, key), sets in expected.items():
        period = Period(day, day)
        figures = await report(known.sessions, period, now=NOW, detail=False)
        (agent,) = [a for a in figures["agents"] if a["key"] == key]
        sets |= {"open": [], "transfers": [], "merges": []}
        async with known.sessions() as session:
            for name, ids in sets.items():
                query = tickets_in(f"agent_{name}", period, Filters(), NOW, actor=key)
                assert list(await session.scalars(query)) == ids, (day, key, name)
                assert agent[name] == len(ids), (day, key, name)
    # an agent figure without its agent, or another figure with one, is refused
    with pytest.raises(KeyError):
        tickets_in("agent_claimed", Period(TUESDAY, TUESDAY), Filters(), NOW)
    with pytest.raises(KeyError):
        tickets_in("created", Period(TUESDAY, TUESDAY), Filters(), NOW, actor="web:agent:Ali")


async def test_series_and_heatmap(known: DeskHarness) -> None:
    week = await report(known.sessions, Period(MONDAY, TUESDAY), now=NOW)
    monday, tuesday_ = week["series"]
    assert (monday["bucket"], monday["created"], monday["resolved"]) == ("2026-11-02", 1, 1)
    assert (tuesday_["bucket"], tuesday_["created"], tuesday_["resolved"]) == ("2026-11-03", 3, 2)
    assert (tuesday_["first_response_p50"], tuesday_["resolution_p90"]) == (35.0, 141.0)
    assert tuesday_["csat_average"] == 3.5
    assert monday["first_response_hit_rate"] == 1.0
    heat = week["heatmap"]
    assert len(heat) == 7 and all(len(row) == 24 for row in heat)
    assert heat[1][10] == 1  # Monday 10:00: #1
    assert (heat[2][9], heat[2][11], heat[2][12]) == (1, 1, 1)  # Tuesday
    assert sum(map(sum, heat)) == 4
    weekly = await report(known.sessions, Period(MONDAY, TUESDAY), now=NOW, by="week")
    assert [p["bucket"] for p in weekly["series"]] == ["2026-11-02"]
    assert weekly["series"][0]["created"] == 4


async def test_an_empty_period_has_zeros_and_nulls_never_errors(desk: DeskHarness) -> None:
    figures = await report(desk.sessions, Period(TUESDAY, TUESDAY), now=NOW)
    assert figures["tickets"] == {"created": 0, "resolved": 0, "reopened": 0, "backlog": 0}
    assert figures["first_response_minutes"] == {"p50": None, "p90": None, "n": 0}
    assert figures["csat"]["average"] is None and figures["fcr_rate"] is None
    assert figures["live"]["oldest_waiting_minutes"] is None


def test_periods() -> None:
    today = date(2026, 12, 2)
    assert period_from(None, None, today) == Period(date(2026, 11, 26), today)
    assert period_from("2026-11-01", "2026-11-30", today).days == 30
    assert Period(MONDAY, TUESDAY).previous() == Period(date(2026, 10, 31), date(2026, 11, 1))
    with pytest.raises(ReportInputError, match="--from"):
        period_from("yesterday", None, today)
    with pytest.raises(ReportInputError, match=r"--to .* before --from"):
        period_from("2026-11-05", "2026-11-01", today)
    with pytest.raises(ReportInputError, match="today, week or month"):
        Period.named("year", today)


@pytest.mark.parametrize(
    "minutes",
    [[7.0], [10.0, 20.0], [5.0, 1.0, 3.0], [1.0, 2.0, 3.0, 4.0, 100.0], [0.5] * 4 + [9.0] * 7],
)
async def test_percentiles_interpolate_like_percentile_cont(
    desk: DeskHarness, minutes: list[float]
) -> None:
    """The database's p50 and p90 of first responses equal the linear interpolation between
    the nearest ranks (PostgreSQL's percentile_cont), worked out here in Python."""
    for n, wait in enumerate(minutes, start=1):
        at(desk, TUESDAY, 8)
        assert await desk.person(f"P{n}").open_ticket("The kitchen tap on floor two drips") == n
        desk.clock.advance(minutes=wait)
        await ok(desk, "Ali", f"reply {n} On it")

    def cont(p: float) -> float:
        ordered = sorted(minutes)
        rank = (len(ordered) - 1) * p
        low = int(rank)
        high = min(low + 1, len(ordered) - 1)
        return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 1)

    figures = await tuesday(desk)
    assert figures["first_response_minutes"] == {
        "p50": cont(0.5),
        "p90": cont(0.9),
        "n": len(minutes),
    }


async def test_the_export_has_one_row_per_ticket_with_its_figures(known: DeskHarness) -> None:
    from conversations.reports import export

    period = Period(MONDAY, TUESDAY)
    async with known.sessions() as session:
        assert await export.count(session, period, Filters()) == 4
        rows = [
            dict(zip(export.COLUMNS, row, strict=True))
            async for row in export.rows(session, period, Filters(), now=NOW)
        ]
    assert [r["id"] for r in rows] == [1, 2, 3, 4]
    two, three, four = rows[1], rows[2], rows[3]
    assert two | {} == {
        "id": 2,
        "created": "2026-11-03T09:00:00+00:00",
        "channel": "web",
        "requester": "Omid",
        "language": "en",
        "priority": "high",
        "status": "resolved",
        "assignee": "Ali",
        "team": None,
        "first_response_minutes": 40.0,
        "resolution_minutes": 60.0,
        "first_response_sla_met": "yes",
        "resolution_sla_met": "yes",
        "reopen_count": 0,
        "agent_replies": 1,
        "csat": 5,
        "articles_tried": "forgotten-password",
        "resolved_with_article": "forgotten-password",
    }
    # #3 was never answered and its targets are long past: both missed.
    assert (three["channel"], three["first_response_sla_met"], three["assignee"]) == (
        "telegram",
        "no",
        None,
    )
    assert three["resolution_sla_met"] == "no"
    assert (four["reopen_count"], four["agent_replies"], four["resolution_minutes"]) == (
        1,
        2,
        150.0,
    )
    assert four["csat"] == 2 and four["articles_tried"] is None


async def test_surfaces_read_reports_and_their_tickets_through_the_read_side(
    known: DeskHarness,
) -> None:
    period = Period(TUESDAY, TUESDAY)
    known.clock.now = NOW
    assert (await known.desk.report(period))["tickets"] == (await tuesday(known))["tickets"]
    behind = await known.desk.tickets_behind("reopened", period)
    assert [(t.id, t.requester_name, t.status) for t in behind] == [(4, "Kian", "resolved")]
    assert [
        t.id for t in await known.desk.tickets_behind("created", period, Filters(channel="web"))
    ] == [2, 4]
    with pytest.raises(KeyError):
        await known.desk.tickets_behind("happiness", period)


async def test_deskbot_report_prints_the_same_figures_as_json_and_text(
    known: DeskHarness, database_url: str
) -> None:
    import asyncio
    import json

    from click.testing import CliRunner

    from bot.cli import main

    def cli(*args: str) -> str:
        result = CliRunner().invoke(
            main, ["report", "--database-url", database_url, *args], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return result.output

    tuesday_only = ("--from", "2026-11-03", "--to", "2026-11-03")
    # The CLI runs its own event loop and database engine, as a separate process would.
    printed = json.loads(await asyncio.to_thread(cli, *tuesday_only, "--format", "json"))
    expected = await tuesday(known)
    # "live" is as of the moment the command runs (the real clock), everything else is the period.
    printed.pop("live"), expected.pop("live")
    printed["previous"].pop("live", None), expected["previous"].pop("live", None)
    assert printed == expected
    assert printed["tickets"] == {"created": 3, "resolved": 2, "reopened": 1, "backlog": 1}
    assert printed["first_response_minutes"] == {"p50": 35.0, "p90": 39.0, "n": 2}

    web_only = json.loads(
        await asyncio.to_thread(cli, *tuesday_only, "--channel", "web", "--format", "json")
    )
    assert web_only["tickets"]["created"] == 2  # #2 and #4; #3 came by Telegram

    text = await asyncio.to_thread(cli, *tuesday_only)
    assert "2026-11-03" in text and "35 min" in text


async def _report_columns(engine: AsyncEngine) -> tuple[list[Any], list[Any]]:
    async with engine.connect() as connection:
        tickets = await connection.execute(
            select(
                Ticket.id,
                Ticket.first_resolved_at,
                Ticket.reopen_count,
                Ticket.agent_replies,
                Ticket.requester_waiting_since,
                Ticket.first_responder_key,
            ).order_by(Ticket.id)
        )
        entries = await connection.execute(
            select(TicketEntry.id, TicketEntry.waited_since).order_by(TicketEntry.id)
        )
        return list(tickets.all()), list(entries.all())


async def test_the_report_columns_the_lifecycle_keeps_are_what_the_migration_derives(
    known: DeskHarness, db_engine: AsyncEngine
) -> None:
    """Migration 0005 fills the per-ticket report columns of an existing database from the
    entries and the event log: the same values the lifecycle writes as it goes."""
    kept, kept_entries = await _report_columns(db_engine)

    def tue(hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 11, 3, hour, minute, tzinfo=UTC)

    ali, bea = "web:agent:Ali", "web:agent:Bea"
    # (id, first resolved, re-opens, agent replies, requester waiting since, first responder),
    # worked out above.
    assert [tuple(row) for row in kept] == [
        (1, datetime(2026, 11, 2, 11, 0, tzinfo=UTC), 0, 1, None, ali),
        (2, tue(10), 0, 1, None, ali),
        (3, None, 0, 0, tue(11), None),
        (4, tue(13), 1, 2, None, bea),
    ]
    waits = sorted(since for _id, since in kept_entries if since is not None)
    assert waits == [datetime(2026, 11, 2, 10, 0, tzinfo=UTC), tue(9), tue(12), tue(13, 30)]

    def down(connection: Connection) -> None:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")

    async with db_engine.begin() as connection:
        await connection.run_sync(down)
    await db.upgrade(db_engine)
    assert await _report_columns(db_engine) == (kept, kept_entries)


async def test_reports_loading_at_once_leave_the_pool_connections_for_the_chat(
    known: DeskHarness, db_engine: AsyncEngine
) -> None:
    # Four dashboards load at the same moment; each report runs its five parts at once on
    # PostgreSQL, yet the process's reports hold at most REPORT_CONNECTIONS connections.
    held, most = 0, 0

    def checkout(*_: Any) -> None:
        nonlocal held, most
        held += 1
        most = max(most, held)

    def checkin(*_: Any) -> None:
        nonlocal held
        held -= 1

    event.listen(db_engine.sync_engine.pool, "checkout", checkout)
    event.listen(db_engine.sync_engine.pool, "checkin", checkin)
    period = Period(MONDAY, TUESDAY)
    reports = await asyncio.gather(*(known.reads.report(period) for _ in range(4)))
    assert 1 <= most <= REPORT_CONNECTIONS
    assert all(r == reports[0] for r in reports)
