"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), shared data, CLI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from backcare.cli.main import main as cli_main
from backcare.store.db import Database, open_database

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POSTGRES_URL = os.environ.get("BACKCARE_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("BACKCARE_REQUIRE_POSTGRES") == "1"

# Property tests check results, not speed: a busy machine must not fail them on Hypothesis's
# per-example deadline (speed is measured in benchmarks/).
settings.register_profile("backcare", deadline=None)
settings.load_profile("backcare")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test touches the real user data directory or a configured database."""
    monkeypatch.setenv("BACKCARE_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("BACKCARE_DATABASE_URL", raising=False)


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the project; tests that need it skip on a user's fresh clone."""
    if not SHARED.is_dir():
        pytest.skip("../shared (reference data) is not present beside the project")
    return SHARED


def _postgres_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: SQLite always; PostgreSQL (own schema) when configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("BACKCARE_REQUIRE_POSTGRES=1 but BACKCARE_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured (set BACKCARE_TEST_POSTGRES_URL)")
    schema = f"bc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process: ``rc, out, err = cli("score", "odi", ...)``."""

    def run(*args: str) -> tuple[int, str, str]:
        rc = cli_main(list(args))
        captured = capsys.readouterr()
        return rc, captured.out, captured.err

    return run
