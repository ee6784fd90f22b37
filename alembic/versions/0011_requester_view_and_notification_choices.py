"""The portal and notifications people can live with: which custom fields the requester sees,
what concerns each user, and what each agent hears about a project's new tickets.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_USER_CHOICES = ("notify_assigned", "notify_mentions", "notify_replies")


def upgrade() -> None:
    with op.batch_alter_table("ticket_type_fields", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visible_to_requester", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in _USER_CHOICES:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true()))
    # The defaults only filled existing rows; new rows get theirs from the model, as elsewhere.
    with op.batch_alter_table("ticket_type_fields", schema=None) as batch_op:
        batch_op.alter_column("visible_to_requester", server_default=None)
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in _USER_CHOICES:
            batch_op.alter_column(name, server_default=None)
    op.create_table(
        "project_notification_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("new_tickets", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_notification_choices_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_project_notification_choices_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_notification_choices")),
        sa.UniqueConstraint("user_id", "project_id", name=op.f("uq_project_notification_choices_user_id_project_id")),
    )
    op.create_index(
        op.f("ix_project_notification_choices_project_id"),
        "project_notification_choices",
        ["project_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_project_notification_choices_project_id"), table_name="project_notification_choices")
    op.drop_table("project_notification_choices")
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in reversed(_USER_CHOICES):
            batch_op.drop_column(name)
    with op.batch_alter_table("ticket_type_fields", schema=None) as batch_op:
        batch_op.drop_column("visible_to_requester")
