"""Wizard drafts and profiles: round trip, replace, clear, removed with the person; one head."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from backcare.store.assessments import delete_person, local_person_id
from backcare.store.db import alembic_config
from backcare.store.drafts import clear_draft, load_draft, save_draft
from backcare.store.profiles import get_assessment, get_profile, save_profile


def test_draft_round_trip_replace_and_clear(db):
    pid = local_person_id(db)
    assert load_draft(db, pid) is None
    save_draft(db, pid, {"answers": {"odi.1": 2}, "asked": []})
    save_draft(db, pid, {"answers": {"odi.1": 3}, "asked": ["odi.1"]})
    assert load_draft(db, pid) == {"answers": {"odi.1": 3}, "asked": ["odi.1"]}
    clear_draft(db, pid)
    assert load_draft(db, pid) is None
    clear_draft(db, pid)  # no error without a draft


def test_draft_and_profile_go_with_the_person(db):
    pid = local_person_id(db)
    save_draft(db, pid, {"answers": {}})
    saved = save_profile(db, pid, birth_year=1970, sex="male", height_cm=180.0, mass_kg=82.5)
    assert (saved.birth_year, saved.mass_kg) == (1970, 82.5)
    assert get_profile(db, pid).height_cm == 180.0
    delete_person(db, pid)
    assert load_draft(db, pid) is None
    assert get_assessment(db, 1) is None


def test_migrations_have_one_head(db):
    heads = ScriptDirectory.from_config(alembic_config(db.engine)).get_heads()
    assert len(heads) == 1
