"""Privacy: tombstones of deleted users (a digest of the id and the time of deletion).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deleted_users",
        sa.Column("user_hash", sa.String(64), primary_key=True),
        sa.Column("deleted_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deleted_users")
