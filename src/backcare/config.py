"""Settings read from the environment (the only place that does).

``BACKCARE_DATABASE_URL``  any SQLAlchemy URL; default: SQLite file in the user's data directory.
``BACKCARE_DATA_DIR``      override the data directory (tests, portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

__all__ = ["data_dir", "database_url"]

APP_NAME = "backcare"


def data_dir() -> Path:
    """The directory that holds the person's local data (created on first use)."""
    override = os.environ.get("BACKCARE_DATA_DIR")
    path = Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The database URL: ``BACKCARE_DATABASE_URL`` or a SQLite file in :func:`data_dir`."""
    url = os.environ.get("BACKCARE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'backcare.sqlite3'}"
