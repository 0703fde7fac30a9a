"""Serving: impressions (what each recommendation list showed), A/B experiments, per-scenario rules.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(128)


def upgrade() -> None:
    op.create_table(
        "impressions",
        sa.Column("recomm_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("scenario", sa.String(32), nullable=False),
        sa.Column("experiment_id", ID),
        sa.Column("variant", ID),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_impressions_experiment", "impressions", ["experiment_id", "variant"])
    op.create_table(
        "experiments",
        sa.Column("experiment_id", ID, primary_key=True),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "scenario_rules",
        sa.Column("scenario", sa.String(32), primary_key=True),
        sa.Column("rules", sa.Text, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scenario_rules")
    op.drop_table("experiments")
    op.drop_index("ix_impressions_experiment", table_name="impressions")
    op.drop_table("impressions")
