"""report columns: per-ticket figures the lifecycle keeps, so reports read one row per ticket

Measured with benchmarks/reports.py (100k tickets, PostgreSQL): the figures that searched each
ticket's entries or events were the slowest of a report (the requester wait's window over every
entry of a period's tickets; first-contact resolution counting each ticket's agent replies and
looking for a re-open; first resolution looking up each ticket's earliest resolution).

- tickets.first_resolved_at (indexed: a period's first resolutions), tickets.reopen_count,
  tickets.agent_replies, tickets.requester_waiting_since (the requester's latest message no
  agent reply has followed yet), tickets.first_responder_key (who gave the first response);
- an index on tickets.first_response_at (a period's first responses, per agent);
- ticket_entries.waited_since: on an agent reply that followed a requester message, when that
  message was written.

Existing rows are filled from the entries and the event log, which stay the record.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain SQL that SQLite (3.33+: UPDATE ... FROM) and PostgreSQL both run. Set-based: each table
# is read once and each row written once. Per-ticket correlated subqueries, one UPDATE per column,
# took 36 s on 100k PostgreSQL tickets; this takes 12 s, nearly all of it writing the rows
# (docs/operations.md).
BACKFILL = (
    # From the entries: agent replies, and the requester's latest message if no agent reply
    # followed it (the latest of the requester messages and agent replies). From the event
    # log: re-opens, the first resolution, who gave the first response.
    """UPDATE tickets SET
        agent_replies = coalesce(f.agent_replies, 0),
        requester_waiting_since = f.waiting_since,
        reopen_count = coalesce(f.reopens, 0),
        first_resolved_at = f.first_resolved,
        first_responder_key = f.first_responder
    FROM (
        SELECT t.id, e.agent_replies, e.waiting_since, v.reopens, v.first_resolved,
               v.first_responder
        FROM tickets t
        LEFT JOIN (
            SELECT ticket_id,
                   sum(CASE WHEN kind = 'agent' THEN 1 ELSE 0 END) AS agent_replies,
                   max(CASE WHEN latest = 1 AND kind = 'requester' THEN created_at END)
                       AS waiting_since
            FROM (
                SELECT ticket_id, kind, created_at,
                       row_number() OVER (PARTITION BY ticket_id ORDER BY id DESC) AS latest
                FROM ticket_entries WHERE kind IN ('requester', 'agent')
            ) ranked
            GROUP BY ticket_id
        ) e ON e.ticket_id = t.id
        LEFT JOIN (
            SELECT ticket_id,
                   sum(CASE WHEN action = 'status' AND from_value IN ('resolved', 'closed')
                             AND to_value IN ('new', 'open') THEN 1 ELSE 0 END) AS reopens,
                   min(CASE WHEN action = 'status' AND to_value = 'resolved'
                            THEN created_at END) AS first_resolved,
                   min(CASE WHEN action = 'first_response' THEN actor_key END)
                       AS first_responder
            FROM ticket_events
            WHERE ticket_id IS NOT NULL AND action IN ('status', 'first_response')
            GROUP BY ticket_id
        ) v ON v.ticket_id = t.id
        WHERE e.ticket_id IS NOT NULL OR v.ticket_id IS NOT NULL
    ) f
    WHERE f.id = tickets.id""",
    # An agent reply whose previous entry (among requester messages and agent replies) is a
    # requester message waited since that message.
    """UPDATE ticket_entries SET waited_since = w.before_at
    FROM (
        SELECT id,
               lag(kind) OVER (PARTITION BY ticket_id ORDER BY id) AS before_kind,
               lag(created_at) OVER (PARTITION BY ticket_id ORDER BY id) AS before_at
        FROM ticket_entries WHERE kind IN ('requester', 'agent')
    ) w
    WHERE w.id = ticket_entries.id AND ticket_entries.kind = 'agent'
      AND w.before_kind = 'requester'""",
)


def upgrade() -> None:
    # ADD COLUMN works in place on both databases (no table copy).
    for added in (
        sa.Column("first_resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("agent_replies", sa.Integer(), server_default="0", nullable=False),
        sa.Column("requester_waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_responder_key", sa.String(length=160), nullable=True),
    ):
        op.add_column("tickets", added)
    op.add_column(
        "ticket_entries", sa.Column("waited_since", sa.DateTime(timezone=True), nullable=True)
    )
    for statement in BACKFILL:
        op.execute(statement)
    for indexed in ("first_resolved_at", "first_response_at"):
        op.create_index(op.f(f"ix_tickets_{indexed}"), "tickets", [indexed], unique=False)


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): batch mode would copy and drop the
    # tickets table, which the other tables' foreign keys refuse once there are tickets.
    for column in ("first_response_at", "first_resolved_at"):
        op.drop_index(op.f(f"ix_tickets_{column}"), table_name="tickets")
    op.drop_column("ticket_entries", "waited_since")
    for column in (
        "first_responder_key",
        "requester_waiting_since",
        "agent_replies",
        "reopen_count",
        "first_resolved_at",
    ):
        op.drop_column("tickets", column)
