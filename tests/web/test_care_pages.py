"""The care programme in the web app (SQLite and PostgreSQL): the plan from the latest assessment,
the urgency gate, the daily check-in with an injected clock, the session player and progression,
a flare, a warning sign, lessons, time zones and the private calendar feed with revocation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from backcare.clinical.assessment import assess
from backcare.store import care as care_store
from backcare.store.assessments import ScoreRow, save_assessment
from backcare.web.demo import sample_answers

START = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # a Monday morning


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(app) -> Clock:
    c = Clock(START)
    app.state.clock = c
    return c


def store_assessment(db, person_id: int, *, phase_weeks: float = 3, red_flag: bool = False, **me):
    answers = sample_answers()
    answers["pain.duration_weeks"] = phase_weeks
    if red_flag:
        answers["triage.fever"] = True
        answers["triage.iv_drug_use"] = True
    result = assess(answers)
    answers.update({f"self.{k}": v for k, v in me.items()})
    return save_assessment(
        db,
        person_id,
        answers=answers,
        result=result.model_dump(mode="json"),
        urgency=result.triage.urgency,
        phase=result.phase.phase if result.phase else None,
        scores=[ScoreRow(k, r.total, r.category) for k, r in result.scores.items()],
        knowledge_version=result.knowledge_version,
    )


def backdate(db, assessment_id: int, when: datetime) -> None:
    from backcare.store.models import Assessment

    with db.session() as session:
        session.get(Assessment, assessment_id).created_at = when


def check_in(user, pain: int, warning: str = "no", **extra):
    data = {"pain": str(pain), "warning": warning, "sleep": "ok", "did_plan": "yes", **extra}
    return user.post("/checkin", data)


def text_of(html: str) -> str:
    main = html[html.find("<main") : html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_without_an_assessment_the_plan_asks_for_one(person, clock):
    page = person.client.get("/plan")
    assert page.status_code == 200
    assert "Start the assessment" in page.text
    home = person.client.get("/")
    assert "Start the assessment" in home.text


def test_the_plan_leads_with_one_sentence_and_three_to_five_actions(person, app_db, clock):
    stored = store_assessment(app_db, person.person_id, worry_damage=True, desk_work=True)
    backdate(app_db, stored.id, START - timedelta(hours=1))
    page = person.client.get("/plan")
    assert page.status_code == 200
    body = text_of(page.text)
    assert "This week: exercise, walk" in body
    actions = re.findall(r'<li class="action action-(\w+)">', page.text)
    assert 3 <= len(actions) <= 5
    assert actions[:4] == ["session", "walk", "breaks", "lesson"]
    assert "Read: How back pain works: hurt is not harm" in body
    assert f'href="/assessments/{stored.id}"' in page.text
    assert "Gentle back session" in body  # 3 weeks of pain: acute
    for leak in ("back_gentle", "self.", "None", "nan", "worry_damage"):
        assert leak not in body, leak


def test_above_self_care_there_is_no_programme(person, app_db, clock):
    stored = store_assessment(app_db, person.person_id, red_flag=True)
    assert stored.urgency != "self_care"
    page = person.client.get("/plan")
    body = text_of(page.text)
    assert "See a clinician first" in body
    assert "Start this session" not in body
    assert "/plan/session/" not in page.text
    player = person.client.get("/plan/session/back_gentle", follow_redirects=False)
    assert player.status_code == 303
    assert player.headers["location"] == "/plan"
    token = person.csrf()
    logged = person.client.post(
        "/plan/session/back_gentle",
        data={"csrf_token": token, "pain_during": "2"},
        follow_redirects=False,
    )
    assert logged.status_code == 303
    assert care_store.list_sessions(app_db, person.person_id) == []


def test_check_in_days_follow_the_injected_clock_and_time_zone(person, app_db, clock):
    store_assessment(app_db, person.person_id)
    assert person.post("/plan/settings", {"timezone": "Pacific/Auckland"}).status_code == 303
    clock.at = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)  # already 3 Nov in Auckland
    assert check_in(person, 3).status_code == 303
    [record] = care_store.list_checkins(app_db, person.person_id)
    assert record.day.isoformat() == "2026-11-03"
    assert record.recorded_at == clock.at
    home = person.client.get("/")
    assert "Checked in today: pain 3 out of 10" in home.text
    assert "Tuesday 03 November" in home.text
    bad = person.post("/plan/settings", {"timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert "choose a time zone" in bad.text


def test_a_bad_check_in_keeps_the_answers_and_says_what_is_wrong(person, app_db, clock):
    store_assessment(app_db, person.person_id)
    response = check_in(person, 14, note="kept note")
    assert response.status_code == 422
    assert "choose a number from 0 to 10" in response.text
    assert "kept note" in response.text
    assert care_store.list_checkins(app_db, person.person_id) == []
    missing = person.post("/checkin", {"warning": "no"})
    assert missing.status_code == 422
    assert "tap how much pain" in missing.text


def test_a_warning_sign_in_a_check_in_goes_straight_to_the_questions(person, app_db, clock):
    stored = store_assessment(app_db, person.person_id)
    backdate(app_db, stored.id, START - timedelta(hours=1))
    for answer in ("yes", "unsure"):
        response = check_in(person, 3, warning=answer)
        assert response.status_code == 303
        assert response.headers["location"] == "/assess"
    page = text_of(person.client.get("/plan").text)
    assert "Answer the warning-sign questions" in page
    assert "Start this session" not in page
    # an unanswered warning question is never taken as "no"
    person.post("/checkin", {"pain": "3"})
    assert care_store.get_checkin(app_db, person.person_id, START.date()).warning == "unsure"


def test_fourteen_days_of_check_ins_progress_then_flare(person, app_db, clock):
    stored = store_assessment(app_db, person.person_id, phase_weeks=8)  # subacute: start level 1
    backdate(app_db, stored.id, START - timedelta(hours=1))
    levels: list[str] = []
    for n in range(14):
        clock.at = START + timedelta(days=n, hours=12)
        pain = 4 if n < 11 else (7 if n == 13 else 4)
        if n in (0, 2, 4, 7):
            page = person.client.get("/plan/session/back_build")
            assert page.status_code == 200
            data = {"pain_during": "3", "difficulty": "ok"}
            data.update({m: "on" for m in re.findall(r'name="(done_\w+)"', page.text)})
            assert person.post("/plan/session/back_build", data).status_code == 303
        assert check_in(person, pain).status_code == 303
        body = text_of(person.client.get("/plan").text)
        levels.append(re.search(r"Level (\d) of 3", body).group(1))
        if n == 9:
            assert "move up a step" in body
    assert levels[0] == "1"
    assert "3" in levels[:13]
    final = text_of(person.client.get("/plan").text)
    assert "Your flare-up plan" in final
    assert "Level 1 of 3" in final
    assert "When to see someone" in final
    home = text_of(person.client.get("/").text)
    assert "4 of 3 sessions" not in home
    assert "14 days in a row checked in" in home


def test_lessons_one_at_a_time_marked_done(person, app_db, clock):
    store_assessment(
        app_db,
        person.person_id,
        worry_damage=False,
        sleep_poor=True,
        low_mood=False,
        worry_never_better=False,
    )
    page = person.client.get("/lessons")
    assert page.status_code == 200
    first = re.search(r'Next: <a href="/lessons/(\w+)"', page.text).group(1)
    assert first == "sleep"
    lesson = person.client.get("/lessons/sleep")
    assert "About 2 minutes of reading" in lesson.text or "About 3 minutes" in lesson.text
    done = person.post("/lessons/sleep/done")
    assert done.status_code == 303
    assert done.headers["location"].startswith("/lessons/")
    assert done.headers["location"] != "/lessons/sleep"
    assert care_store.lessons_done(app_db, person.person_id) == {"sleep"}
    assert person.client.get("/lessons/nope").status_code == 404


def test_exercise_library_and_detail_pages(person):
    library = person.client.get("/exercises")
    assert library.status_code == 200
    assert library.text.count('<li><a href="/exercises/') >= 24
    assert library.text.count("<svg") >= 24
    neck = person.client.get("/exercises?region=neck").text
    assert "Chin tuck" in neck
    assert "Bird dog" not in neck
    detail = person.client.get("/exercises/bird_dog")
    body = text_of(detail.text)
    for part in ("Starting position", "Steps", "When to stop", "Easier:", "Harder:", "Saragiotto"):
        assert part in body
    assert "<svg" in detail.text
    assert person.client.get("/exercises/levitation").status_code == 404


def test_calendar_feed_parses_and_revocation_stops_it(person, other_person, app_db, clock):
    store_assessment(app_db, person.person_id)
    person.post("/plan/settings", {"timezone": "Europe/Berlin"})
    made = person.post("/plan/feed")
    url = re.search(r'value="https?://[^/]+(/calendar/[^"]+\.ics)"', made.text).group(1)
    anonymous = other_person.client  # any client, logged in or not, only needs the URL
    feed = anonymous.get(url)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    summaries = [str(e.get("summary")) for e in cal.walk("VEVENT")]
    assert "backcare check-in (30 seconds)" in summaries
    assert "Gentle back session" in summaries
    assert any(s.startswith("Movement breaks") for s in summaries)
    session = next(e for e in cal.walk("VEVENT") if e.get("summary") == "Gentle back session")
    assert session.decoded("dtstart").tzinfo.key == "Europe/Berlin"
    assert session.decoded("dtstart").hour == 18
    assert cal.walk("VTIMEZONE")
    for event in cal.walk("VEVENT"):
        assert "pain" not in str(event.get("summary")).lower()
    # a new address replaces the old one
    newer = person.post("/plan/feed")
    new_url = re.search(r'value="https?://[^/]+(/calendar/[^"]+\.ics)"', newer.text).group(1)
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(new_url).status_code == 200
    assert person.post("/plan/feed/revoke").status_code == 303
    assert anonymous.get(new_url).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_a_gated_feed_has_no_exercise(person, app_db, clock):
    store_assessment(app_db, person.person_id, red_flag=True)
    made = person.post("/plan/feed")
    url = re.search(r'value="https?://[^/]+(/calendar/[^"]+\.ics)"', made.text).group(1)
    cal = Calendar.from_ical(person.client.get(url).content)
    assert [str(e.get("summary")) for e in cal.walk("VEVENT")] == ["backcare check-in (30 seconds)"]
