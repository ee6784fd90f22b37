"""Tickets: addresses in copy (CC) and agents following a ticket.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_ccs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_ticket_ccs_added_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_ccs_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_ccs")),
        sa.UniqueConstraint("ticket_id", "email", name=op.f("uq_ticket_ccs_ticket_id_email")),
    )
    op.create_index(op.f("ix_ticket_ccs_email"), "ticket_ccs", ["email"], unique=False)
    op.create_table(
        "ticket_followers",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_followers_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ticket_followers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ticket_id", "user_id", name=op.f("pk_ticket_followers")),
    )
    op.create_index(op.f("ix_ticket_followers_user_id"), "ticket_followers", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_followers_user_id"), table_name="ticket_followers")
    op.drop_table("ticket_followers")
    op.drop_index(op.f("ix_ticket_ccs_email"), table_name="ticket_ccs")
    op.drop_table("ticket_ccs")
