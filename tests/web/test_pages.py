"""Facts, profile, diary, progress and schedule pages through the app: login, CSRF, validation,
read-only sharing and isolation."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from backcare.clinical.assessment import assess
from backcare.store import posture_sessions, schedule
from backcare.store.assessments import ScoreRow, save_assessment
from backcare.store.diary import get_entry, save_entry
from backcare.store.profiles import get_profile
from backcare.web.demo import sample_answers
from backcare.web.security import now_utc
from tests.web.conftest import WebUser

PAGES = ["/profile", "/diary", "/progress", "/schedule"]
POSTS = ["/profile", "/diary", "/schedule", "/schedule/done", "/schedule/due"]


def test_facts_is_public_and_lists_claims_with_sources(client):
    page = client.get("/facts")
    assert page.status_code == 200
    assert "spasm" in page.text.lower()
    assert "Not supported by evidence" in page.text
    assert "https://doi.org/" in page.text


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_login(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("path", POSTS)
def test_posts_need_csrf(person: WebUser, path):
    response = person.client.post(path, data={"kind": "break"}, follow_redirects=False)
    assert response.status_code == 403


def test_profile_saves_and_validates(person: WebUser, app_db):
    page = person.client.get("/profile")
    assert "Height [cm]" in page.text
    assert "Body mass [kg]" in page.text
    bad = person.post(
        "/profile", {"birth_year": "1980", "sex": "female", "height_cm": "90", "mass_kg": "70"}
    )
    assert bad.status_code == 422
    assert 'id="height_cm-err"' in bad.text
    assert 'value="90"' in bad.text
    assert 'value="70"' in bad.text
    assert get_profile(app_db, person.person_id).height_cm is None
    ok = person.post(
        "/profile", {"birth_year": "1980", "sex": "female", "height_cm": "168.5", "mass_kg": "64"}
    )
    assert ok.status_code == 303
    stored = get_profile(app_db, person.person_id)
    assert (stored.birth_year, stored.sex, stored.height_cm, stored.mass_kg) == (
        1980,
        "female",
        168.5,
        64.0,
    )


def test_diary_today_edit_past_and_validation(person: WebUser, app_db):
    today = now_utc().date()
    saved = person.post(
        "/diary",
        {"pain_nrs": "6", "notes": "stiff morning", "exercise_done": "on", "breaks_taken": "4"},
    )
    assert saved.status_code == 303
    entry = get_entry(app_db, person.person_id, today)
    assert entry is not None
    assert (entry.pain_nrs, entry.exercise_done, entry.breaks_taken) == (6, True, 4)
    past = (today - timedelta(days=3)).isoformat()
    assert person.post("/diary", {"day": past, "pain_nrs": "2"}).status_code == 303
    edit = person.client.get(f"/diary?day={past}")
    assert f'value="{past}"' in edit.text
    assert re.search(r'id="pain_nrs"[^>]*value="2"', edit.text)
    bad = person.post("/diary", {"pain_nrs": "12", "notes": "keep me"})
    assert bad.status_code == 422
    assert 'id="pain_nrs-err"' in bad.text
    assert "keep me" in bad.text
    future = person.post("/diary", {"day": (today + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    listing = person.client.get("/diary")
    assert "stiff morning" in listing.text
    assert past in listing.text


def _seed(db, person_id: int) -> None:
    for odi in ([4] * 10, [1] * 10):
        answers = {**sample_answers(), **{f"odi.{n}": v for n, v in enumerate(odi, 1)}}
        result = assess(answers)
        stored = save_assessment(
            db,
            person_id,
            answers=answers,
            result=result.model_dump(mode="json"),
            urgency=result.triage.urgency,
            phase=result.phase.phase if result.phase else None,
            scores=[ScoreRow(k, r.total, r.category) for k, r in result.scores.items()],
            knowledge_version=result.knowledge_version,
        )
        assert stored.id
    for i in range(5):
        save_entry(db, person_id, date(2026, 1, 1) + timedelta(days=i), pain_nrs=7 - i)
    posture_sessions.add_posture_session(
        db,
        person_id,
        source="wearable",
        started_at=datetime(2026, 1, 2, 8, tzinfo=UTC),
        duration_s=8 * 3600.0,
        series_path=None,
        summary={"trunk_fwd_time_s": {"20": 1800.0, "60": 300.0}, "sit_time_s": 14400.0},
    )


def test_progress_renders_charts_and_tables(person: WebUser, app_db):
    empty = person.client.get("/progress")
    assert empty.status_code == 200
    assert "<svg" not in empty.text
    _seed(app_db, person.person_id)
    recent = person.client.get("/progress")  # the last 3 months: January 2026 is out of range
    assert recent.status_code == 200
    if date.today() > date(2026, 4, 10):  # the assessments are today's; the diary is not
        assert recent.text.count('<svg role="img"') == 1
        assert recent.text.count("no data yet") == 2
    page = person.client.get("/progress?range=all")
    assert page.status_code == 200
    assert page.text.count('<svg role="img"') == 3
    assert "change-improved" in page.text  # the ODI fell by more than its MIC
    assert "<td>30</td>" in page.text
    assert "<td>240</td>" in page.text
    assert "Pain as a table" in page.text


def test_schedule_defaults_done_and_due(person: WebUser, app_db):
    page = person.client.get("/schedule")
    assert page.status_code == 200
    assert "every <strong>30 minutes</strong>" in page.text
    assert "Steffens" in page.text
    assert 'src="/static/js/schedule.js"' in page.text
    assert 'data-next-due="' in page.text
    assert person.post("/schedule/due", {"kind": "break"}).status_code == 204
    assert person.post("/schedule/due", {"kind": "break"}).status_code == 204  # no duplicate
    assert person.post("/schedule/done", {"kind": "break"}).status_code == 303
    assert person.post("/schedule/done", {"kind": "exercise"}).status_code == 303
    events = schedule.list_events(app_db, person.person_id)
    breaks = [e for e in events if e.kind == "break"]
    assert len(breaks) == 1
    assert breaks[0].done_at is not None
    assert [e.kind for e in events if e.done_at is not None].count("exercise") == 1
    assert person.post("/schedule/done", {"kind": "nap"}).status_code == 422
    bad = person.post("/schedule", {"break_every_min": "500", "exercise_days_per_week": "2"})
    assert bad.status_code == 422
    assert 'id="break_every_min-err"' in bad.text
    ok = person.post(
        "/schedule", {"break_every_min": "45", "exercise_days_per_week": "3", "reminders": "on"}
    )
    assert ok.status_code == 303
    saved = schedule.get_schedule(app_db, person.person_id)
    assert saved is not None
    assert (saved.break_every_min, saved.exercise_days_per_week) == (45, 3)
    week = person.client.get("/schedule").text
    assert "1 of 3" in week  # one exercise day this week


def test_static_reminder_script_is_served(client):
    script = client.get("/static/js/schedule.js")
    assert script.status_code == 200
    assert "Notification" in script.text


@pytest.mark.parametrize("path", PAGES)
def test_other_people_cannot_read_and_clinicians_read_only(
    path, person: WebUser, other_person: WebUser, clinician: WebUser, app_db
):
    save_entry(app_db, person.person_id, now_utc().date(), pain_nrs=3, notes="ZEBRA-7731 note")
    own = person.client.get(path)
    assert own.status_code == 200
    query = f"{path}?person={person.person_id}"
    assert other_person.client.get(query).status_code == 404
    assert clinician.client.get(query).status_code == 404
    assert person.post("/sharing", {"email": clinician.email}).status_code == 303
    shared = clinician.client.get(query)
    assert shared.status_code == 200
    assert "read-only" in shared.text.lower()
    assert 'action="/diary"' not in shared.text or path != "/diary"


def test_writes_go_to_the_own_person_only(person: WebUser, other_person: WebUser, app_db):
    other_person.post("/diary", {"pain_nrs": "9", "notes": "mine"})
    assert get_entry(app_db, person.person_id, now_utc().date()) is None
    assert get_entry(app_db, other_person.person_id, now_utc().date()) is not None


def test_not_found_page_keeps_the_signed_in_header_and_the_icon(person: WebUser, client):
    page = person.client.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "Not found" in page.text
    assert person.email in page.text  # the header shows who is signed in
    assert "Log out" in page.text
    assert 'rel="icon" href="/static/favicon.svg"' in page.text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.text.lstrip().startswith("<svg")
    legacy = client.get("/favicon.ico", follow_redirects=False)
    assert legacy.status_code == 301
    assert legacy.headers["location"] == "/static/favicon.svg"
