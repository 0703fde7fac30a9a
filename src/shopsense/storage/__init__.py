"""Storage ports and the SQLAlchemy backends (SQLite embedded, PostgreSQL in production)."""

from shopsense.storage.database import Database, DatabaseURLError, open_database

__all__ = ["Database", "DatabaseURLError", "open_database"]
