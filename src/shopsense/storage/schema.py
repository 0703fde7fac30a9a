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
