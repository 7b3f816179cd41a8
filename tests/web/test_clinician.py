"""The clinician's patient list and one-page summary, notes, and the PDFs made from the pages.

Access: a clinician sees only the people who share with them (404 for anyone else), writes only
their own notes (never the person's data), and nobody else reads those notes.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from backcare.clinical.assessment import assess
from backcare.report.pdf import pdf_available
from backcare.store import care, notes, shares
from backcare.store.assessments import ScoreRow, save_assessment
from backcare.web.demo import sample_answers

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()

needs_pdf = pytest.mark.skipif(not pdf_available(), reason="WeasyPrint/Pango not installed")


@pytest.fixture(autouse=True)
def clock(app):
    app.state.clock = lambda: NOW
    yield
    app.state.clock = None


def _assess(db, person_id: int, when: datetime, **answers: Any) -> int:
    values = {**sample_answers(), **answers}
    result = assess(values)
    stored = save_assessment(
        db,
        person_id,
        answers=values,
        result=result.model_dump(mode="json"),
        urgency=result.triage.urgency,
        phase=result.phase.phase if result.phase else None,
        scores=[ScoreRow(k, r.total, r.category) for k, r in result.scores.items()],
        knowledge_version=result.knowledge_version,
    )
    with db.session() as session:  # the store stamps "now"; the scenario needs its own dates
        from backcare.store.models import Assessment

        session.get(Assessment, stored.id).created_at = when
    return stored.id


def _checkins(db, person_id: int, pains: list[int | None], *, did_plan: str = "yes") -> None:
    """One check-in a day ending today, oldest first."""
    for back, pain in zip(range(len(pains) - 1, -1, -1), pains, strict=True):
        day = TODAY - timedelta(days=back)
        care.save_checkin(
            db,
            person_id,
            day,
            pain=pain,
            did_plan=did_plan,
            recorded_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=19),
        )


def _pdf_text(response, *, pages: int | None = None) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    if pages is not None:
        assert len(reader.pages) == pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def clinic(app_db, make_user, clinician):
    """Three people share with ``clinician``: Ann (emergency), Ben (ODI 24% -> 60%), Cy (well);
    Dee shares with nobody."""
    people = {name: make_user("person", display_name=name) for name in ("Ann", "Ben", "Cy", "Dee")}
    for name in ("Ann", "Ben", "Cy"):
        shares.grant_share(
            app_db, person_id=people[name].person_id, clinician_user_id=clinician.user_id
        )
    ann, ben, cy, dee = (people[n] for n in ("Ann", "Ben", "Cy", "Dee"))
    _assess(app_db, ann.person_id, NOW - timedelta(days=2), **{"triage.saddle_numbness": True})
    _checkins(app_db, ann.person_id, [3] * 5)
    _assess(app_db, ben.person_id, NOW - timedelta(days=40))
    worse = {f"odi.{i}": 3 for i in range(1, 11)}
    _assess(app_db, ben.person_id, NOW - timedelta(days=3), **worse)
    _checkins(app_db, ben.person_id, [4, 4, 5, 4, 4, 5, 4, 4, None, 4], did_plan="partly")
    _assess(app_db, cy.person_id, NOW - timedelta(days=20))
    _checkins(app_db, cy.person_id, [5, 5, 4, 4, 4, 3, 3, 3, 3, 2])
    _assess(app_db, dee.person_id, NOW - timedelta(days=1), **{"triage.saddle_numbness": True})
    return people


def test_patient_list_puts_what_needs_attention_first_in_plain_words(clinic, clinician):
    page = clinician.client.get("/patients")
    assert page.status_code == 200
    assert '<a href="/patients" aria-current="page">Patients</a>' in page.text  # in the menu
    text = page.text
    order = [text.index(f"<strong>{n}</strong>") for n in ("Ann", "Ben", "Cy")]
    assert order == sorted(order)
    assert "Dee" not in text  # she shares with nobody
    assert "pointed to an emergency" in text
    assert "ODI got worse by 36 percentage points (from 24% to 60%)" in text
    assert "minimal important change of 10 percentage points" in text
    assert "2 of 3 people need attention" in text
    assert "Nothing needs attention." in text  # Cy
    for raw in ("same_day", "worsened", "self_care", "NaN", "no_checkin"):
        assert raw not in re.sub(r"<[^>]+>", " ", text)
    # the sharing page shows the same list
    assert "pointed to an emergency" in clinician.client.get("/sharing").text


def test_unchecked_warning_signs_are_never_read_as_no(app_db, make_user, clinician):
    eve = make_user("person", display_name="Eve")
    shares.grant_share(app_db, person_id=eve.person_id, clinician_user_id=clinician.user_id)
    _assess(app_db, eve.person_id, NOW - timedelta(days=1), **{"triage.saddle_numbness": None})
    _checkins(app_db, eve.person_id, [3] * 3)
    listing = clinician.client.get("/patients").text
    assert "answered &#34;don&#39;t know&#34;" in listing or 'answered "don\'t know"' in listing
    page = clinician.client.get(f"/people/{eve.person_id}/summary").text
    assert "Needs attention: Latest assessment (29 Nov 2026): some serious warning signs" in page
    assert "Not yet safe to say: some warning signs are unchecked" in page


def test_people_who_are_not_clinicians_have_no_patient_list(person):
    assert person.client.get("/patients").status_code == 403
    assert 'href="/patients"' not in person.client.get("/sharing").text


def test_summary_is_one_page_of_scores_pain_adherence_and_posture(clinic, clinician):
    ben = clinic["Ben"]
    page = clinician.client.get(f"/people/{ben.person_id}/summary")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "Needs attention: ODI got worse by 36 percentage points" in text
    assert "<td>60%</td><td>24%</td><td>+36 points</td>" in text
    assert (
        'Worse <span class="muted">(minimal important change: 10 points on the 0-100 scale, '
        "or a 30% improvement)" in text
    )
    assert "<td>5</td><td>5</td><td>+0 points</td>" in text  # the pain NRS
    assert "No important change" in text  # the pain NRS did not change
    assert "In the last 14 days they followed the plan fully on 0 days and partly on 10" in text
    assert "No check-in: 4 days" in text
    assert "Pain lately averages" in text
    assert "<svg" in text  # the pain trend chart
    assert "No posture measurement yet" in text
    assert "@media print" in text
    assert f'href="/people/{ben.person_id}/summary/pdf"' in text


def test_posture_headline_in_one_sentence(clinic, clinician, app_db):
    from backcare.store import posture_sessions

    cy = clinic["Cy"]
    started = NOW - timedelta(days=1)
    posture_sessions.add_posture_session(
        app_db,
        cy.person_id,
        source="live",
        started_at=started - timedelta(hours=1),
        duration_s=60.0,
        series_path=None,
        summary={"measured_time_s": 60.0, "error": "no person in view"},
    )
    page = clinician.client.get(f"/people/{cy.person_id}/summary").text
    assert "The latest posture session (the live coach, 29 Nov 2026) measured no trunk" in page
    summary = {
        "measured_time_s": 8 * 3600.0,
        "trunk_fwd_time_s": {"20.0": 3900.0, "60.0": 12.0},
        "sit_time_s": 5 * 3600 + 120.0,
    }
    posture_sessions.add_posture_session(
        app_db,
        cy.person_id,
        source="wearable",
        started_at=started,
        duration_s=8 * 3600.0,
        series_path=None,
        summary=summary,
    )
    page = clinician.client.get(f"/people/{cy.person_id}/summary").text
    assert (
        "Latest posture measurement (worn sensors, 29 Nov 2026, 8 h measured): trunk bent forward "
        "20° or more for 1 h 5 min, never 60° or more, sitting 5 h 2 min."
    ) in page


def test_a_clinician_sees_only_people_who_share_with_them(clinic, clinician, make_user):
    dee = clinic["Dee"]
    assert clinician.client.get(f"/people/{dee.person_id}/summary").status_code == 404
    assert clinician.client.get(f"/people/{dee.person_id}/summary/pdf").status_code == 404
    stranger = make_user("clinician")
    ann = clinic["Ann"]
    assert stranger.client.get(f"/people/{ann.person_id}/summary").status_code == 404
    assert "Ann" not in stranger.client.get("/patients").text
    # after the person stops sharing, the clinician loses access
    share = shares.list_shares(clinician.client.app.state.db, ann.person_id)[0]
    assert ann.post(f"/sharing/{share.id}/revoke").status_code == 303
    assert clinician.client.get(f"/people/{ann.person_id}/summary").status_code == 404


def test_a_person_reads_their_own_summary_but_not_someone_elses(clinic):
    cy, ann = clinic["Cy"], clinic["Ann"]
    assert f'href="/people/{cy.person_id}/summary"' in cy.client.get("/sharing").text
    own = cy.client.get(f"/people/{cy.person_id}/summary")
    assert own.status_code == 200
    assert "Your summary" in own.text
    assert "Nothing needs attention now" in own.text
    assert "Self-care" in own.text
    assert "Add note" not in own.text
    assert cy.client.get(f"/people/{ann.person_id}/summary").status_code == 404


def test_notes_are_dated_private_and_refused_for_everyone_else(
    app_db, clinic, clinician, make_user
):
    ben = clinic["Ben"]
    url = f"/people/{ben.person_id}/notes"
    done = clinician.post(url, {"day": "2026-11-29", "text": "Reviewed the ODI rise by phone."})
    assert done.status_code == 303
    page = clinician.client.get(f"/people/{ben.person_id}/summary").text
    assert "29 Nov 2026" in page
    assert "Reviewed the ODI rise by phone." in page
    bad = clinician.post(url, {"day": "yesterday", "text": "x"})
    assert bad.status_code == 400
    assert "year-month-day" in bad.text
    assert clinician.post(url, {"day": "", "text": "   "}).status_code == 400
    assert (
        len(notes.list_notes(app_db, person_id=ben.person_id, author_user_id=clinician.user_id))
        == 1
    )
    # the person cannot write notes on their own data and does not see the clinician's
    assert ben.post(url, {"text": "mine"}).status_code == 403
    assert "Reviewed the ODI" not in ben.client.get(f"/people/{ben.person_id}/summary").text
    # another clinician Ben shares with does not see them; one he does not share with gets 404
    second = make_user("clinician")
    shares.grant_share(app_db, person_id=ben.person_id, clinician_user_id=second.user_id)
    assert "Reviewed the ODI" not in second.client.get(f"/people/{ben.person_id}/summary").text
    stranger = make_user("clinician")
    assert stranger.post(url, {"text": "x"}).status_code == 404
    assert (
        len(notes.list_notes(app_db, person_id=ben.person_id, author_user_id=stranger.user_id)) == 0
    )


def test_the_clinician_cannot_change_the_persons_data(clinic, clinician):
    ben = clinic["Ben"]
    page = clinician.client.get(f"/people/{ben.person_id}/summary").text
    actions = set(re.findall(r'<form[^>]*action="([^"]+)"', page))
    assert actions == {"/logout", f"/people/{ben.person_id}/notes"}


@needs_pdf
def test_summary_pdf_is_made_from_the_page_and_holds_its_figures(clinic, clinician):
    ben = clinic["Ben"]
    text = _pdf_text(clinician.client.get(f"/people/{ben.person_id}/summary/pdf"), pages=1)
    assert "Needs attention: ODI got worse by 36 percentage points" in text
    assert "60%" in text
    assert "24%" in text
    assert "Plan adherence" in text
    assert "Posture exposure" in text
    assert "Log out" not in text  # the print stylesheet drops the navigation and forms


@needs_pdf
def test_assessment_pdf_for_the_owner_and_a_sharing_clinician_only(clinic, clinician, app_db):
    ben, dee = clinic["Ben"], clinic["Dee"]
    from backcare.store.assessments import list_assessments

    latest = list_assessments(app_db, ben.person_id)[-1].id
    own = _pdf_text(ben.client.get(f"/assessments/{latest}/pdf"))
    assert "Self-care" in own
    assert "60" in own
    assert _pdf_text(clinician.client.get(f"/assessments/{latest}/pdf"))
    dee_id = list_assessments(app_db, dee.person_id)[-1].id
    assert clinician.client.get(f"/assessments/{dee_id}/pdf").status_code == 404
    assert ben.client.get(f"/assessments/{dee_id}/pdf").status_code == 404


def _finished_job(app_db, data_dir, person_id: int) -> int:
    import json

    from backcare.store import jobs
    from backcare.store.files import person_dir

    out = person_dir(data_dir, person_id, create=True) / "jobs" / "pdf"
    out.mkdir(parents=True)
    (out / "report.html").write_text(
        "<!doctype html><html><body><h1>Wearable report</h1>"
        "<p>Trunk bent forward 20 degrees or more: 1 h 5 min (13.2%).</p>"
        '<img src="https://example.org/tracker.png"></body></html>',
        encoding="utf-8",
    )
    (out / "outputs.json").write_text(
        json.dumps({"kind": "wearable", "files": {"report": "report.html"}}), encoding="utf-8"
    )
    job = jobs.create_job(app_db, person_id, kind="wearable", inputs=[], output_dir=str(out))
    jobs.finish_job(app_db, job.id, now=NOW)
    return job.id


@needs_pdf
def test_report_pdf_of_a_finished_analysis(clinic, clinician, app_db, web_settings):
    ben, dee = clinic["Ben"], clinic["Dee"]
    job_id = _finished_job(app_db, web_settings.data_dir, ben.person_id)
    page = ben.client.get(f"/results/{job_id}")
    assert f'href="/results/{job_id}/pdf"' in page.text
    for who in (ben, clinician):
        text = _pdf_text(who.client.get(f"/results/{job_id}/pdf"))
        assert "Wearable report" in text
        assert "1 h 5 min (13.2%)" in text
    assert dee.client.get(f"/results/{job_id}/pdf").status_code == 404
    other = _finished_job(app_db, web_settings.data_dir, dee.person_id)
    assert clinician.client.get(f"/results/{other}/pdf").status_code == 404


def test_pdf_button_says_plainly_when_pdfs_cannot_be_made(clinic, clinician, monkeypatch, tmp_path):
    fake = tmp_path / "weasyprint"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('No module named weasyprint')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    ben = clinic["Ben"]
    response = clinician.client.get(
        f"/people/{ben.person_id}/summary/pdf", headers={"accept": "text/html"}
    )
    assert response.status_code == 503
    assert "PDF files cannot be made on this computer" in response.text
    assert "Save as PDF" in response.text
