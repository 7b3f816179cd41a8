"""Clinicians' notes (migration 0006) on SQLite and PostgreSQL: dated, private to their author,
validated, gone with the person; the schema matches the model and the migration goes down and up."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backcare.errors import InputError
from backcare.store import notes, users
from backcare.store.assessments import delete_person
from backcare.store.db import alembic_config
from backcare.store.models import Base

T0 = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _user(db, email: str, role: str = "person") -> users.UserRecord:
    return users.create_user(db, email=email, password_hash="$argon2id$x", role=role)


def test_notes_are_dated_private_to_the_author_and_newest_first(db):
    person = _user(db, "p@example.org")
    other_person = _user(db, "q@example.org")
    doc = _user(db, "doc@example.org", "clinician")
    other_doc = _user(db, "doc2@example.org", "clinician")
    first = notes.add_note(
        db,
        person_id=person.person_id,
        author_user_id=doc.id,
        day=date(2026, 11, 20),
        text="  Started graded walking.  ",
        created_at=T0,
    )
    assert first.text == "Started graded walking."
    assert first.created_at == T0
    notes.add_note(
        db, person_id=person.person_id, author_user_id=doc.id, day=date(2026, 11, 27), text="Better"
    )
    notes.add_note(
        db,
        person_id=person.person_id,
        author_user_id=other_doc.id,
        day=date(2026, 11, 28),
        text="x",
    )
    notes.add_note(
        db,
        person_id=other_person.person_id,
        author_user_id=doc.id,
        day=date(2026, 11, 28),
        text="y",
    )
    mine = notes.list_notes(db, person_id=person.person_id, author_user_id=doc.id)
    assert [n.text for n in mine] == ["Better", "Started graded walking."]
    assert mine[1].created_at.tzinfo is not None
    assert [
        n.text
        for n in notes.list_notes(db, person_id=person.person_id, author_user_id=other_doc.id)
    ] == ["x"]
    assert not notes.delete_note(db, note_id=mine[0].id, author_user_id=other_doc.id)
    assert notes.delete_note(db, note_id=mine[0].id, author_user_id=doc.id)
    assert len(notes.list_notes(db, person_id=person.person_id, author_user_id=doc.id)) == 1


def test_empty_or_overlong_notes_are_refused_and_lose_nothing(db):
    person = _user(db, "p@example.org")
    doc = _user(db, "doc@example.org", "clinician")
    for bad in ("   ", "x" * (notes.MAX_NOTE + 1)):
        with pytest.raises(InputError):
            notes.add_note(
                db,
                person_id=person.person_id,
                author_user_id=doc.id,
                day=date(2026, 12, 1),
                text=bad,
            )
    assert notes.list_notes(db, person_id=person.person_id, author_user_id=doc.id) == []


def test_notes_go_with_the_person(db):
    person = _user(db, "p@example.org")
    doc = _user(db, "doc@example.org", "clinician")
    notes.add_note(
        db, person_id=person.person_id, author_user_id=doc.id, day=date(2026, 12, 1), text="n"
    )
    delete_person(db, person.person_id)
    assert notes.list_notes(db, person_id=person.person_id, author_user_id=doc.id) == []


def test_schema_matches_the_model_and_migration_goes_down_and_up(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    cfg = alembic_config(db.engine)
    command.downgrade(cfg, "0005")
    assert "clinician_notes" not in inspect(db.engine).get_table_names()
    assert "care_checkins" in inspect(db.engine).get_table_names()
    command.upgrade(cfg, "head")
    assert "clinician_notes" in inspect(db.engine).get_table_names()
