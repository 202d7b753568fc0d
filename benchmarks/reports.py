"""Benchmark the reports on a generated year of tickets: the dashboard's summary query, the
``deskbot report`` command and the streamed ``deskbot export tickets``.

    python benchmarks/reports.py [--database-url URL] [--tickets 100000] [--seed 0] [--keep]

Generates ``--tickets`` tickets spread over the last 365 days with the rows a real desk leaves
behind (requesters, conversations, inbound and outbound messages, ticket entries, the event log:
created / claimed / first response / status changes / pending / reopen / priority / transfer /
merge, SLA due times and alerts, surveys sent and answered, FAQ suggestions and their outcomes,
article links), bulk-loaded (PostgreSQL: COPY through asyncpg; SQLite: executemany in one
transaction) into a schema built by the Alembic migrations. Then it prints, each with its goal
and the ratio to it:

  1. ``compute.report`` (the dashboard: the period, the previous period, live cards, series and
     heatmap) for the last 30 days and for the whole year: median of 5 warm runs, with the
     slowest statements of one run (to know where the time goes);
  2. ``deskbot report --format json`` as a subprocess (wall time), next to ``deskbot --help``
     (the start-up floor, measured in the same run);
  3. ``deskbot export tickets --output FILE`` for the whole year as a subprocess: rows/s, next
     to a bare streamed ``SELECT`` of the same ticket rows (the ceiling, measured in the same
     run), and its peak memory (benchmarks/peak_memory.py) against one day's export.

The tables are dropped at the end unless ``--keep``; ``--reuse`` measures a database kept by an
earlier run (migrating it to head first) without generating again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot import db
from bot.config import Settings
from conversations.models import Base
from conversations.reports import compute
from conversations.reports.period import Filters, Period
from output import table  # benchmarks/ is sys.path[0] when run as a script

RUNS = 5
DAY = 86400.0
CHUNK = 5000  # tickets generated and loaded at a time

CHANNELS = (("web", 0.45), ("slack", 0.35), ("telegram", 0.20))
LANGS = (("en", 0.7), ("fa", 0.3))
PRIORITY_MIX = (("low", 0.15), ("normal", 0.60), ("high", 0.18), ("urgent", 0.07))
# (first response, resolution) targets in seconds, like the default SLA policy.
SLA = {
    "low": (8 * 3600, 72 * 3600),
    "normal": (4 * 3600, 24 * 3600),
    "high": (3600, 8 * 3600),
    "urgent": (1800, 4 * 3600),
}
TEAMS = ("billing", "tech", "accounts")
ARTICLES = [f"faq-{i:03d}" for i in range(200)]
SUBJECTS = (
    "cannot log in",
    "invoice is wrong",
    "vpn keeps dropping",
    "password reset link expired",
    "printer offline",
    "need access to the shared drive",
    "app crashes on start",
    "refund request",
    "ورود به حساب ممکن نیست",
    "فاکتور اشتباه است",
)
REPLIES = (
    "Thanks, looking into it now.",
    "Could you send a screenshot?",
    "That should be fixed now, can you try again?",
    "I have reset it for you.",
    "لطفا دوباره امتحان کنید.",
)

# Goals: the (summary query); the others are this benchmark's (stated in the README).
SUMMARY_GOAL = {"100k": 0.300, "1M": 2.0}


def _goal_for(tickets: int) -> float:
    return SUMMARY_GOAL["1M"] if tickets > 300_000 else SUMMARY_GOAL["100k"]


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    x = rng.random()
    for value, share in mix:
        x -= share
        if x < 0:
            return value
    return mix[-1][0]


# --------------------------------------------------------------------------------------------
# Generating


COLUMNS: dict[str, tuple[str, ...]] = {
    "agents": ("id", "key", "name", "available", "last_assigned_at", "last_seen_at"),
    "people": ("id", "platform", "platform_user_id", "display_name", "lang", "created_at"),
    "conversations": (
        "id", "platform", "chat_id", "thread_key", "person_id", "state", "question",
        "survey_ticket_id", "lang", "greeted", "created_at", "updated_at",
    ),
    "tickets": (
        "id", "conversation_id", "requester_id", "subject", "description", "channel", "priority",
        "status", "assignee_key", "assignee_name", "lang", "resolution", "team", "merged_into_id",
        "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at",
        "first_response_due_at", "resolution_due_at", "first_resolved_at", "reopen_count",
        "agent_replies", "requester_waiting_since", "first_responder_key",
    ),
    "ticket_entries": ("id", "ticket_id", "kind", "author", "text", "created_at", "waited_since"),
    "ticket_events": (
        "id", "ticket_id", "conversation_id", "actor", "actor_key", "action", "from_value",
        "to_value", "created_at",
    ),
    "suggestions": (
        "id", "conversation_id", "ticket_id", "query", "article_id", "score", "rank", "outcome",
        "shown_at", "answered_at",
    ),
    "messages": (
        "id", "platform", "chat_id", "thread_id", "direction", "ticket_id", "in_ticket_thread",
        "author", "text", "buttons", "lang", "status", "attempts", "next_attempt_at",
        "lease_until", "platform_message_id", "last_error", "created_at", "sent_at",
    ),
    "transfers": (
        "id", "ticket_id", "from_key", "from_name", "to_key", "to_name", "to_team", "note",
        "status", "created_at", "expires_at", "decided_at",
    ),
    "sla_alerts": ("id", "ticket_id", "target", "stage", "due_at", "sent_at"),
    "surveys": (
        "id", "ticket_id", "requester_id", "rating", "comment", "sent_at", "answered_at",
    ),
    "article_links": (
        "id", "ticket_id", "article_id", "question", "agent", "source", "created_at",
    ),
}  # fmt: skip
LOAD_ORDER = tuple(COLUMNS)


@dataclass
class Ids:
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def next(self, table: str) -> int:
        self.counters[table] += 1
        return self.counters[table]


@dataclass
class World:
    """What tickets are drawn from: agents, requesters (each with one conversation)."""

    now: datetime
    agents: list[tuple[str, str]]  # (key, name)
    people: list[tuple[int, str, str, str]]  # (id = conversation id, platform, chat id, lang)


class Generator:
    def __init__(self, tickets: int, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.n = tickets
        self.now = now
        self.start = now - timedelta(days=365)
        self.ids = Ids()
        self.alert_keys: set[tuple[int, str, str]] = set()

    def t(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def world(self) -> tuple[World, dict[str, list[tuple[Any, ...]]]]:
        rng = self.rng
        rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        agents = []
        for i in range(25):
            platform_ = ("slack", "telegram", "web")[i % 3]
            key, name = f"{platform_}:AGENT{i:02d}", f"Agent {i:02d}"
            agents.append((key, name))
            rows["agents"].append((i + 1, key, name, True, None, self.now))
        people = []
        for pid in range(1, max(10, int(self.n * 0.4)) + 1):
            channel, lang = _pick(rng, CHANNELS), _pick(rng, LANGS)
            chat = f"U{pid:08d}"
            joined = self.t(rng.random() * DAY * 30)
            rows["people"].append((pid, channel, chat, f"Requester {pid}", None, joined))
            rows["conversations"].append(
                (pid, channel, chat, "", pid, "idle", "", None, lang, True, joined, joined)
            )
            people.append((pid, channel, chat, lang))
        return World(self.now, agents, people), rows

    def created_times(self) -> list[float]:
        """Seconds since the start, sorted (ids grow with time), busier on weekdays and in
        working hours, and growing over the year (recent months busier)."""
        rng = self.rng
        out = []
        start_weekday = self.start.weekday()
        while len(out) < self.n:
            s = (rng.random() ** 0.8) * 365 * DAY
            day = int(s // DAY)
            hour = (s % DAY) / 3600
            weight = (0.35 if (start_weekday + day) % 7 >= 5 else 1.0) * (
                1.0 if 7 <= hour < 18 else 0.3
            )
            if rng.random() < weight:
                out.append(s)
        out.sort()
        return out

    def tickets(self, world: World) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        """Rows for ``CHUNK`` tickets at a time."""
        times = self.created_times()
        horizon = (self.now - self.start).total_seconds()
        rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for index, t0 in enumerate(times):
            self.ticket(world, index + 1, t0, horizon, rows)
            if (index + 1) % CHUNK == 0:
                yield rows
                rows = defaultdict(list)
        # Questions answered by the FAQ alone (no ticket): deflection figures.
        for _ in range(int(self.n * 0.8)):
            self.self_service(world, self.rng.random() * horizon, horizon, rows)
        yield rows

    def self_service(
        self, world: World, t0: float, horizon: float, rows: dict[str, list[tuple[Any, ...]]]
    ) -> None:
        rng = self.rng
        pid, platform_, chat, lang = rng.choice(world.people)
        x = rng.random()
        outcome = "solved" if x < 0.4 else ("ignored" if x < 0.6 else None)
        answered = t0 + rng.expovariate(1 / 120)
        if answered > horizon:
            outcome = None
        query = rng.choice(SUBJECTS)
        self._message(rows, platform_, chat, "in", None, f"Requester {pid}", query, lang, t0)
        for rank in range(1, rng.choice((1, 1, 2, 3)) + 1):
            article = ARTICLES[min(int(rng.paretovariate(1.2)) - 1, len(ARTICLES) - 1)]
            mine = outcome if rank == 1 else (None if outcome is None else "ignored")
            rows["suggestions"].append(
                (
                    self.ids.next("suggestions"), pid, None, query, article,
                    round(0.6 + rng.random() * 0.4, 3), rank, mine, self.t(t0),
                    self.t(answered) if mine else None,
                )
            )  # fmt: skip
            if mine:
                self._event(
                    rows, None, pid, f"Requester {pid}", f"{platform_}:{chat}", "suggestion",
                    article, mine, answered,
                )  # fmt: skip
        self._message(rows, platform_, chat, "out", None, "Deskbot", "Does this help?", lang, t0)

    def _event(
        self,
        rows: dict[str, list[tuple[Any, ...]]],
        ticket: int | None,
        conversation: int | None,
        actor: str,
        key: str | None,
        action: str,
        before: str | None,
        after: str | None,
        at: float,
    ) -> None:
        rows["ticket_events"].append(
            (
                self.ids.next("ticket_events"), ticket, conversation, actor, key, action, before,
                after, self.t(at),
            )
        )  # fmt: skip

    def _message(
        self,
        rows: dict[str, list[tuple[Any, ...]]],
        platform_: str,
        chat: str,
        direction: str,
        ticket: int | None,
        author: str,
        body: str,
        lang: str,
        at: float,
        *,
        thread: bool = False,
    ) -> None:
        mid = self.ids.next("messages")
        out = direction == "out"
        rows["messages"].append(
            (
                mid, platform_, chat, None, direction, ticket, thread, author, body, "[]", lang,
                "sent" if out else None, 1 if out else 0, None, None,
                f"m{mid}" if out else None, None, self.t(at), self.t(at + 0.4) if out else None,
            )
        )  # fmt: skip

    def ticket(
        self,
        world: World,
        tid: int,
        t0: float,
        horizon: float,
        rows: dict[str, list[tuple[Any, ...]]],
    ) -> None:
        rng = self.rng
        pid, channel, chat, lang = rng.choice(world.people)
        person, person_key = f"Requester {pid}", f"{channel}:{chat}"
        priority = _pick(rng, PRIORITY_MIX)
        subject = rng.choice(SUBJECTS)
        first_target, resolution_target = SLA[priority]
        first_due, resolution_due = t0 + first_target, t0 + resolution_target
        desk_chat = "CDESK"
        # The timeline, in order; everything later than now is cut off below.
        events: list[tuple[float, str, str | None, str, str | None, str | None]] = []
        entries: list[tuple[float, str, str, str]] = []

        def say(at: float, kind: str, author: str, body: str) -> None:
            entries.append((at, kind, author, body))

        if rng.random() < 0.6:  # suggestions shown first, then escalated or rejected
            t_s = t0 - 90
            for rank in range(1, rng.choice((1, 2, 3)) + 1):
                article = ARTICLES[min(int(rng.paretovariate(1.2)) - 1, len(ARTICLES) - 1)]
                outcome = "escalated" if rank == 1 else "rejected"
                rows["suggestions"].append(
                    (
                        self.ids.next("suggestions"), pid, tid, subject, article,
                        round(0.5 + rng.random() * 0.4, 3), rank, outcome, self.t(t_s),
                        self.t(t0 - 5),
                    )
                )  # fmt: skip
                self._event(
                    rows, tid, pid, person, person_key, "suggestion", article, outcome, t0 - 5
                )
        say(t0, "requester", person, subject)
        events.append((t0, person, person_key, "created", None, "new"))
        t = t0
        if rng.random() < 0.08:
            new_priority = rng.choice([p for p, _ in PRIORITY_MIX if p != priority])
            t += rng.uniform(60, 900)
            events.append((t, person, person_key, "priority", priority, new_priority))
            priority = new_priority
            first_due, resolution_due = t0 + SLA[priority][0], t0 + SLA[priority][1]
        status = "new"
        owner: tuple[str, str] | None = None
        team = None
        merged_into = None
        resolution_text = None
        survey: tuple[float, float | None, int | None] | None = None
        links: list[tuple[float, str, str, str]] = []
        transfers: list[tuple[float, tuple[str, str], tuple[str, str] | None, str | None]] = []
        if rng.random() < 0.95:
            # Claimed and answered: mostly within target, with a long tail that breaches.
            delay = rng.lognormvariate(math.log(first_target * 0.35), 1.0)
            owner = rng.choice(world.agents)
            claim = t0 + delay * 0.8
            events.append((claim, owner[1], owner[0], "assigned", None, owner[1]))
            events.append((claim, owner[1], owner[0], "status", "new", "open"))
            status = "open"
            t = t0 + delay
            say(t, "agent", owner[1], rng.choice(REPLIES))
            events.append((t, owner[1], owner[0], "first_response", None, None))
            if rng.random() < 0.02 and tid > 1:  # a duplicate, merged into an earlier ticket
                merged_into = rng.randrange(max(1, tid - 50), tid)
                t += rng.uniform(60, 3600)
                events.append((t, owner[1], owner[0], "merged", None, f"#{merged_into}"))
                events.append((t, owner[1], owner[0], "status", "open", "closed"))
                status = "closed"
            else:
                if rng.random() < 0.05:  # a transfer, accepted
                    t += rng.uniform(300, 7200)
                    receiver = rng.choice([a for a in world.agents if a != owner])
                    to_team = rng.choice(TEAMS) if rng.random() < 0.3 else None
                    target = to_team or receiver[1]
                    events.append((t, owner[1], owner[0], "transfer", owner[1], target))
                    accepted = t + rng.uniform(60, 1800)
                    transfers.append((t, owner, None if to_team else receiver, to_team))
                    events.append(
                        (accepted, receiver[1], receiver[0], "transfer_accepted", owner[1],
                         receiver[1])
                    )  # fmt: skip
                    events.append(
                        (accepted, receiver[1], receiver[0], "assigned", owner[1], receiver[1])
                    )
                    owner, team, t = receiver, to_team, accepted
                for _ in range(min(int(rng.expovariate(1.0)), 4)):
                    if rng.random() < 0.25:
                        t += rng.uniform(60, 600)
                        events.append((t, owner[1], owner[0], "status", "open", "pending"))
                        t += rng.expovariate(1 / 7200)
                        say(t, "requester", person, "here you go")
                        events.append((t, person, person_key, "status", "pending", "open"))
                    else:
                        t += rng.expovariate(1 / 3600)
                        say(t, "requester", person, "still not working")
                    t += rng.lognormvariate(math.log(1800), 1.0)
                    say(t, "agent", owner[1], rng.choice(REPLIES))
                if rng.random() < 0.1:
                    say(t + 30, "note", owner[1], "checked the logs")
                resolve = max(t + 60, t0 + rng.lognormvariate(math.log(resolution_target * 0.4), 1))
                events.append((resolve, owner[1], owner[0], "status", "open", "resolved"))
                resolution_text = "fixed"
                if rng.random() < 0.15:
                    links.append((resolve, rng.choice(ARTICLES[:60]), subject, owner[1]))
                if rng.random() < 0.85:
                    answered = resolve + rng.expovariate(1 / 7200) if rng.random() < 0.45 else None
                    rating = rng.choices((5, 4, 3, 2, 1), (50, 25, 10, 7, 8))[0]
                    survey = (resolve + 60, answered, rating)
                    if answered is not None:
                        events.append(
                            (answered, person, person_key, "survey_answered", None, str(rating))
                        )
                t = resolve
                if rng.random() < 0.07:  # re-opened by the requester, resolved again
                    t += rng.expovariate(1 / 21600)
                    say(t, "requester", person, "it broke again")
                    events.append((t, person, person_key, "status", "resolved", "open"))
                    t += rng.lognormvariate(math.log(3600), 1.0)
                    say(t, "agent", owner[1], rng.choice(REPLIES))
                    t += rng.uniform(300, 7200)
                    events.append((t, owner[1], owner[0], "status", "open", "resolved"))
                if rng.random() < 0.7:  # closed by the quiet-period timer
                    t += 3 * DAY
                    events.append((t, "Deskbot", None, "status", "resolved", "closed"))
        elif t0 + 7 * DAY < horizon:  # never picked up: closed by the timer after a week
            events.append((t0 + 7 * DAY, "Deskbot", None, "status", "new", "closed"))

        # Cut the timeline at now and derive the ticket's columns from what is left.
        events = [e for e in events if e[0] <= horizon]
        entries = [e for e in entries if e[0] <= horizon]
        status, assignee, first_at, resolved_at, closed_at = "new", None, None, None, None
        first_resolved, reopens, responder = None, 0, None
        for at, _actor, _key, action, before, after in events:
            if action == "status":
                status = after or status
                reopens += before in ("resolved", "closed") and after in ("new", "open")
                if after == "resolved":
                    resolved_at = at
                    first_resolved = at if first_resolved is None else first_resolved
                elif after in ("open", "new", "pending"):
                    resolved_at = None
                elif after == "closed":
                    closed_at = at
            elif action == "assigned":
                assignee = next(a for a in world.agents if a[1] == after)
            elif action == "first_response":
                first_at, responder = at, _key
        if merged_into is not None and status != "closed":
            merged_into = None
        updated = max([t0] + [e[0] for e in events] + [e[0] for e in entries])
        # What TicketStore.add_entry keeps: agent replies, and the wait each one ended.
        waiting: float | None = None
        waited: list[float | None] = []
        for _at, kind, _author, _body in entries:
            waited.append(waiting if kind == "agent" else None)
            if kind == "requester":
                waiting = _at
            elif kind == "agent":
                waiting = None
        replies = sum(1 for e in entries if e[1] == "agent")
        rows["tickets"].append(
            (
                tid, pid, pid, subject, subject, channel, priority, status,
                assignee[0] if assignee else None, assignee[1] if assignee else None, lang,
                resolution_text if resolved_at else None, team, merged_into, self.t(t0),
                self.t(updated), self.t(first_at) if first_at is not None else None,
                self.t(resolved_at) if resolved_at is not None else None,
                self.t(closed_at) if closed_at is not None else None, self.t(first_due),
                self.t(resolution_due),
                self.t(first_resolved) if first_resolved is not None else None, reopens, replies,
                self.t(waiting) if waiting is not None else None, responder,
            )
        )  # fmt: skip
        for at, actor, key, action, before, after in events:
            self._event(rows, tid, pid, actor, key, action, before, after, at)
        opened = f"Ticket #{tid} opened"
        self._message(rows, channel, chat, "out", tid, "Deskbot", opened, lang, t0)
        self._message(rows, "slack", desk_chat, "out", tid, "Deskbot", subject, "en", t0)
        for (at, kind, author, body), since in zip(entries, waited, strict=True):
            rows["ticket_entries"].append(
                (
                    self.ids.next("ticket_entries"), tid, kind, author, body, self.t(at),
                    self.t(since) if since is not None else None,
                )
            )  # fmt: skip
            if kind == "requester":
                self._message(rows, channel, chat, "in", tid, author, body, lang, at)
                self._message(
                    rows, "slack", desk_chat, "out", tid, "Deskbot", body, "en", at, thread=True
                )
            elif kind == "agent":
                self._message(rows, channel, chat, "out", tid, author, body, lang, at)
        for at, sender, receiver, to_team in transfers:
            if at <= horizon:
                rows["transfers"].append(
                    (
                        self.ids.next("transfers"), tid, sender[0], sender[1],
                        receiver[0] if receiver else None, receiver[1] if receiver else None,
                        to_team, "", "accepted", self.t(at), self.t(at + 3600),
                        self.t(min(at + 1800, horizon)),
                    )
                )  # fmt: skip
        if survey is not None and survey[0] <= horizon:
            sent, answered, rating = survey
            answered = answered if answered is not None and answered <= horizon else None
            rows["surveys"].append(
                (
                    self.ids.next("surveys"), tid, pid, rating if answered else None, None,
                    self.t(sent), self.t(answered) if answered else None,
                )
            )  # fmt: skip
            self._message(rows, channel, chat, "out", tid, "Deskbot", "How did we do?", lang, sent)
        for at, article, question, agent in links:
            if at <= horizon:
                rows["article_links"].append(
                    (
                        self.ids.next("article_links"), tid, article, question, agent, "resolve",
                        self.t(at),
                    )
                )  # fmt: skip
        # SLA alerts: a breach notice when a target passed undone.
        end_first = first_at if first_at is not None else horizon
        if first_due <= horizon and end_first > first_due:
            rows["sla_alerts"].append(
                (self.ids.next("sla_alerts"), tid, "first_response", "breach",
                 self.t(first_due), self.t(first_due + 30))
            )  # fmt: skip
        end_resolution = (
            resolved_at if resolved_at is not None else (closed_at if closed_at else horizon)
        )
        if resolution_due <= horizon and end_resolution > resolution_due:
            rows["sla_alerts"].append(
                (self.ids.next("sla_alerts"), tid, "resolution", "breach",
                 self.t(resolution_due), self.t(resolution_due + 30))
            )  # fmt: skip


# --------------------------------------------------------------------------------------------
# Loading


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # SQLAlchemy's SQLite DateTime storage format (always with microseconds), UTC.
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


class Loader:
    """Bulk loads rows into one database: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.rows = 0
        self.seconds = 0.0
        self._pg: Any = None
        self._sqlite: sqlite3.Connection | None = None

    async def open(self) -> None:
        if self.url.get_backend_name() == "postgresql":
            import asyncpg

            self._pg = await asyncpg.connect(
                host=self.url.host or "127.0.0.1",
                port=self.url.port or 5432,
                user=self.url.username,
                password=self.url.password,
                database=self.url.database,
            )
        else:
            self._sqlite = sqlite3.connect(str(self.url.database))
            self._sqlite.execute("PRAGMA foreign_keys=OFF")  # loaded parents first anyway

    async def load(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        started = time.perf_counter()
        for name in LOAD_ORDER:
            batch = rows.get(name)
            if not batch:
                continue
            columns = COLUMNS[name]
            if self._pg is not None:
                await self._pg.copy_records_to_table(name, records=batch, columns=columns)
            else:
                assert self._sqlite is not None
                marks = ", ".join("?" * len(columns))
                self._sqlite.executemany(
                    f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",
                    ([_sqlite_value(v) for v in row] for row in batch),
                )
            self.rows += len(batch)
        if self._sqlite is not None:
            self._sqlite.commit()
        self.seconds += time.perf_counter() - started

    async def finish(self) -> None:
        """Sequences past the loaded ids, and fresh planner statistics (what autovacuum or
        ``PRAGMA optimize`` would give a desk that grew to this size)."""
        if self._pg is not None:
            for table in LOAD_ORDER:
                await self._pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
            await self._pg.execute("ANALYZE")
            await self._pg.close()
        elif self._sqlite is not None:
            self._sqlite.execute("ANALYZE")
            self._sqlite.commit()
            self._sqlite.close()


async def reset_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await db.upgrade(engine)


async def drop_schema(engine: AsyncEngine) -> None:
    # With foreign keys on (bot.db turns them on for every SQLite connection), SQLite empties each
    # dropped table row by row, checking every child table for each row: hours for 2.7 million
    # rows. A plain engine leaves them off.
    dropper = create_async_engine(engine.url) if engine.dialect.name == "sqlite" else engine
    try:
        async with dropper.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        if dropper is not engine:
            await dropper.dispose()


async def generate(url: str, engine: AsyncEngine, tickets: int, seed: int, now: datetime) -> str:
    await reset_schema(engine)
    loader = Loader(url)
    await loader.open()
    gen = Generator(tickets, seed, now)
    started = time.perf_counter()
    world, rows = gen.world()
    await loader.load(rows)
    for chunk in gen.tickets(world):
        await loader.load(chunk)
    load_started = time.perf_counter()
    await loader.finish()
    analyze = time.perf_counter() - load_started
    total = time.perf_counter() - started
    counts = dict(gen.ids.counters)
    summary = ", ".join(f"{table} {n:,}" for table, n in sorted(counts.items()))
    return (
        f"generated {tickets:,} tickets ({loader.rows:,} rows: people/conversations "
        f"{len(world.people):,}, {summary}) in {total:.0f} s: {loader.rows / total:,.0f} rows/s, "
        f"{tickets / total:,.0f} tickets/s overall; loading {loader.seconds:.0f} s "
        f"({loader.rows / loader.seconds:,.0f} rows/s), ANALYZE {analyze:.1f} s"
    )


# --------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    goal: float
    lower_is_better: bool = True
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.goal if self.lower_is_better else self.goal / self.value

    @property
    def verdict(self) -> str:
        return "ok" if self.ratio <= 1 else "MISSED"


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:g} {unit}"


