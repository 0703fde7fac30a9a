"""Initial schema: shops, items, users, events, API keys, model versions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(128)


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("shop_id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("attributes", sa.Text),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("item_id", ID, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category", sa.Text),
        sa.Column("brand", sa.Text, nullable=False),
        sa.Column("price", sa.Float),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("shop_id", ID, nullable=False),
        sa.Column("attributes", sa.Text),
        sa.Column("in_stock", sa.Boolean, nullable=False),
        sa.Column("hidden", sa.Boolean, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("user_id", ID, primary_key=True),
        sa.Column("attributes", sa.Text),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("event_id", ID, primary_key=True),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("session_id", ID),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("item_id", ID),
        sa.Column("value", sa.Float),
        sa.Column("query", sa.Text),
        sa.Column("recomm_id", ID),
        sa.Column("position", sa.Integer),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("context", sa.Text),
    )
    op.create_index("ix_events_user_ts", "events", ["user_id", "ts_ms"])
    op.create_index("ix_events_item", "events", ["item_id"])
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_table(
        "model_versions",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("metrics", sa.Text),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    for table in ("model_versions", "api_keys", "events", "users", "items", "shops"):
        op.drop_table(table)
