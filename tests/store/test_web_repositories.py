"""The web tables' repositories on SQLite and PostgreSQL (``db`` fixture: both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from backcare.errors import InputError
from backcare.store import (
    diary,
    jobs,
    login_attempts,
    posture_sessions,
    schedule,
    sessions,
    shares,
    uploads,
    users,
)
from backcare.store.files import delete_person_data, person_dir
from backcare.store.models import DiaryEntry, Person

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _user(db, email: str = "a@example.org", role: str = "person") -> users.UserRecord:
    return users.create_user(db, email=email, password_hash="$argon2id$x", role=role)


def test_migration_creates_the_web_tables(db):
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "users",
        "web_sessions",
        "login_attempts",
        "shares",
        "diary_entries",
        "schedules",
        "schedule_events",
        "jobs",
        "uploads",
        "posture_sessions",
    } <= tables


def test_users_create_lowercase_unique_and_own_a_person(db):
    user = _user(db, "  Mixed@Example.ORG ")
    assert user.email == "mixed@example.org"
    assert users.get_user_by_email(db, "MIXED@example.org") == user
    assert users.get_user(db, user.id) == user
    with db.session() as s:
        assert s.get(Person, user.person_id) is not None
    with pytest.raises(InputError, match="already exists"):
        _user(db, "mixed@example.org")
    with pytest.raises(InputError, match="role"):
        _user(db, "r@example.org", role="admin")
    with pytest.raises(InputError, match="e-mail"):
        _user(db, "no-at-sign")
    users.set_password_hash(db, user.id, "$argon2id$y")
    users.set_last_login(db, user.id, T0)
    again = users.get_user(db, user.id)
    assert again is not None
    assert again.password_hash == "$argon2id$y"
    assert again.last_login is not None
    assert _aware(again.last_login) == T0
    assert users.get_user(db, 999_999) is None


def test_sessions_find_expire_and_revoke(db):
    user = _user(db)
    sessions.create_session(
        db, user_id=user.id, token_digest="d1", csrf_token="c1", expires_at=T0 + timedelta(hours=8)
    )
    sessions.create_session(
        db, user_id=user.id, token_digest="d2", csrf_token="c2", expires_at=T0 + timedelta(hours=8)
    )
    found = sessions.find_session(db, "d1", now=T0)
    assert found is not None
    record, owner = found
    assert record.csrf_token == "c1"
    assert owner.id == user.id
    assert sessions.find_session(db, "d1", now=T0 + timedelta(hours=9)) is None
    assert sessions.find_session(db, "unknown", now=T0) is None
    assert sessions.revoke_session(db, "d1", now=T0)
    assert not sessions.revoke_session(db, "d1", now=T0)
    assert sessions.find_session(db, "d1", now=T0) is None
    assert sessions.revoke_user_sessions(db, user.id, now=T0, keep_digest="d2") == 0
    assert sessions.revoke_user_sessions(db, user.id, now=T0) == 1
    assert sessions.find_session(db, "d2", now=T0) is None
    assert sessions.purge_sessions(db, now=T0 + timedelta(days=1)) == 2
    with pytest.raises(IntegrityError):
        sessions.create_session(
            db, user_id=999_999, token_digest="d3", csrf_token="c", expires_at=T0
        )


def test_login_attempts_count_by_address_and_client(db):
    for i in range(3):
        login_attempts.record_failure(db, email="A@x.org", ip="10.0.0.1", at=T0 + timedelta(i))
    login_attempts.record_failure(db, email="b@x.org", ip="10.0.0.1", at=T0)
    assert login_attempts.count_failures(db, email="a@x.org", ip="10.0.0.2", since=T0) == (3, 0)
    assert login_attempts.count_failures(db, email="c@x.org", ip="10.0.0.1", since=T0) == (0, 4)
    later = T0 + timedelta(days=1, hours=1)
    assert login_attempts.count_failures(db, email="a@x.org", ip="x", since=later) == (1, 0)
    oldest = login_attempts.oldest_failure(db, email="a@x.org", ip="none", since=T0)
    assert oldest is not None
    assert _aware(oldest) == T0
    login_attempts.clear_failures(db, email="A@X.ORG")
    assert login_attempts.count_failures(db, email="a@x.org", ip="x", since=T0) == (0, 0)
    assert login_attempts.prune_failures(db, before=T0 + timedelta(seconds=1)) == 1


def test_shares_grant_revoke_and_list(db):
    person = _user(db, "p@x.org")
    clinician = _user(db, "c@x.org", "clinician")
    other = _user(db, "o@x.org")
    with pytest.raises(InputError, match="clinician"):
        shares.grant_share(db, person_id=person.person_id, clinician_user_id=other.id)
    with pytest.raises(InputError, match="yourself"):
        shares.grant_share(db, person_id=clinician.person_id, clinician_user_id=clinician.id)
    first = shares.grant_share(db, person_id=person.person_id, clinician_user_id=clinician.id)
    again = shares.grant_share(db, person_id=person.person_id, clinician_user_id=clinician.id)
    assert first.id == again.id
    assert first.clinician_email == "c@x.org"
    assert shares.shared_person_ids(db, clinician.id) == {person.person_id}
    people = shares.list_shared_people(db, clinician.id)
    assert [(p.person_id, p.email) for p in people] == [(person.person_id, "p@x.org")]
    assert not shares.revoke_share(db, share_id=first.id, person_id=other.person_id, now=T0)
    assert shares.revoke_share(db, share_id=first.id, person_id=person.person_id, now=T0)
    assert shares.shared_person_ids(db, clinician.id) == frozenset()
    assert shares.list_shares(db, person.person_id) == []
    history = shares.list_shares(db, person.person_id, include_revoked=True)
    assert len(history) == 1
    assert history[0].revoked_at is not None


def test_diary_upsert_validate_list_delete(db):
    person = _user(db).person_id
    day = date(2026, 3, 2)
    first = diary.save_entry(db, person, day, pain_nrs=4, notes="stiff", breaks_taken=2)
    second = diary.save_entry(db, person, day, pain_nrs=6, exercise_done=True, exercise_minutes=20)
    assert first.id == second.id  # one entry per day
    assert second.pain_nrs == 6
    assert second.notes is None
    assert second.exercise_minutes == 20
    assert diary.get_entry(db, person, day) == second
    assert diary.get_entry_by_id(db, second.id) == second
    for bad in ({"pain_nrs": 11}, {"pain_nrs": -1}):
        with pytest.raises(InputError, match="pain"):
            diary.save_entry(db, person, day, **bad)
    with pytest.raises(InputError, match="breaks"):
        diary.save_entry(db, person, day, pain_nrs=1, breaks_taken=-1)
    with pytest.raises(InputError, match="exercise"):
        diary.save_entry(db, person, day, pain_nrs=1, exercise_minutes=2000)
    diary.save_entry(db, person, day + timedelta(days=1), pain_nrs=None)
    diary.save_entry(db, person, day - timedelta(days=3), pain_nrs=2)
    days = [e.day for e in diary.list_entries(db, person)]
    assert days == sorted(days)
    assert len(days) == 3
    assert [e.day for e in diary.list_entries(db, person, start=day, end=day)] == [day]
    assert diary.delete_entry(db, person, day)
    assert not diary.delete_entry(db, person, day)


def test_diary_database_enforces_range_and_uniqueness(db):
    person = _user(db).person_id
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(DiaryEntry(person_id=person, day=date(2026, 1, 1), pain_nrs=12))
    twice = [DiaryEntry(person_id=person, day=date(2026, 1, 1), pain_nrs=n) for n in (1, 2)]
    with pytest.raises(IntegrityError), db.session() as s:
        s.add_all(twice)


def test_schedule_and_events(db):
    person = _user(db).person_id
    assert schedule.get_schedule(db, person) is None
    schedule.save_schedule(db, person, break_every_min=30, exercise_days_per_week=2, reminders=True)
    saved = schedule.save_schedule(
        db, person, break_every_min=45, exercise_days_per_week=3, reminders=False
    )
    got = schedule.get_schedule(db, person)
    assert got is not None
    assert (got.break_every_min, got.exercise_days_per_week, got.reminders) == (45, 3, False)
    assert saved.break_every_min == 45
    with pytest.raises(InputError):
        schedule.save_schedule(
            db, person, break_every_min=1, exercise_days_per_week=2, reminders=True
        )
    with pytest.raises(InputError):
        schedule.save_schedule(
            db, person, break_every_min=30, exercise_days_per_week=8, reminders=True
        )
    e1 = schedule.add_event(db, person, kind="break", due_at=T0)
    schedule.add_event(db, person, kind="exercise", due_at=T0 + timedelta(days=1))
    with pytest.raises(InputError):
        schedule.add_event(db, person, kind="nap", due_at=T0)
    other = _user(db, "o@x.org").person_id
    assert not schedule.mark_done(db, e1.id, person_id=other, done_at=T0)
    assert schedule.mark_done(db, e1.id, person_id=person, done_at=T0 + timedelta(minutes=1))
    assert not schedule.mark_done(db, e1.id, person_id=person, done_at=T0)
    got_event = schedule.get_event(db, e1.id)
    assert got_event is not None
    assert got_event.done_at is not None
    assert [e.kind for e in schedule.list_events(db, person)] == ["break", "exercise"]
    assert [e.kind for e in schedule.list_events(db, person, kind="exercise")] == ["exercise"]
    window = schedule.list_events(db, person, since=T0, until=T0 + timedelta(hours=1))
    assert [e.id for e in window] == [e1.id]


def test_jobs_lifecycle_claim_progress_finish_fail(db):
    person = _user(db).person_id
    with pytest.raises(InputError):
        jobs.create_job(db, person, kind="fax", inputs=[])
    a = jobs.create_job(db, person, kind="wearable", inputs=["/x/a.cwa"], params={"p": 1})
    b = jobs.create_job(db, person, kind="camera", inputs=["/x/b.mp4"])
    assert a.status == "queued"
    assert a.inputs == ("/x/a.cwa",)
    assert a.params == {"p": 1}
    claimed = jobs.claim_next(db, now=T0)
    assert claimed is not None
    assert claimed.id == a.id
    assert claimed.status == "running"
    assert claimed.attempts == 1
    jobs.report_progress(db, a.id, progress=1.7, message="half", now=T0 + timedelta(seconds=5))
    running = jobs.get_job(db, a.id)
    assert running is not None
    assert running.progress == 1.0  # clamped
    assert running.message == "half"
    jobs.finish_job(db, a.id, now=T0 + timedelta(seconds=9), message="done")
    second = jobs.claim_next(db, now=T0)
    assert second is not None
    assert second.id == b.id
    jobs.fail_job(db, b.id, error="not a video", now=T0)
    assert jobs.claim_next(db, now=T0) is None
    states = {j.id: (j.status, j.error) for j in jobs.list_jobs(db, person)}
    assert states == {a.id: ("done", None), b.id: ("failed", "not a video")}
    assert [j.id for j in jobs.list_jobs(db, person)] == [b.id, a.id]


def test_jobs_recover_stale_requeues_then_fails(db):
    person = _user(db).person_id
    job = jobs.create_job(db, person, kind="wearable", inputs=[])
    for attempt in (1, 2):
        claimed = jobs.claim_next(db, now=T0)
        assert claimed is not None
        assert claimed.attempts == attempt
        # a fresh heartbeat is not stale
        assert jobs.recover_stale(db, stale_before=T0 - timedelta(1), max_attempts=2, now=T0) == (
            [],
            [],
        )
        requeued, failed = jobs.recover_stale(
            db, stale_before=T0 + timedelta(minutes=5), max_attempts=2, now=T0
        )
        if attempt == 1:
            assert (requeued, failed) == ([job.id], [])
        else:
            assert (requeued, failed) == ([], [job.id])
    final = jobs.get_job(db, job.id)
    assert final is not None
    assert final.status == "failed"
    assert final.error is not None
    assert "2 times" in final.error


def test_uploads_add_get_list_delete(db):
    person = _user(db).person_id
    other = _user(db, "o@x.org").person_id
    with pytest.raises(InputError):
        uploads.add_upload(
            db,
            person,
            kind="pdf",
            original_name="a",
            stored_path="p",
            size_bytes=1,
            content_type="x",
            sha256="0",
        )
    up = uploads.add_upload(
        db,
        person,
        kind="video",
        original_name="clip.mp4",
        stored_path="/d/clip.mp4",
        size_bytes=5_000_000_000,
        content_type="video/mp4",
        sha256="ab" * 32,
    )
    assert uploads.get_upload(db, up.id) == up
    assert up.size_bytes == 5_000_000_000  # beyond 32-bit
    assert uploads.list_uploads(db, person) == [up]
    assert uploads.list_uploads(db, other) == []
    assert uploads.delete_upload(db, up.id, person_id=other) is None
    assert uploads.delete_upload(db, up.id, person_id=person) == up
    assert uploads.get_upload(db, up.id) is None


def test_posture_sessions(db):
    person = _user(db).person_id
    job = jobs.create_job(db, person, kind="camera", inputs=[])
    with pytest.raises(InputError):
        posture_sessions.add_posture_session(
            db, person, source="tv", started_at=T0, duration_s=1, series_path=None, summary={}
        )
    late = posture_sessions.add_posture_session(
        db,
        person,
        source="camera",
        started_at=T0 + timedelta(hours=2),
        duration_s=30.5,
        series_path="/d/s.parquet",
        summary={"trunk_fwd_time_s": {"20": 12.0}},
        job_id=job.id,
    )
    early = posture_sessions.add_posture_session(
        db, person, source="live", started_at=T0, duration_s=60, series_path=None, summary={}
    )
    assert [s.id for s in posture_sessions.list_posture_sessions(db, person)] == [early.id, late.id]
    assert posture_sessions.list_posture_sessions(db, person, source="live") == [early]
    got = posture_sessions.get_posture_session(db, late.id)
    assert got is not None
    assert got.summary == {"trunk_fwd_time_s": {"20": 12.0}}
    assert got.job_id == job.id
    assert posture_sessions.delete_posture_session(db, early.id, person_id=person)
    assert not posture_sessions.delete_posture_session(db, early.id, person_id=person)


def test_delete_person_data_cascades_rows_and_files(db, tmp_path: Path):
    data_dir = tmp_path / "data"
    alice = _user(db, "a@x.org")
    bob = _user(db, "b@x.org")
    clinician = _user(db, "c@x.org", "clinician")
    folder = person_dir(data_dir, alice.person_id, create=True)
    stored = folder / "uploads" / "f.csv"
    stored.parent.mkdir()
    stored.write_text("x")
    elsewhere = tmp_path / "elsewhere.csv"
    elsewhere.write_text("keep")
    uploads.add_upload(
        db,
        alice.person_id,
        kind="wearable",
        original_name="f.csv",
        stored_path=str(stored),
        size_bytes=1,
        content_type="text/csv",
        sha256="0",
    )
    uploads.add_upload(
        db,
        alice.person_id,
        kind="wearable",
        original_name="e.csv",
        stored_path=str(elsewhere),
        size_bytes=1,
        content_type="text/csv",
        sha256="0",
    )
    diary.save_entry(db, alice.person_id, date(2026, 1, 1), pain_nrs=3)
    diary.save_entry(db, bob.person_id, date(2026, 1, 1), pain_nrs=3)
    job = jobs.create_job(db, alice.person_id, kind="wearable", inputs=[], output_dir=str(folder))
    posture_sessions.add_posture_session(
        db,
        alice.person_id,
        source="wearable",
        started_at=T0,
        duration_s=1,
        series_path=None,
        summary={},
        job_id=job.id,
    )
    schedule.save_schedule(
        db, alice.person_id, break_every_min=30, exercise_days_per_week=2, reminders=True
    )
    schedule.add_event(db, alice.person_id, kind="break", due_at=T0)
    shares.grant_share(db, person_id=alice.person_id, clinician_user_id=clinician.id)
    sessions.create_session(db, user_id=alice.id, token_digest="d", csrf_token="c", expires_at=T0)

    assert delete_person_data(db, alice.person_id, data_dir)
    assert not delete_person_data(db, alice.person_id, data_dir)
    assert users.get_user(db, alice.id) is None
    assert diary.list_entries(db, alice.person_id) == []
    assert len(diary.list_entries(db, bob.person_id)) == 1
    assert uploads.list_uploads(db, alice.person_id) == []
    assert jobs.list_jobs(db, alice.person_id) == []
    assert posture_sessions.list_posture_sessions(db, alice.person_id) == []
    assert schedule.get_schedule(db, alice.person_id) is None
    assert schedule.list_events(db, alice.person_id) == []
    assert shares.shared_person_ids(db, clinician.id) == frozenset()
    with db.session() as s:
        from backcare.store.models import WebSession

        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
    assert not folder.exists()
    assert elsewhere.read_text() == "keep"  # outside the data directory: never touched
    assert users.delete_user(db, alice.id, data_dir) is False
