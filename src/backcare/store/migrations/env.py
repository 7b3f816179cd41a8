"""Alembic environment: the engine comes from :func:`backcare.store.db.alembic_config`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from backcare.config import database_url
from backcare.store import care as _care  # noqa: F401  (registers its tables on Base)
from backcare.store import drafts as _drafts  # noqa: F401  (registers its table on Base)
from backcare.store import notes as _notes  # noqa: F401  (registers its table on Base)
from backcare.store import text_packs as _text_packs  # noqa: F401  (registers its table)
from backcare.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:  # plain `alembic` command line
        engine = create_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations()
