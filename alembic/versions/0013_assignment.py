"""Automatic assignment: a rule per project, agents' availability, capacity and skills per project,
and the skills each ticket type needs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "assignment_rules",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=16), nullable=False),
        sa.Column("require_skills", sa.Boolean(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_assignment_rules_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_assignment_rules")),
    )
    op.create_table(
        "agent_availability",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("skills", _JSON, nullable=False),
        sa.Column("calendar_key", sa.String(length=40), nullable=True),
        sa.Column("last_turn", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_agent_availability_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agent_availability_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_agent_availability")),
    )
    op.create_index(op.f("ix_agent_availability_user_id"), "agent_availability", ["user_id"], unique=False)
    op.create_table(
        "ticket_type_skills",
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("skills", _JSON, nullable=False),
        sa.Column("field_skills", _JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["type_id"],
            ["ticket_types.id"],
            name=op.f("fk_ticket_type_skills_type_id_ticket_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("type_id", name=op.f("pk_ticket_type_skills")),
    )


def downgrade() -> None:
    op.drop_table("ticket_type_skills")
    op.drop_index(op.f("ix_agent_availability_user_id"), table_name="agent_availability")
    op.drop_table("agent_availability")
    op.drop_table("assignment_rules")
