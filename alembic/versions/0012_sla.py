"""SLA: business-hours calendars, ordered policies, escalation contacts, the firing ledger, and the
clock's columns on tickets (the due times existed; warn times, pause, cycle and the sweep's index
are new). The unused `projects.sla_policy` JSON gives way to the policy rows.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_NOT_NULL_CHECK = sa.text("sla_next_check_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "sla_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("week", _JSON, nullable=False),
        sa.Column("holidays", _JSON, nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("subdivision", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_sla_calendars_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_calendars")),
        sa.UniqueConstraint("project_id", "key", name=op.f("uq_sla_calendars_project_id_key")),
    )
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=True),
        sa.Column("type_keys", _JSON, nullable=False),
        sa.Column("priorities", _JSON, nullable=False),
        sa.Column("targets", _JSON, nullable=False),
        sa.Column("warn_percent", sa.Integer(), nullable=False),
        sa.Column("raise_priority", sa.Boolean(), nullable=False),
        sa.Column("reassign", sa.String(length=8), nullable=False),
        sa.Column("reassign_to_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["calendar_id"], ["sla_calendars.id"], name=op.f("fk_sla_policies_calendar_id_sla_calendars")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_sla_policies_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reassign_to_id"], ["users.id"], name=op.f("fk_sla_policies_reassign_to_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
    )
    op.create_index(op.f("ix_sla_policies_project_id"), "sla_policies", ["project_id"], unique=False)
    op.create_table(
        "sla_escalation_contacts",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_sla_escalation_contacts_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sla_escalation_contacts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_sla_escalation_contacts")),
    )
    op.create_table(
        "sla_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_sla_events_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_events")),
        sa.UniqueConstraint(
            "ticket_id", "cycle", "target", "kind", name=op.f("uq_sla_events_ticket_id_cycle_target_kind")
        ),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_policy_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sla_cycle", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("first_response_warn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolution_warn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_paused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_remaining_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sla_next_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_next_check_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_sla_policy_id_sla_policies"),
            "sla_policies",
            ["sla_policy_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "ix_tickets_sla_next_check_at",
            ["sla_next_check_at"],
            unique=False,
            postgresql_where=_NOT_NULL_CHECK,
            sqlite_where=_NOT_NULL_CHECK,
        )
        batch_op.create_index("ix_tickets_sla_next_due", ["sla_next_due_at", "id"], unique=False)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("sla_cycle", server_default=None)
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("sla_policy")


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_policy", _JSON, nullable=False, server_default="{}"))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_sla_next_due")
        batch_op.drop_index("ix_tickets_sla_next_check_at")
        batch_op.drop_constraint(batch_op.f("fk_tickets_sla_policy_id_sla_policies"), type_="foreignkey")
        for name in (
            "sla_next_check_at",
            "sla_next_due_at",
            "sla_remaining_seconds",
            "sla_paused_at",
            "resolution_warn_at",
            "first_response_warn_at",
            "sla_cycle",
            "sla_policy_id",
        ):
            batch_op.drop_column(name)
    op.drop_table("sla_events")
    op.drop_table("sla_escalation_contacts")
    op.drop_index(op.f("ix_sla_policies_project_id"), table_name="sla_policies")
    op.drop_table("sla_policies")
    op.drop_table("sla_calendars")
