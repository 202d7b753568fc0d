"""ticket lifecycle: CHECK constraints on every status, a typed conversation state, the event log

- CHECK constraints keep tickets.status, tickets.priority, conversations.state,
  ticket_events.action, suggestions.outcome, messages.direction/status and transfers.status
  within the values the code knows.
- conversations.pending_text held either the question collected so far or, while waiting for a
  survey comment, a ticket id: it becomes conversations.question (the question only) plus
  conversations.survey_ticket_id (the ticket), with existing rows moved over.
- ticket_events becomes the event log reports read: suggestion outcomes have no ticket yet, so
  ticket_id may be empty and conversation_id says where; actor_key names the person behind
  actor (a display name) when there is one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 07:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TICKET_STATUSES = ("new", "open", "pending", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
CONVERSATION_STATES = ("idle", "awaiting_detail", "suggesting", "describing", "survey_comment")
EVENT_KINDS = (
    "created",
    "status",
    "assigned",
    "priority",
    "first_response",
    "transfer",
    "transfer_accepted",
    "transfer_declined",
    "transfer_expired",
    "merged",
    "survey_answered",
    "suggestion",
)
OUTCOMES = ("solved", "rejected", "escalated", "ignored")
DIRECTIONS = ("in", "out")
MESSAGE_STATUSES = ("pending", "sending", "sent", "failed")
TRANSFER_STATUSES = ("pending", "accepted", "declined", "expired", "cancelled")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("survey_ticket_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE conversations SET survey_ticket_id = CAST(pending_text AS INTEGER), "
        "pending_text = '' WHERE state = 'survey_comment' AND pending_text <> ''"
    )
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("pending_text", new_column_name="question")
        batch.create_check_constraint(
            op.f("ck_conversations_state"), _one_of("state", CONVERSATION_STATES)
        )

    with op.batch_alter_table("tickets") as batch:
        batch.create_check_constraint(op.f("ck_tickets_status"), _one_of("status", TICKET_STATUSES))
        batch.create_check_constraint(op.f("ck_tickets_priority"), _one_of("priority", PRIORITIES))

    with op.batch_alter_table("ticket_events") as batch:
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("conversation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("actor_key", sa.String(length=160), nullable=True))
        batch.create_foreign_key(
            op.f("fk_ticket_events_conversation_id_conversations"),
            "conversations",
            ["conversation_id"],
            ["id"],
        )
        batch.create_check_constraint(
            op.f("ck_ticket_events_action"), _one_of("action", EVENT_KINDS)
        )

    with op.batch_alter_table("suggestions") as batch:
        batch.create_check_constraint(op.f("ck_suggestions_outcome"), _one_of("outcome", OUTCOMES))
    with op.batch_alter_table("messages") as batch:
        batch.create_check_constraint(
            op.f("ck_messages_direction"), _one_of("direction", DIRECTIONS)
        )
        batch.create_check_constraint(
            op.f("ck_messages_status"), _one_of("status", MESSAGE_STATUSES)
        )
    with op.batch_alter_table("transfers") as batch:
        batch.create_check_constraint(
            op.f("ck_transfers_status"), _one_of("status", TRANSFER_STATUSES)
        )


def downgrade() -> None:
    with op.batch_alter_table("transfers") as batch:
        batch.drop_constraint(op.f("ck_transfers_status"), type_="check")
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint(op.f("ck_messages_status"), type_="check")
        batch.drop_constraint(op.f("ck_messages_direction"), type_="check")
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_constraint(op.f("ck_suggestions_outcome"), type_="check")

    # Events without a ticket (suggestion outcomes) cannot be kept by the older schema.
    op.execute("DELETE FROM ticket_events WHERE ticket_id IS NULL")
    with op.batch_alter_table("ticket_events") as batch:
        batch.drop_constraint(op.f("ck_ticket_events_action"), type_="check")
        batch.drop_constraint(
            op.f("fk_ticket_events_conversation_id_conversations"), type_="foreignkey"
        )
        batch.drop_column("actor_key")
        batch.drop_column("conversation_id")
        batch.alter_column("ticket_id", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(op.f("ck_tickets_priority"), type_="check")
        batch.drop_constraint(op.f("ck_tickets_status"), type_="check")

    with op.batch_alter_table("conversations") as batch:
        batch.drop_constraint(op.f("ck_conversations_state"), type_="check")
        batch.alter_column("question", new_column_name="pending_text")
    op.execute(
        "UPDATE conversations SET pending_text = CAST(survey_ticket_id AS VARCHAR) "
        "WHERE state = 'survey_comment' AND survey_ticket_id IS NOT NULL"
    )
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("survey_ticket_id")