class StatementTimer:
    """Time per statement while ``on``: where a report spends its time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.on = False
        self.times: list[tuple[float, str]] = []
        self._started: dict[int, float] = {}
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        started = self._started.pop(id(cursor), None)
        if self.on and started is not None:
            self.times.append((time.perf_counter() - started, " ".join(statement.split())))


async def time_report(
    engine: AsyncEngine, period: Period, timer: StatementTimer
) -> tuple[float, list[tuple[float, str]], dict[str, Any]]:
    sessions = db.session_factory(engine)
    times = []
    result: dict[str, Any] = {}
    for run in range(RUNS + 1):  # the first run warms caches and is not counted
        timer.on, timer.times = run == 1, []
        started = time.perf_counter()
        result = await compute.report(
            sessions, period, Filters(), now=datetime.now(UTC), apart=True
        )
        elapsed = time.perf_counter() - started
        if run == 1:
            slowest = sorted(timer.times, reverse=True)[:6]
        if run:
            times.append(elapsed)
    timer.on = False
    return statistics.median(times), slowest, result


def _cli(*args: str) -> list[str]:
    exe = shutil.which("deskbot", path=str(Path(sys.executable).parent)) or "deskbot"
    return [exe, *args]


def _measured(*args: str) -> list[str]:
    """``deskbot`` run so that it reports its own peak memory (benchmarks/peak_memory.py)."""
    return [sys.executable, str(Path(__file__).with_name("peak_memory.py")), *args]


def run_child(argv: list[str], env: dict[str, str]) -> tuple[float, float | None, bytes]:
    """Wall seconds, peak RSS in MB (when run through ``_measured``) and stdout."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        assert child.stderr is not None
        errors = child.stderr.read()
        child.wait()
        elapsed = time.perf_counter() - started
        child.stderr.close()
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed:\n{errors.decode(errors='replace')}")
        out.seek(0)
        peaks = [
            float(line.split()[1])
            for line in errors.decode(errors="replace").splitlines()
            if line.startswith("peak-rss-mb ")
        ]
        return elapsed, peaks[-1] if peaks else None, out.read()


