"""Storage adapter: SQLAlchemy 2 models, Alembic migrations and repositories.

SQLite in the user's data directory by default; any SQLAlchemy URL through
``BACKCARE_DATABASE_URL`` (PostgreSQL via psycopg 3).
"""

from backcare.store.db import Database, open_database

__all__ = ["Database", "open_database"]
