"""The ticket's life after filing: public status labels, resolved then closed, reply rules, the
reopen window, auto-close, follow-ups and the satisfaction survey.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROJECT_SETTINGS = (
    ("reopen_window_days", sa.Integer(), "14"),
    ("auto_close_days", sa.Integer(), "7"),
    ("survey_enabled", sa.Boolean(), sa.true()),
    ("survey_delay_minutes", sa.Integer(), "60"),
)


def upgrade() -> None:
    with op.batch_alter_table("ticket_statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_label", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("closes", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("ticket_types", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_reply_status", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("requester_reply_status", sa.String(length=40), nullable=True))
    with op.batch_alter_table("projects", schema=None) as batch_op:
        for name, column_type, default in _PROJECT_SETTINGS:
            batch_op.add_column(sa.Column(name, column_type, nullable=False, server_default=default))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_follow_up_of_id_tickets"),
            "tickets",
            ["follow_up_of_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # A status named "closed" was always the end of the road; every other done status resolves,
    # so the tickets in one are resolved and not yet closed (until now both times were set together).
    op.execute("UPDATE ticket_statuses SET closes = true WHERE category = 'done' AND key = 'closed'")
    op.execute(
        "UPDATE tickets SET closed_at = NULL WHERE status_id IN "
        "(SELECT id FROM ticket_statuses WHERE category = 'done' AND closes = false)"
    )
    # The defaults only filled existing rows; new rows get theirs from the model, as elsewhere.
    with op.batch_alter_table("ticket_statuses", schema=None) as batch_op:
        batch_op.alter_column("public_label", server_default=None)
        batch_op.alter_column("closes", server_default=None)
    with op.batch_alter_table("projects", schema=None) as batch_op:
        for name, _, _ in _PROJECT_SETTINGS:
            batch_op.alter_column(name, server_default=None)
    op.create_table(
        "satisfaction_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rating", sa.String(length=8), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_satisfaction_ratings_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_ratings")),
        sa.UniqueConstraint("ticket_id", "resolved_at", name=op.f("uq_satisfaction_ratings_ticket_id_resolved_at")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_satisfaction_ratings_token_hash")),
    )
    op.create_index(op.f("ix_satisfaction_ratings_ticket_id"), "satisfaction_ratings", ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_satisfaction_ratings_ticket_id"), table_name="satisfaction_ratings")
    op.drop_table("satisfaction_ratings")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tickets_follow_up_of_id_tickets"), type_="foreignkey")
        batch_op.drop_column("follow_up_of_id")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        for name, _, _ in reversed(_PROJECT_SETTINGS):
            batch_op.drop_column(name)
    with op.batch_alter_table("ticket_types", schema=None) as batch_op:
        batch_op.drop_column("requester_reply_status")
        batch_op.drop_column("staff_reply_status")
    with op.batch_alter_table("ticket_statuses", schema=None) as batch_op:
        batch_op.drop_column("closes")
        batch_op.drop_column("public_label")
