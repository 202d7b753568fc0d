"""report indexes: what the dashboard's queries select by

Measured with benchmarks/reports.py (100k and 1M tickets): without these, each report query read
whole tables (tickets by created_at/resolved_at, the event log by kind and time, a ticket's agent
replies one by one through its ticket_id index).

- tickets: created_at, resolved_at (the period of nearly every figure).
- ticket_events: (ticket_id, action, created_at) for one ticket's events of a kind (first
  resolution, re-opens, its status at a moment); (action, created_at) for a kind in a period.
- ticket_entries: (ticket_id, kind) for a ticket's agent replies; (kind, created_at) for a
  period's replies (requester waiting time).
- suggestions.shown_at, surveys.sent_at: the self-service and CSAT periods.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 20:40:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_tickets_created_at", "tickets", ["created_at"]),
    ("ix_tickets_resolved_at", "tickets", ["resolved_at"]),
    ("ix_ticket_events_ticket_action", "ticket_events", ["ticket_id", "action", "created_at"]),
    ("ix_ticket_events_action_created", "ticket_events", ["action", "created_at"]),
    ("ix_ticket_entries_ticket_kind", "ticket_entries", ["ticket_id", "kind"]),
    ("ix_ticket_entries_kind_created", "ticket_entries", ["kind", "created_at"]),
    ("ix_suggestions_shown_at", "suggestions", ["shown_at"]),
    ("ix_surveys_sent_at", "surveys", ["sent_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(op.f(name), table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(op.f(name), table_name=table)
