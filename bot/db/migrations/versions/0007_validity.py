"""how long a procedure's result stays valid ("05 năm kể từ ngày cấp"), when staff know it

Revision ID: 0007_validity
Revises: 0006_calendar_days
Create Date: 2026-12-07 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_validity"
down_revision: str | None = "0006_calendar_days"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedures") as batch:
        batch.add_column(sa.Column("validity", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("procedures") as batch:
        batch.drop_column("validity")
