"""Table definitions (SQLAlchemy Core) shared by the SQLite and PostgreSQL backends.

Times are stored as integer milliseconds since the Unix epoch (UTC): cheap to compare, identical on
both backends, and read directly by columnar engines. JSON values are stored as text so that both
backends hold byte-identical documents. Changes here need an Alembic revision in ``migrations/``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

ID_LENGTH = 128

metadata = MetaData()

shops = Table(
    "shops",
    metadata,
    Column("shop_id", String(ID_LENGTH), primary_key=True),
    Column("name", Text, nullable=False, default=""),
    Column("attributes", Text),
    Column("created_ms", BigInteger, nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("item_id", String(ID_LENGTH), primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("category", Text),  # JSON list, root first
    Column("brand", Text, nullable=False, default=""),
    Column("price", Float),
    Column("currency", String(8), nullable=False, default=""),
    Column("shop_id", String(ID_LENGTH), nullable=False),
    Column("attributes", Text),
    Column("in_stock", Boolean, nullable=False, default=True),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("user_id", String(ID_LENGTH), primary_key=True),
    Column("attributes", Text),
    Column("created_ms", BigInteger, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(ID_LENGTH), primary_key=True),
    Column("user_id", String(ID_LENGTH), nullable=False),
    Column("session_id", String(ID_LENGTH)),
    Column("type", String(24), nullable=False),
    Column("item_id", String(ID_LENGTH)),
    Column("value", Float),
    Column("query", Text),
    Column("recomm_id", String(ID_LENGTH)),
    Column("position", Integer),
    Column("ts_ms", BigInteger, nullable=False),
    Column("context", Text),
    Index("ix_events_user_ts", "user_id", "ts_ms"),
    Index("ix_events_item", "item_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("name", Text, nullable=False, default=""),
    Column("created_ms", BigInteger, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("path", Text, nullable=False),
    Column("metrics", Text),
    Column("created_ms", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
)

profiles = Table(
    "profiles",
    metadata,
    Column("user_id", String(ID_LENGTH), primary_key=True),
    Column("profile", Text, nullable=False),  # JSON document, see shopsense.profiles
    Column("updated_ms", BigInteger, nullable=False),
)

segments = Table(
    "segments",
    metadata,
    Column("name", String(ID_LENGTH), primary_key=True),
    Column("definition", Text, nullable=False),  # JSON rule tree, see shopsense.segments
    Column("description", Text, nullable=False, default=""),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

# Serving (issue 6): what was shown (one row per shown item), A/B experiments, per-scenario business rules.
impressions = Table(
    "impressions",
    metadata,
    Column("recomm_id", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),  # 0-based slot in the returned list
    Column("item_id", String(ID_LENGTH), nullable=False),  # the shop id for the "shops" scenario
    Column("user_id", String(ID_LENGTH), nullable=False),
    Column("scenario", String(32), nullable=False),
    Column("experiment_id", String(ID_LENGTH)),
    Column("variant", String(ID_LENGTH)),
    Column("ts_ms", BigInteger, nullable=False),
    Index("ix_impressions_experiment", "experiment_id", "variant"),
)

experiments = Table(
    "experiments",
    metadata,
    Column("experiment_id", String(ID_LENGTH), primary_key=True),
    Column("definition", Text, nullable=False),  # JSON, see shopsense.serving.experiments
    Column("status", String(16), nullable=False),  # running | stopped
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

scenario_rules = Table(
    "scenario_rules",
    metadata,
    Column("scenario", String(32), primary_key=True),
    Column("rules", Text, nullable=False),  # JSON, see shopsense.serving.rules.ScenarioRules
    Column("updated_ms", BigInteger, nullable=False),
)

search_synonyms = Table(
    "search_synonyms",
    metadata,
    Column("rule_id", Integer, primary_key=True, autoincrement=True),
    Column("term", Text, nullable=False),
    Column("synonyms", Text, nullable=False),  # JSON list
    Column("two_way", Boolean, nullable=False, default=False),
    Column("created_ms", BigInteger, nullable=False),
)

search_log = Table(
    "search_log",
    metadata,
    Column("recomm_id", String(ID_LENGTH), primary_key=True),
    Column("query", Text, nullable=False),
    Column("normalized", Text, nullable=False),
    Column("user_id", String(ID_LENGTH)),
    Column("results", Integer, nullable=False),
    Column("fallback", String(32)),
    Column("ts_ms", BigInteger, nullable=False),
    Index("ix_search_log_ts", "ts_ms"),
    Index("ix_search_log_normalized", "normalized"),
)

# shopping assistant (shopsense.assistant): conversation turns, the shop's knowledge documents, feedback
assistant_turns = Table(
    "assistant_turns",
    metadata,
    Column("turn_id", String(32), primary_key=True),
    Column("session_id", String(ID_LENGTH), nullable=False),
    Column("seq", Integer, nullable=False),  # 1, 2, … within the session
    Column("user_id", String(ID_LENGTH), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("message", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("intent", String(48), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("handoff", Boolean, nullable=False),
    Column("grounded", Boolean, nullable=False),  # False: clarifying question or no fact found
    Column("state", Text),  # JSON: what a follow-up may refer to (items shown, search terms, aspect)
    Index("ix_assistant_turns_session", "session_id", "seq"),
)

assistant_knowledge = Table(
    "assistant_knowledge",
    metadata,
    Column("doc_id", String(ID_LENGTH), primary_key=True),
    Column("title", Text, nullable=False),
    Column("markdown", Text, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

assistant_feedback = Table(
    "assistant_feedback",
    metadata,
    Column("feedback_id", String(32), primary_key=True),
    Column("turn_id", String(32), nullable=False),
    Column("rating", Integer, nullable=False),  # +1 thumbs up, -1 thumbs down
    Column("comment", Text, nullable=False, default=""),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_assistant_feedback_turn", "turn_id"),
)

# privacy (shopsense.privacy): one tombstone per deleted user; ingest refuses their events dated before it
deleted_users = Table(
    "deleted_users",
    metadata,
    Column("user_hash", String(64), primary_key=True),  # SHA-256 hex of the stored user id, not the id
    Column("deleted_ms", BigInteger, nullable=False),
)
