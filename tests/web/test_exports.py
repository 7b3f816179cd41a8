"""Exports: JSON with everything of the person, a zip of CSV tables, a validated FHIR Bundle."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime

import pytest
from fhir.resources.R4B.bundle import Bundle

from backcare.io.fhir import LOINC_SYSTEM, references
from backcare.store import schedule
from backcare.store.diary import save_entry
from backcare.store.profiles import save_profile
from backcare.web.security import now_utc
from tests.web.test_assess import _install_odi, _run_wizard
from tests.web.test_pages import _seed

EXPORTS = ["/export/json", "/export/csv", "/export/fhir"]


@pytest.fixture
def filled(person, app_db):
    _install_odi(app_db)
    _run_wizard(person, {"instruments": ["nrs", "odi"]})
    _seed(app_db, person.person_id)
    save_profile(app_db, person.person_id, birth_year=1984, sex="male", height_cm=181, mass_kg=80)
    schedule.save_schedule(
        app_db, person.person_id, break_every_min=40, exercise_days_per_week=2, reminders=False
    )
    schedule.add_event(app_db, person.person_id, kind="break", due_at=now_utc())
    save_entry(app_db, person.person_id, now_utc().date(), pain_nrs=5, notes="ZEBRA-7731")
    return person


def test_json_holds_everything_of_the_person(filled):
    response = filled.client.get("/export/json")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = json.loads(response.content)
    assert data["format"] == "backcare-export/1"
    assert data["profile"]["birth_year"] == 1984
    assert len(data["assessments"]) == 3
    first = data["assessments"][0]
    assert first["answers"]["odi.3"] == 1
    assert "plan" in first["result"]
    assert {s["instrument"] for s in first["scores"]} == {"nrs", "odi"}
    assert len(data["diary"]) == 6
    assert data["schedule"]["break_every_min"] == 40
    assert len(data["schedule_events"]) == 1
    (session,) = data["posture_sessions"]
    assert session["summary"]["sit_time_s"] == 14400.0
    assert "series_path" not in session  # no server paths


def test_csv_zip_has_one_table_per_kind(filled):
    response = filled.client.get("/export/csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        names = set(zf.namelist())
        tables = {n: list(csv.DictReader(io.StringIO(zf.read(n).decode()))) for n in names}
    assert names == {
        "profile.csv",
        "assessments.csv",
        "answers.csv",
        "scores.csv",
        "diary.csv",
        "schedule.csv",
        "schedule_events.csv",
        "posture_sessions.csv",
        "care_checkins.csv",
        "care_sessions.csv",
    }
    assert tables["profile.csv"][0]["height_cm"] == "181.0"
    assert len(tables["assessments.csv"]) == 3
    assert {r["answer_id"] for r in tables["answers.csv"]} >= {"odi.1", "triage.fever"}
    data = json.loads(filled.client.get("/export/json").content)
    assert len(tables["scores.csv"]) == sum(len(a["scores"]) for a in data["assessments"])
    assert len(tables["answers.csv"]) == sum(len(a["answers"]) for a in data["assessments"])
    assert any(r["notes"] == "ZEBRA-7731" for r in tables["diary.csv"])
    session = tables["posture_sessions.csv"][0]
    assert session["summary.sit_time_s"] == "14400.0"
    assert json.loads(session["summary_json"])["trunk_fwd_time_s"]["20"] == 1800.0


def test_fhir_bundle_is_valid_and_coded(filled):
    response = filled.client.get("/export/fhir")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = json.loads(response.content)
    Bundle.model_validate(bundle)  # the library validates it
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 3
    assert kinds.count("Patient") == 1
    codes = {
        c["code"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        for c in e["resource"]["code"]["coding"]
        if c["system"] == LOINC_SYSTEM
    }
    assert {"97908-8", "97909-6"} <= codes
    assert set(references(bundle)) <= {e["fullUrl"] for e in bundle["entry"]}
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["birthDate"] == "1984"


@pytest.mark.parametrize("path", EXPORTS)
def test_exports_need_login_and_are_isolated(path, client, filled, other_person, clinician):
    assert client.get(path, follow_redirects=False).status_code == 303
    mine = other_person.client.get(path)
    assert mine.status_code == 200
    assert b"ZEBRA-7731" not in mine.content
    query = f"{path}?person={filled.person_id}"
    assert other_person.client.get(query).status_code == 404
    assert clinician.client.get(query).status_code == 404
    assert filled.post("/sharing", {"email": clinician.email}).status_code == 303
    assert clinician.client.get(query).status_code == 200


def test_empty_person_exports(person):
    data = json.loads(person.client.get("/export/json").content)
    assert data["assessments"] == []
    assert data["schedule"] is None
    bundle = json.loads(person.client.get("/export/fhir").content)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
    assert datetime.fromisoformat(bundle["timestamp"]).tzinfo is not None


def test_exports_hold_the_care_programme(person, app_db):
    from datetime import date

    from backcare.store import care

    care.save_checkin(app_db, person.person_id, date(2026, 11, 3), pain=4, note="QUOKKA-5521")
    care.add_session(
        app_db,
        person.person_id,
        date(2026, 11, 3),
        template="back_gentle",
        level=1,
        done=["knee_rolls", "pelvic_tilt"],
        skipped=["bridge"],
        pain_during=3,
        difficulty="ok",
    )
    care.mark_lesson_done(app_db, person.person_id, "sleep")
    data = json.loads(person.client.get("/export/json").content)
    assert data["care_checkins"][0]["note"] == "QUOKKA-5521"
    assert data["care_sessions"][0]["done"] == ["knee_rolls", "pelvic_tilt"]
    assert data["care_lessons_done"] == ["sleep"]
    response = person.client.get("/export/csv")
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("care_sessions.csv").decode())))
    assert rows[0]["done"] == "knee_rolls pelvic_tilt"
    assert rows[0]["pain_during"] == "3"


@pytest.mark.parametrize(
    "note", ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
)
def test_csv_cells_that_look_like_formulas_are_written_as_text(person, app_db, note):
    save_entry(app_db, person.person_id, now_utc().date(), pain_nrs=-0, notes=note)
    save_profile(app_db, person.person_id, birth_year=1984, sex="male", height_cm=181, mass_kg=80)
    response = person.client.get("/export/csv")
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        diary = list(csv.DictReader(io.StringIO(zf.read("diary.csv").decode())))
        profile = list(csv.DictReader(io.StringIO(zf.read("profile.csv").decode())))
    assert diary[0]["notes"] == "'" + note
    assert profile[0]["height_cm"] == "181.0"  # numbers are not touched


def test_export_page_explains_the_formats_before_downloading(person):
    page = person.client.get("/export")
    assert page.status_code == 200
    assert "attachment" not in page.headers.get("content-disposition", "")
    for href, words in (("/export/json", "JSON"), ("/export/csv", "CSV"), ("/export/fhir", "FHIR")):
        assert f'href="{href}"' in page.text
        assert words in page.text
    assert 'href="/export"' in page.text  # the menu leads here, not to a silent download
