"""The demo seed: accounts, sharing and sample data, idempotent; extension by other parts."""

from __future__ import annotations

from backcare.store import diary, posture_sessions, shares, users
from backcare.store.assessments import list_assessments
from backcare.web import demo
from tests.web.conftest import login


def test_seed_demo_once_with_sample_data(app_db, web_settings, client, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(demo, "_SEEDERS", [*demo._SEEDERS])

    @demo.seeder
    def extra(ctx: demo.DemoContext) -> None:
        calls.append(ctx.person_id)

    account = demo.seed_demo(app_db, web_settings)
    assert account.created
    assert account.notes == ()
    person = users.get_user_by_email(app_db, demo.DEMO_EMAIL)
    clinician = users.get_user_by_email(app_db, demo.DEMO_CLINICIAN_EMAIL)
    assert person is not None
    assert clinician is not None
    assert clinician.role == "clinician"
    assert calls == [person.person_id]
    assert shares.shared_person_ids(app_db, clinician.id) == {person.person_id}
    assessments = list_assessments(app_db, person.person_id)
    assert len(assessments) == 1
    assert {s.instrument for s in assessments[0].scores} >= {"odi", "nrs"}
    entries = diary.list_entries(app_db, person.person_id)
    assert len(entries) == 14
    assert all(e.pain_nrs is not None and 0 <= e.pain_nrs <= 10 for e in entries)
    sessions = posture_sessions.list_posture_sessions(app_db, person.person_id)
    assert len(sessions) == 1
    assert sessions[0].summary["measured_time_s"] > 0
    assert sessions[0].series_path is not None

    again = demo.seed_demo(app_db, web_settings)
    assert not again.created
    assert calls == [person.person_id]  # seeders ran once
    assert len(diary.list_entries(app_db, person.person_id)) == 14

    assert login(client, demo.DEMO_EMAIL, demo.DEMO_PASSWORD).status_code == 303


def test_a_failing_seeder_is_reported_not_fatal(app_db, web_settings, monkeypatch):
    def broken(ctx: demo.DemoContext) -> None:
        raise RuntimeError("sample file missing")

    monkeypatch.setattr(demo, "_SEEDERS", [broken])
    account = demo.seed_demo(app_db, web_settings)
    assert account.created
    assert account.notes == ("sample data 'broken' skipped: sample file missing",)
