"""Engine and session factories, and schema migration at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from backcare.config import database_url

if TYPE_CHECKING:  # Alembic loads only when the schema needs an upgrade
    from alembic.config import Config

__all__ = ["HEAD_REVISION", "Database", "alembic_config", "open_database"]

#: The newest migration (``store/migrations/versions``); a test keeps it equal to Alembic's head.
#: A database already at this revision opens without loading Alembic, which keeps start-up short.
HEAD_REVISION = "0006"


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    from alembic.config import Config

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

    def revision(self) -> str | None:
        """The schema's current revision (``None`` for a database never migrated)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent)."""
        if self.revision() == HEAD_REVISION:
            return
        from alembic import command

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
