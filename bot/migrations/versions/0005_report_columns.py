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

# Plain SQL that SQLite and PostgreSQL both run; correlated subqueries use the 0004 indexes.
BACKFILL = (
    """UPDATE tickets SET agent_replies = (
        SELECT count(*) FROM ticket_entries e
        WHERE e.ticket_id = tickets.id AND e.kind = 'agent')""",
    """UPDATE tickets SET reopen_count = (
        SELECT count(*) FROM ticket_events v
        WHERE v.ticket_id = tickets.id AND v.action = 'status'
          AND v.from_value IN ('resolved', 'closed') AND v.to_value IN ('new', 'open'))""",
    """UPDATE tickets SET first_resolved_at = (
        SELECT min(v.created_at) FROM ticket_events v
        WHERE v.ticket_id = tickets.id AND v.action = 'status' AND v.to_value = 'resolved')""",
    # The entry just before an agent reply, among requester messages and agent replies.
    """UPDATE ticket_entries SET waited_since = (
        SELECT p.created_at FROM ticket_entries p
        WHERE p.kind = 'requester' AND p.id = (
            SELECT max(q.id) FROM ticket_entries q
            WHERE q.ticket_id = ticket_entries.ticket_id AND q.kind IN ('requester', 'agent')
              AND q.id < ticket_entries.id))
    WHERE kind = 'agent'""",
    """UPDATE tickets SET first_responder_key = (
        SELECT min(v.actor_key) FROM ticket_events v
        WHERE v.ticket_id = tickets.id AND v.action = 'first_response')""",
    """UPDATE tickets SET requester_waiting_since = (
        SELECT p.created_at FROM ticket_entries p
        WHERE p.kind = 'requester' AND p.id = (
            SELECT max(q.id) FROM ticket_entries q
            WHERE q.ticket_id = tickets.id AND q.kind IN ('requester', 'agent')))""",
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