async def export_ceiling(engine: AsyncEngine, period: Period) -> tuple[int, float]:
    """A bare streamed SELECT of the tickets' own columns: how fast rows leave the database."""
    from conversations.models import Ticket

    sessions = db.session_factory(engine)
    async with sessions() as session:
        started = time.perf_counter()
        result = await session.stream(
            select(*Ticket.__table__.c)
            .where(Ticket.created_at >= period.start, Ticket.created_at < period.end)
            .order_by(Ticket.id)
            .execution_options(yield_per=2000)
        )
        n = 0
        async for _row in result:
            n += 1
        return n, time.perf_counter() - started


async def measure(url: str, engine: AsyncEngine, tickets: int) -> list[Figure]:
    today = datetime.now(UTC).date()
    month = Period(today - timedelta(days=29), today)
    year = Period(today - timedelta(days=364), today)
    timer = StatementTimer(engine)
    goal = _goal_for(tickets)
    figures: list[Figure] = []
    for name, period in (("30 days", month), ("365 days", year)):
        median, slowest, result = await time_report(engine, period, timer)
        created = result["tickets"]["created"]
        figures.append(
            Figure(
                f"compute.report, {name} (median of {RUNS}, warm)",
                median,
                "s",
                goal,
                note=f"{created:,} tickets created in the period",
            )
        )
        print(f"\nslowest statements of one compute.report run, {name}:")
        for seconds, statement in slowest:
            print(f"  {seconds * 1000:8.1f} ms  {statement[:150]}")

    env = {**os.environ, "DESKBOT_DATABASE_URL": url}
    env.pop("DESKBOT_TEAM_FILE", None)
    floor, _, _ = run_child(_cli("--help"), env)
    cli_times = []
    for _ in range(3):
        wall, _, out = run_child(
            _cli("report", "--from", month.first.isoformat(), "--to", month.last.isoformat(),
                 "--format", "json"),
            env,
        )  # fmt: skip
        cli_times.append(wall)
        json.loads(out)
    figures.append(
        Figure(
            "deskbot report --format json, 30 days (median of 3, wall)",
            statistics.median(cli_times),
            "s",
            goal + 1.0,
            note=f"goal: summary goal + 1 s start-up; `deskbot --help` takes {floor * 1000:.0f} ms",
        )
    )

    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "tickets.csv"
        day = year.last.isoformat()
        # One day's export first: the memory a few hundred rows need, to compare the year's with.
        _, small_peak, _ = run_child(
            _measured("export", "tickets", "--from", day, "--to", day, "--output", str(output)),
            env,
        )
        wall, peak, _ = run_child(
            _measured("export", "tickets", "--from", year.first.isoformat(), "--to",
                      year.last.isoformat(), "--output", str(output)),
            env,
        )  # fmt: skip
        with output.open("rb") as f:
            exported = sum(1 for _ in f) - 1
        size = output.stat().st_size / 1e6
    assert peak is not None and small_peak is not None, "peak_memory.py printed no figure"
    ceiling_n, ceiling_s = await export_ceiling(engine, year)
    figures.append(
        Figure(
            "deskbot export tickets, 365 days (wall, incl. start-up)",
            exported / wall,
            "rows/s",
            10_000,
            lower_is_better=False,
            note=(
                f"{exported:,} rows, {size:,.0f} MB in {wall:.1f} s; ceiling (bare streamed "
                f"SELECT of the ticket rows): {ceiling_n / ceiling_s:,.0f} rows/s"
            ),
        )
    )
    figures.append(
        Figure(
            "deskbot export tickets, 365 days: peak RSS (VmHWM) of the process",
            peak,
            "MB",
            200,
            note=f"the same command for one day peaks at {small_peak:,.0f} MB",
        )
    )
    figures.append(
        Figure(
            "export peak RSS growth, one day -> 365 days",
            max(peak - small_peak, 0.1),
            "MB",
            32,
            note=f"{exported:,} rows against one day's; streamed, it must not grow with rows",
        )
    )
    return figures


