"""Storage contract: Alembic migrations build exactly the declared schema, and re-opening is a no-op."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from shopsense.domain import Item
from shopsense.storage import Database, open_database
from shopsense.storage.database import MIGRATIONS_DIR
from shopsense.storage.schema import metadata

TABLES = {"shops", "items", "users", "events", "api_keys", "model_versions"}


def _head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def _current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrations_create_every_table_at_head(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert TABLES <= tables
    assert "alembic_version" in tables
    assert _current_revision(db) == _head_revision()
    assert db.is_ready()


def test_migrated_schema_matches_the_declared_metadata(db: Database) -> None:
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == [], f"migrations and shopsense.storage.schema disagree: {differences}"


def test_indexes_of_the_event_log_exist(db: Database) -> None:
    names = {index["name"] for index in inspect(db.engine).get_indexes("events")}
    assert {"ix_events_user_ts", "ix_events_item"} <= names


def test_opening_again_is_a_no_op_that_keeps_data(database_url: str) -> None:
    first = open_database(database_url)
    first.catalog.upsert_items([Item("i1", "Mug")])
    revision = _current_revision(first)
    columns = {t: [c["name"] for c in inspect(first.engine).get_columns(t)] for t in TABLES}
    first.close()

    second = open_database(database_url)
    try:
        assert _current_revision(second) == revision == _head_revision()
        assert {t: [c["name"] for c in inspect(second.engine).get_columns(t)] for t in TABLES} == columns
        assert second.catalog.get_item("i1").title == "Mug"
        with second.engine.connect() as connection:
            versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
        assert versions == [revision]  # one row, not one per open
    finally:
        second.close()


def test_open_without_migrate_on_an_empty_database_is_not_ready(database_url: str) -> None:
    bare = open_database(database_url, migrate=False)
    try:
        assert not bare.is_ready()
    finally:
        bare.close()


def test_backend_name_follows_the_url(db: Database, database_url: str) -> None:
    assert db.backend == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
