"""The care programme's pages: ``/plan`` (this week's actions), the daily check-in
(``POST /checkin``, shown on the home page), the session player (``/plan/session/{id}``), the
exercise library (``/exercises``), lessons (``/lessons``), plan settings (time zone, calendar feed)
and the private calendar feed (``/calendar/{token}.ics``, see :mod:`backcare.web.routes.calendar`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from backcare.care.plan import CarePlan, PlannedSession
from backcare.errors import InputError
from backcare.knowledge.care import CATEGORIES, WORDS_PER_MINUTE, care_knowledge, lesson_words
from backcare.store import care as care_store
from backcare.web.care_view import (
    care_context,
    exercise_svg,
    local_today,
    now,
    pain_trend_svg,
    valid_timezone,
)
from backcare.web.citations import References
from backcare.web.deps import CurrentUser, DbDep, OwnPersonId, SettingsDep, ViewedPersonId
from backcare.web.security import new_token, token_digest
from backcare.web.templating import render

__all__ = ["CHECKIN_CHOICES", "lifespan", "router"]

router = APIRouter()

CATEGORY_LABELS = {
    "mobility": "Mobility",
    "motor_control": "Control and core",
    "strength": "Strength",
    "stretch": "Stretching",
    "walking": "Walking",
    "water": "In the water",
}
REGION_LABELS = {"low_back": "Low back", "neck": "Neck"}
CHECKIN_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "limits": (
        ("0", "Not at all"),
        ("1", "A little"),
        ("2", "Somewhat"),
        ("3", "A lot"),
        ("4", "Could not do them"),
    ),
    "sleep": (("good", "Well"), ("ok", "So-so"), ("poor", "Badly")),
    "did_plan": (("yes", "Yes"), ("partly", "Partly"), ("no", "Not today")),
    "warning": (("no", "No"), ("yes", "Yes"), ("unsure", "Not sure")),
}


def _file_clock(path: Path) -> Callable[[], datetime]:
    def read() -> datetime:
        try:
            value = datetime.fromisoformat(path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return datetime.now(UTC)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    return read


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Install the file clock when ``BACKCARE_CLOCK_FILE`` is set (end-to-end tests only)."""
    clock_file = os.environ.get("BACKCARE_CLOCK_FILE")
    if clock_file and getattr(app.state, "clock", None) is None:
        app.state.clock = _file_clock(Path(clock_file))
    yield


def _cited(plan: CarePlan | None, refs: References) -> dict[str, list[int]]:
    if plan is None:
        return {}
    return {a.key: refs.cite(a.sources) for a in plan.actions}


# -- the plan ----------------------------------------------------------------------------------


@router.get("/plan")
def plan_page(
    request: Request, db: DbDep, user: CurrentUser, person_id: ViewedPersonId
) -> Response:
    ctx = care_context(request, db, person_id)
    knowledge = care_knowledge()
    refs = References()
    cites = _cited(ctx.plan, refs)
    programme_shown = ctx.plan is not None and not ctx.plan.gated
    rule_cites = refs.cite(knowledge.programme.pain_monitoring.sources) if programme_shown else []
    flare = programme_shown and ctx.plan is not None and bool(ctx.plan.flare_first_days)
    flare_cites = refs.cite(knowledge.programme.flare.sources) if flare else []
    if ctx.plan is not None and ctx.plan.state == "gated":
        refs.cite(knowledge.programme.gate.sources)
    return render(
        request,
        "care/plan.html",
        {
            "ctx": ctx,
            "plan": ctx.plan,
            "own": person_id == user.person_id,
            "person_id": person_id,
            "programme": knowledge.programme,
            "cites": cites,
            "rule_cites": rule_cites,
            "flare_cites": flare_cites,
            "references": refs.entries(),
            "logged": request.query_params.get("logged") == "1",
        },
    )


# -- the daily check-in ------------------------------------------------------------------------


def _int_or_none(form: Any, name: str, low: int, high: int) -> int | None:
    raw = str(form.get(name, "") or "").strip()
    if raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"choose a number from {low} to {high}", where=name) from None
    if not low <= value <= high:
        raise InputError(f"choose a number from {low} to {high}", where=name)
    return value


def _choice_or_none(form: Any, name: str) -> str | None:
    raw = str(form.get(name, "") or "").strip()
    return raw or None