async def main_async(args: argparse.Namespace) -> int:
    url: str = Settings(database_url=args.database_url).database_url
    engine = db.create_engine(url)
    backend = engine.dialect.name
    started = time.perf_counter()
    print(
        f"reports benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.platform()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {backend}"
    )
    try:
        if args.reuse:
            await db.upgrade(engine)
            async with engine.connect() as connection:
                tickets = int((await connection.scalar(text("SELECT count(*) FROM tickets"))) or 0)
            print(f"reusing {tickets:,} tickets already in the database (migrated to head)")
        else:
            tickets = args.tickets
            now = datetime.now(UTC).replace(microsecond=0)
            print(await generate(url, engine, tickets, args.seed, now))
        figures = await measure(url, engine, tickets)
    finally:
        if not args.keep:
            await drop_schema(engine)
        await engine.dispose()
        if not args.keep and backend == "sqlite" and args.scratch:
            shutil.rmtree(args.scratch, ignore_errors=True)

    print(f"\n{tickets:,} tickets on {backend}")
    print(
        table(
            ["figure", "measured", "goal", "ratio to goal", "", "notes"],
            [
                [
                    f.name,
                    _fmt(f.value, f.unit),
                    ("<= " if f.lower_is_better else ">= ") + _fmt(f.goal, f.unit),
                    f"{f.ratio:.2f}",
                    f.verdict,
                    f.note,
                ]
                for f in figures
            ],
        )
    )
    print(f"\nrun took {time.perf_counter() - started:.0f} s")
    return 0 if all(f.ratio <= 1 for f in figures) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database-url",
        help="sqlite:///FILE or postgresql://... (default: a SQLite file in a scratch folder); "
        "the benchmark drops and recreates Deskbot's tables in it",
    )
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the tables (and SQLite file)")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the tickets already there, do not generate"
    )
    args = parser.parse_args(argv)
    args.scratch = None
    if args.database_url is None:
        args.scratch = tempfile.mkdtemp(prefix="deskbot-bench-")
        args.database_url = f"sqlite:///{args.scratch}/bench.db"
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
