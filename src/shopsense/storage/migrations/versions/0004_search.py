"""Search: admin-managed synonyms and the log of searches served (for analytics and click learning).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_synonyms",
        sa.Column("rule_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("synonyms", sa.Text, nullable=False),
        sa.Column("two_way", sa.Boolean, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "search_log",
        sa.Column("recomm_id", sa.String(128), primary_key=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("normalized", sa.Text, nullable=False),
        sa.Column("user_id", sa.String(128)),
        sa.Column("results", sa.Integer, nullable=False),
        sa.Column("fallback", sa.String(32)),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_search_log_ts", "search_log", ["ts_ms"])
    op.create_index("ix_search_log_normalized", "search_log", ["normalized"])


def downgrade() -> None:
    op.drop_index("ix_search_log_normalized", "search_log")
    op.drop_index("ix_search_log_ts", "search_log")
    op.drop_table("search_log")
    op.drop_table("search_synonyms")
