"""Shopping assistant: conversation turns, knowledge documents, answer feedback.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assistant_turns",
        sa.Column("turn_id", sa.String(32), primary_key=True),
        sa.Column("session_id", sa.String(128), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("intent", sa.String(48), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("handoff", sa.Boolean, nullable=False),
        sa.Column("grounded", sa.Boolean, nullable=False),
        sa.Column("state", sa.Text),
    )
    op.create_index("ix_assistant_turns_session", "assistant_turns", ["session_id", "seq"])
    op.create_table(
        "assistant_knowledge",
        sa.Column("doc_id", sa.String(128), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("markdown", sa.Text, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "assistant_feedback",
        sa.Column("feedback_id", sa.String(32), primary_key=True),
        sa.Column("turn_id", sa.String(32), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_assistant_feedback_turn", "assistant_feedback", ["turn_id"])


def downgrade() -> None:
    op.drop_table("assistant_feedback")
    op.drop_table("assistant_knowledge")
    op.drop_index("ix_assistant_turns_session", table_name="assistant_turns")
    op.drop_table("assistant_turns")
