"""conversation context, pending survey/handoff state, and handoffs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("procedure_key", sa.String(length=100), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("context_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending", sa.String(length=20), nullable=True),
        sa.Column("pending_interaction_id", sa.Integer(), nullable=True),
        sa.Column("pending_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_key"),
    )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("procedure_key", sa.String(length=100), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("staff_message_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["interaction_id"], ["interactions.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoffs_interaction_id"), ["interaction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_handoffs_user_key"), ["user_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_handoffs_staff_message_id"), ["staff_message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_staff_message_id"))
        batch_op.drop_index(batch_op.f("ix_handoffs_user_key"))
        batch_op.drop_index(batch_op.f("ix_handoffs_interaction_id"))
    op.drop_table("handoffs")
    op.drop_table("conversations")
