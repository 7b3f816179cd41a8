"""The assessment wizard end to end, the emergency interruption, bad values, results and history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backcare.clinical.answers import triage_questions
from backcare.io.textpack import read_text_pack
from backcare.store.assessments import list_assessments
from backcare.store.drafts import load_draft
from backcare.store.text_packs import install_pack
from tests.web.conftest import WebUser

ODI_PACK = Path(__file__).resolve().parents[1] / "io" / "data" / "fictional-odi-pack.yaml"


def _install_odi(db) -> None:
    install_pack(db, read_text_pack(ODI_PACK), installed_by="test setup")


_STEP = re.compile(r'name="step" value="([^"]+)"')
_FIELD = re.compile(r'name="([a-z_]+\.[a-z0-9_]+)"')


def _step(html: str) -> str:
    found = _STEP.search(html)
    assert found, html[:2000]
    return found.group(1)


def _fields(html: str) -> list[str]:
    return list(dict.fromkeys(_FIELD.findall(html)))


def _answer_page(user: WebUser, html: str, overrides: dict[str, str]) -> object:
    step = _step(html)
    data: dict[str, object] = {"step": step}
    for name in _fields(html):
        if name in overrides:
            data[name] = overrides[name]
        elif name.startswith(("triage.", "self.")) or name in ("pain.leg_below_knee",):
            data[name] = "no"
        elif name == "pain.region":
            data[name] = "low_back"
        elif name == "pain.duration_weeks":
            data[name] = "3"
            data[name + "__unit"] = overrides.get(name + "__unit", "weeks")
        elif name in ("profile.age", "pain.onset_age"):
            data[name] = "40"
        elif name == "self.limits":
            data[name] = "1"
        elif name == "odi.variant":
            data[name] = "sex_life"
        elif re.match(r"^(odi|ndi|rmdq|startback|nrs)\.\d+$|^nrs\.", name):
            data[name] = "1"
    if "self.limits" in data and "self.limits" not in overrides:
        data["self.limits"] = "1"
    if step == "select":
        data["instruments"] = overrides.get("instruments", ["nrs", "startback", "odi"])
    return user.post("/assess", data)


def _run_wizard(user: WebUser, overrides: dict[str, str] | None = None, limit: int = 40):
    overrides = overrides or {}
    page = user.client.get("/assess")
    for _ in range(limit):
        response = _answer_page(user, page.text, overrides)
        assert response.status_code == 303, response.text[:3000]
        target = response.headers["location"]
        if target.startswith("/assessments/"):
            return target
        page = user.client.get(target)
    raise AssertionError("the wizard did not finish")


def test_wizard_end_to_end_stores_assessment_with_scores(person: WebUser, app_db):
    _install_odi(app_db)
    target = _run_wizard(person, {"instruments": ["nrs", "odi"]})
    stored = list_assessments(app_db, person.person_id)
    assert len(stored) == 1
    assert target == f"/assessments/{stored[0].id}"
    assert {s.instrument for s in stored[0].scores} == {"nrs", "odi"}
    assert stored[0].answers["odi.3"] == 1
    assert load_draft(app_db, person.person_id) is None
    page = person.client.get(target)
    assert page.status_code == 200
    text = page.text
    # urgency first, then the scores with copyright and rule notes, then plan and sources
    assert text.index('class="urgency') < text.index("Questionnaire scores")
    assert "ODI (c) Jeremy Fairbank" in text
    assert "sum / (5 x sections answered)" in text
    for heading in ("Recommended", "Prevention", "Not recommended (and why)", "Sources"):
        assert heading in text
    assert 'href="#ref-1"' in text
    assert 'id="ref-1"' in text
    assert "https://doi.org/" in text


def test_emergency_interrupts_with_full_page_panel(person: WebUser, app_db):
    page = person.client.get("/assess")
    emergency_id = "triage.saddle_numbness"
    response = None
    for _ in range(5):
        response = _answer_page(person, page.text, {emergency_id: "yes"})
        assert response.status_code == 303
        if response.headers["location"].startswith("/assessments/"):
            break
        page = person.client.get(response.headers["location"])
    assert response is not None
    assert response.headers["location"].startswith("/assessments/")
    stored = list_assessments(app_db, person.person_id)
    assert [s.urgency for s in stored] == ["emergency"]
    assert stored[0].scores == ()
    panel = person.client.get(response.headers["location"])
    assert panel.status_code == 200
    assert 'class="emergency-panel"' in panel.text
    # nothing else: no navigation, no scores, no plan
    assert "<nav" not in panel.text
    assert "Recommended" not in panel.text
    assert "Questionnaire scores" not in panel.text


def test_emergency_check_on_change_interrupts_before_the_page_is_sent(person: WebUser, app_db):
    page = person.client.get("/assess")
    for _ in range(3):  # the "about" pages
        if _step(page.text).startswith("triage:emergency"):
            break
        response = _answer_page(person, page.text, {})
        page = person.client.get(response.headers["location"])
    step = _step(page.text)
    assert step.startswith("triage:emergency")
    assert 'hx-post="/assess/check"' in page.text
    quiet = person.client.post(
        "/assess/check",
        data={"step": step, "triage.chest_pain": "no", "csrf_token": person.csrf()},
        headers={"HX-Request": "true"},
    )
    assert quiet.status_code == 204
    assert "HX-Redirect" not in quiet.headers
    assert load_draft(app_db, person.person_id)["answers"]["triage.chest_pain"] is False
    alarm = person.client.post(
        "/assess/check",
        data={"step": step, "triage.bladder_bowel_new": "yes", "csrf_token": person.csrf()},
        headers={"HX-Request": "true"},
    )
    assert alarm.headers["HX-Redirect"].startswith("/assessments/")
    assert [s.urgency for s in list_assessments(app_db, person.person_id)] == ["emergency"]


def test_bad_value_shows_error_next_to_field_and_keeps_answers(person: WebUser, app_db):
    page = person.client.get("/assess")
    response = _answer_page(
        person,
        page.text,
        {"profile.age": "250", "pain.duration_weeks": "3,5", "pain.duration_weeks__unit": "months"},
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="f-profile-age-err"' in html
    assert "must be at most 120" in html
    assert 'value="250"' in html  # what was typed is shown again
    draft = load_draft(app_db, person.person_id)
    assert draft["answers"]["pain.duration_weeks"] == 15.22  # 3.5 months, kept in weeks
    assert "profile.age" not in draft["asked"]
    assert list_assessments(app_db, person.person_id) == []


def test_reload_loses_nothing_and_back_goes_one_page_back(person: WebUser):
    page = person.client.get("/assess")
    first = _step(page.text)
    response = _answer_page(person, page.text, {})
    again = person.client.get("/assess")  # a reload
    second = _step(again.text)
    assert second != first
    back = person.post("/assess/back")
    assert back.status_code == 303
    previous = person.client.get("/assess")
    assert _step(previous.text) == first
    assert 'value="40"' in previous.text  # answers prefill the page
    assert response.status_code == 303


def test_conditional_questions_follow_the_answers(person: WebUser):
    low_back = {q.id for q in triage_questions({"pain.region": "low_back"})}
    neck = {q.id for q in triage_questions({"pain.region": "neck"})}
    neck_only = neck - low_back
    assert neck_only  # the knowledge has neck-only questions
    seen: set[str] = set()
    page = person.client.get("/assess")
    for _ in range(30):
        seen.update(_fields(page.text))
        response = _answer_page(person, page.text, {})
        location = response.headers["location"]
        if location.startswith("/assessments/") or _step(
            person.client.get(location).text
        ).startswith("instrument:"):
            break
        page = person.client.get(location)
    assert not (seen & neck_only)


def test_questionnaire_missing_rule_is_reported_on_its_page(person: WebUser, app_db):
    _install_odi(app_db)
    page = person.client.get("/assess")
    for _ in range(30):
        step = _step(page.text)
        if step == "instrument:odi":
            break
        response = _answer_page(person, page.text, {"instruments": ["odi"]})
        page = person.client.get(response.headers["location"])
    assert _step(page.text) == "instrument:odi"
    assert "ODI (c) Jeremy Fairbank" in page.text
    assert "Fictional section 1" in page.text  # the pack's wording, with radio buttons
    assert 'type="radio" name="odi.1" value="5"' in page.text
    assert "item score" not in page.text
    data = {"step": "instrument:odi", "odi.1": "2", "odi.2": "9"}
    bad = person.post("/assess", data)
    assert bad.status_code == 422
    assert 'id="f-odi-2-err"' in bad.text
    too_few = person.post("/assess", {"step": "instrument:odi", "odi.1": "2"})
    assert too_few.status_code == 422
    assert "unanswered" in too_few.text


def test_results_are_private_and_readable_by_sharing_clinician(
    person: WebUser, other_person: WebUser, clinician: WebUser
):
    target = _run_wizard(person)
    assert other_person.client.get(target).status_code == 404
    assert clinician.client.get(target).status_code == 404
    granted = person.post("/sharing", {"email": clinician.email})
    assert granted.status_code == 303
    view = clinician.client.get(target)
    assert view.status_code == 200
    assert "read-only" in view.text
    listing = clinician.client.get(f"/assessments?person={person.person_id}")
    assert listing.status_code == 200
    assert target in listing.text
    assert other_person.client.get(f"/assessments?person={person.person_id}").status_code == 404


def test_history_classifies_change_between_consecutive_assessments(person: WebUser, app_db):
    _install_odi(app_db)
    worse = {"odi.1": "5", "odi.2": "5", "odi.3": "5", "odi.4": "5", "instruments": ["odi"]}
    _run_wizard(person, worse)
    _run_wizard(person, {"instruments": ["odi"]})
    page = person.client.get("/assessments")
    assert page.status_code == 200
    assert "change-improved" in page.text
    assert "MIC" in page.text


@pytest.mark.parametrize("path", ["/assess", "/assessments", "/assessments/1"])
def test_logged_out_is_sent_to_login(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("path", ["/assess", "/assess/back", "/assess/restart", "/assess/check"])
def test_posts_need_the_csrf_token(person: WebUser, path):
    response = person.client.post(path, data={"step": "x"}, follow_redirects=False)
    assert response.status_code == 403


def test_a_text_pack_upload_is_checked_and_only_for_clinicians(
    person: WebUser, clinician: WebUser, app_db
):
    files = {"pack": ("odi.yaml", ODI_PACK.read_bytes(), "application/x-yaml")}
    refused = person.client.post(
        "/text-packs", data={"csrf_token": person.csrf()}, files=files, follow_redirects=False
    )
    assert refused.status_code == 403
    page = clinician.client.post("/text-packs", data={"csrf_token": clinician.csrf()}, files=files)
    assert page.status_code == 200
    assert "Installed: Fictional back questionnaire wording" in page.text
    bad = {"pack": ("odi.yaml", b"format: backcare-text-pack/1\ninstrument: odi\n", "text/yaml")}
    wrong = clinician.client.post("/text-packs", data={"csrf_token": clinician.csrf()}, files=bad)
    assert wrong.status_code == 400
    assert "invalid text pack" in wrong.text
    big = {"pack": ("odi.yaml", b"#" * (300 * 1024), "text/yaml")}
    too_big = clinician.client.post("/text-packs", data={"csrf_token": clinician.csrf()}, files=big)
    assert too_big.status_code in (400, 413)
    from backcare.store.text_packs import list_packs

    (installed,) = list_packs(app_db)
    assert installed.installed_by == clinician.email
