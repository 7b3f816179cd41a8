"""Engine and session factories, and schema migration at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from backcare.config import database_url

__all__ = ["Database", "alembic_config", "open_database"]


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("backcare.store") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


@dataclass(frozen=True)
class Database:
    """An engine plus its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent)."""
        command.upgrade(alembic_config(self.engine), "head")

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """Open the database at ``url`` (default: :func:`backcare.config.database_url`).

    The schema is migrated to the newest revision unless ``migrate`` is false.
    """
    url = url or database_url()
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    db = Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
    if migrate:
        db.migrate()
    return db
