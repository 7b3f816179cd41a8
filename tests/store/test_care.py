"""Care programme repositories (migration 0005) on SQLite and PostgreSQL: check-ins, sessions,
lessons, settings and the feed token; aware UTC datetimes; cascade with the person; the schema
matches the models (autogenerate finds nothing) and the migration goes down and up again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backcare.errors import InputError
from backcare.store import care
from backcare.store.assessments import delete_person, local_person_id
from backcare.store.db import alembic_config
from backcare.store.models import Base

DAY = date(2026, 12, 1)


def test_checkin_round_trip_replace_and_validation(db):
    pid = local_person_id(db)
    cest = timezone(timedelta(hours=2))
    first = care.save_checkin(
        db,
        pid,
        DAY,
        pain=4,
        limits=2,
        sleep="poor",
        did_plan="partly",
        note="stiff morning",
        recorded_at=datetime(2026, 12, 1, 21, 30, tzinfo=cest),
    )
    assert first.recorded_at == datetime(2026, 12, 1, 19, 30, tzinfo=UTC)
    assert first.recorded_at.tzinfo is not None
    again = care.save_checkin(db, pid, DAY, pain=3, warning="unsure")
    assert again.id == first.id
    stored = care.get_checkin(db, pid, DAY)
    assert stored is not None
    assert (stored.pain, stored.limits, stored.warning, stored.note) == (3, None, "unsure", None)
    for bad in ({"pain": 11}, {"pain": 2, "limits": 5}, {"pain": 2, "sleep": "fine"}):
        with pytest.raises(InputError):
            care.save_checkin(db, pid, DAY + timedelta(days=1), **bad)
    with pytest.raises(InputError, match="at most"):
        care.save_checkin(db, pid, DAY, pain=1, note="x" * 2001)
    assert care.get_checkin(db, pid, DAY).pain == 3  # a refused save loses nothing


def test_checkins_are_listed_by_day_and_per_person(db):
    a = local_person_id(db)
    from backcare.store.models import Person

    with db.session() as session:
        other = Person(display_name="other")
        session.add(other)
        session.flush()
        b = other.id
    for n in (2, 0, 1):
        care.save_checkin(db, a, DAY + timedelta(days=n), pain=n)
    care.save_checkin(db, b, DAY, pain=9)
    assert [c.pain for c in care.list_checkins(db, a)] == [0, 1, 2]
    assert [c.pain for c in care.list_checkins(db, a, start=DAY + timedelta(days=1))] == [1, 2]
    assert [c.pain for c in care.list_checkins(db, b)] == [9]


def test_sessions_lessons_and_settings(db):
    pid = local_person_id(db)
    logged = care.add_session(
        db,
        pid,
        DAY,
        template="back_build",
        level=2,
        done=["cat_camel", "bird_dog"],
        skipped=["bridge"],
        pain_during=3,
        difficulty="ok",
    )
    assert logged.completed
    assert care.get_session(db, logged.id).done == ("cat_camel", "bird_dog")
    assert care.get_session(db, logged.id).recorded_at.tzinfo is not None
    skipped = care.add_session(
        db,
        pid,
        DAY,
        template="x",
        level=1,
        done=[],
        skipped=["a"],
        pain_during=None,
        difficulty=None,
    )
    assert not skipped.completed
    with pytest.raises(InputError):
        care.add_session(
            db, pid, DAY, template="x", level=4, done=[], skipped=[], pain_during=1, difficulty=None
        )
    assert len(care.list_sessions(db, pid)) == 2
    care.mark_lesson_done(db, pid, "sleep")
    care.mark_lesson_done(db, pid, "sleep")
    assert care.lessons_done(db, pid) == {"sleep"}
    assert care.get_settings(db, pid).timezone == "UTC"
    saved = care.save_settings(db, pid, timezone="Europe/Berlin", programme_start=DAY)
    assert (saved.timezone, saved.programme_start) == ("Europe/Berlin", DAY)
    care.set_feed_digest(db, pid, "d" * 64)
    assert care.person_for_feed_digest(db, "d" * 64) == pid
    assert care.get_settings(db, pid).has_feed
    care.set_feed_digest(db, pid, None)
    assert care.person_for_feed_digest(db, "d" * 64) is None


def test_care_rows_go_with_the_person(db):
    pid = local_person_id(db)
    care.save_checkin(db, pid, DAY, pain=2)
    care.add_session(
        db,
        pid,
        DAY,
        template="x",
        level=1,
        done=["a"],
        skipped=[],
        pain_during=1,
        difficulty="easy",
    )
    care.mark_lesson_done(db, pid, "sleep")
    care.set_feed_digest(db, pid, "e" * 64)
    delete_person(db, pid)
    assert care.list_checkins(db, pid) == []
    assert care.list_sessions(db, pid) == []
    assert care.lessons_done(db, pid) == set()
    assert care.person_for_feed_digest(db, "e" * 64) is None


def test_schema_matches_the_models_and_migration_goes_down_and_up(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    cfg = alembic_config(db.engine)
    command.downgrade(cfg, "0003")
    assert "care_checkins" not in inspect(db.engine).get_table_names()
    command.upgrade(cfg, "head")
    assert "care_checkins" in inspect(db.engine).get_table_names()