@router.post("/checkin")
async def checkin_save(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    form = await request.form()
    today = local_today(request, db, person_id)
    try:
        pain = _int_or_none(form, "pain", 0, 10)
        if pain is None:
            raise InputError("tap how much pain you have today (0 to 10)", where="pain")
        warning = _choice_or_none(form, "warning") or "unsure"  # unanswered is never "no"
        care_store.save_checkin(
            db,
            person_id,
            today,
            pain=pain,
            limits=_int_or_none(form, "limits", 0, 4),
            sleep=_choice_or_none(form, "sleep"),
            did_plan=_choice_or_none(form, "did_plan"),
            warning=warning,
            note=str(form.get("note", "") or "").strip()[:2000] or None,
            recorded_at=now(request),
        )
    except InputError as exc:
        ctx = care_context(request, db, person_id)
        return render(
            request,
            "care/checkin_error.html",
            {
                "ctx": ctx,
                "error": exc.problem,
                "field": exc.where,
                "values": {k: str(v) for k, v in form.items() if k != "csrf_token"},
                "choices": CHECKIN_CHOICES,
                "question": care_knowledge().programme.warning_sign_question,
            },
            status_code=422,
        )
    if warning != "no":
        # a new warning sign (or "not sure") goes straight to the warning-sign questions
        return RedirectResponse("/assess", status_code=303)
    return RedirectResponse("/?checked=1#today", status_code=303)


# -- the session player ------------------------------------------------------------------------


def _session(plan: CarePlan | None, template_id: str) -> PlannedSession | None:
    if plan is None or plan.gated:
        return None
    return next((s for s in plan.sessions if s.template.id == template_id), None)


@router.get("/plan/session/{template_id}")
def player(request: Request, db: DbDep, person_id: OwnPersonId, template_id: str) -> Response:
    ctx = care_context(request, db, person_id)
    session = _session(ctx.plan, template_id)
    if session is None:
        return RedirectResponse("/plan", status_code=303)
    knowledge = care_knowledge()
    drawings = {p.exercise.id: exercise_svg(knowledge, p.exercise) for p in session.exercises}
    return render(
        request,
        "care/player.html",
        {
            "session": session,
            "drawings": drawings,
            "rule": knowledge.programme.pain_monitoring,
            "pain_scale": range(11),
        },
    )


@router.post("/plan/session/{template_id}")
async def player_save(
    request: Request, db: DbDep, person_id: OwnPersonId, template_id: str
) -> Response:
    ctx = care_context(request, db, person_id)
    session = _session(ctx.plan, template_id)
    if session is None or ctx.plan is None:
        return RedirectResponse("/plan", status_code=303)
    form = await request.form()
    ids = [p.exercise.id for p in session.exercises]
    done = [i for i in ids if form.get(f"done_{i}") == "on"]
    skipped = [i for i in ids if i not in done]
    try:
        care_store.add_session(
            db,
            person_id,
            ctx.today,
            template=template_id,
            level=max(1, min(3, ctx.plan.level)),
            done=done,
            skipped=skipped,
            pain_during=_int_or_none(form, "pain_during", 0, 10),
            difficulty=_choice_or_none(form, "difficulty"),
            recorded_at=now(request),
        )
    except InputError as exc:
        return render(
            request,
            "care/player.html",
            {
                "session": session,
                "drawings": {},
                "rule": care_knowledge().programme.pain_monitoring,
                "pain_scale": range(11),
                "error": exc.problem,
            },
            status_code=422,
        )
    return RedirectResponse("/plan?logged=1", status_code=303)


# -- exercise library --------------------------------------------------------------------------


@router.get("/exercises")
def exercises(request: Request, user: CurrentUser, region: str | None = None) -> Response:
    knowledge = care_knowledge()
    chosen = region if region in REGION_LABELS else None
    groups = [
        (
            CATEGORY_LABELS[cat],
            [
                (ex, exercise_svg(knowledge, ex))
                for ex in knowledge.exercises
                if ex.category == cat and (chosen is None or chosen in ex.regions)
            ],
        )
        for cat in CATEGORIES
    ]
    return render(
        request,
        "care/exercises.html",
        {
            "groups": [g for g in groups if g[1]],
            "region": chosen,
            "regions": REGION_LABELS,
            "count": len(knowledge.exercises),
        },
    )


@router.get("/exercises/{exercise_id}")
def exercise_page(request: Request, user: CurrentUser, exercise_id: str) -> Response:
    knowledge = care_knowledge()
    try:
        exercise = knowledge.exercise(exercise_id)
    except KeyError:
        return render(
            request, "error.html", {"message": "There is no such exercise."}, status_code=404
        )
    refs = References()
    cites = refs.cite(exercise.principle.sources)
    return render(
        request,
        "care/exercise.html",
        {
            "ex": exercise,
            "svg": exercise_svg(knowledge, exercise),
            "cites": cites,
            "references": refs.entries(),
            "regions": REGION_LABELS,
            "category": CATEGORY_LABELS[exercise.category],
        },
    )


# -- lessons -----------------------------------------------------------------------------------


@router.get("/lessons")
def lessons(request: Request, db: DbDep, user: CurrentUser, person_id: ViewedPersonId) -> Response:
    ctx = care_context(request, db, person_id)
    knowledge = care_knowledge()
    ordered = ctx.plan.lessons if ctx.plan is not None else knowledge.lessons
    return render(
        request,
        "care/lessons.html",
        {
            "lessons": ordered,
            "done": care_store.lessons_done(db, person_id),
            "next_lesson": ctx.plan.next_lesson if ctx.plan is not None else None,
        },
    )


@router.get("/lessons/{lesson_id}")
def lesson_page(request: Request, db: DbDep, person_id: OwnPersonId, lesson_id: str) -> Response:
    knowledge = care_knowledge()
    try:
        lesson = knowledge.lesson(lesson_id)
    except KeyError:
        return render(
            request, "error.html", {"message": "There is no such lesson."}, status_code=404
        )
    refs = References()
    cites = refs.cite(lesson.sources)
    minutes = max(2, min(3, round(lesson_words(lesson) / WORDS_PER_MINUTE)))
    return render(
        request,
        "care/lesson.html",
        {
            "lesson": lesson,
            "minutes": minutes,
            "cites": cites,
            "references": refs.entries(),
            "done": lesson.id in care_store.lessons_done(db, person_id),
        },
    )


@router.post("/lessons/{lesson_id}/done")
def lesson_done(request: Request, db: DbDep, person_id: OwnPersonId, lesson_id: str) -> Response:
    knowledge = care_knowledge()
    try:
        knowledge.lesson(lesson_id)
    except KeyError:
        return render(
            request, "error.html", {"message": "There is no such lesson."}, status_code=404
        )
    care_store.mark_lesson_done(db, person_id, lesson_id)
    ctx = care_context(request, db, person_id)
    following = ctx.plan.next_lesson if ctx.plan is not None else None
    target = f"/lessons/{following.id}" if following is not None else "/lessons"
    return RedirectResponse(target, status_code=303)


# -- settings: time zone and calendar feed -----------------------------------------------------


def _settings_page(
    request: Request,
    db: DbDep,
    person_id: int,
    *,
    feed_url: str | None = None,
    error: str | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    settings = care_store.get_settings(db, person_id)
    return render(
        request,
        "care/settings.html",
        {
            "settings": settings,
            "zones": sorted(z for z in available_timezones() if "/" in z),
            "feed_url": feed_url,
            "error": error,
            "saved": saved,
        },
        status_code=status_code,
    )


@router.get("/plan/settings")
def plan_settings(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    return _settings_page(request, db, person_id, saved=request.query_params.get("saved") == "1")


@router.post("/plan/settings")
async def plan_settings_save(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    form = await request.form()
    try:
        zone = valid_timezone(str(form.get("timezone", "")))
    except InputError as exc:
        return _settings_page(request, db, person_id, error=exc.problem, status_code=422)
    care_store.save_settings(db, person_id, timezone=zone)
    return RedirectResponse("/plan/settings?saved=1", status_code=303)


@router.post("/plan/feed")
def plan_feed_new(
    request: Request, db: DbDep, settings: SettingsDep, person_id: OwnPersonId
) -> Response:
    token = new_token()
    care_store.set_feed_digest(
        db, person_id, token_digest(settings.secret_key, token, purpose="calendar")
    )
    url = str(request.base_url).rstrip("/") + f"/calendar/{token}.ics"
    return _settings_page(request, db, person_id, feed_url=url)


@router.post("/plan/feed/revoke")
def plan_feed_revoke(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    care_store.set_feed_digest(db, person_id, None)
    return RedirectResponse("/plan/settings?saved=1", status_code=303)


def today_context(request: Request, db: DbDep, person_id: int) -> dict[str, Any]:
    """What the home page's "today" section shows (used by :mod:`backcare.web.routes.home`)."""
    ctx = care_context(request, db, person_id)
    return {
        "care": ctx,
        "trend_svg": pain_trend_svg(ctx.checkins, ctx.today),
        "choices": CHECKIN_CHOICES,
        "question": care_knowledge().programme.warning_sign_question,
        "checked": request.query_params.get("checked") == "1",
    }
