"""``/schedule``: micro-breaks every N minutes and exercise days a week, from the plan's
prevention lines; reminders while the page is open; a record of what was done."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backcare.clinical.plan import Plan
from backcare.errors import InputError
from backcare.store.assessments import list_assessments
from backcare.store.db import Database
from backcare.store.diary import list_entries
from backcare.store.schedule import (
    EVENT_KINDS,
    add_event,
    get_schedule,
    list_events,
    mark_done,
    save_schedule,
)
from backcare.web.deps import CurrentUser, DbDep, OwnPersonId, ViewedPersonId
from backcare.web.forms import (
    next_break_due,
    parse_schedule,
    schedule_proposal,
    week_start,
    weekly_adherence,
)
from backcare.web.security import now_utc
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()

#: Weeks of adherence shown.
WEEKS_SHOWN = 4


def _latest_plan(db: Database, person_id: int) -> Plan | None:
    rows = list_assessments(db, person_id)
    if not rows:
        return None
    return Plan.model_validate(rows[-1].result["plan"])


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=now_utc().tzinfo)


def _page(
    request: Request,
    db: Database,
    person_id: int,
    *,
    own: bool,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    now = now_utc()
    proposal = schedule_proposal(_latest_plan(db, person_id))
    stored = get_schedule(db, person_id)
    every = stored.break_every_min if stored else proposal.break_every_min
    exercise = stored.exercise_days_per_week if stored else proposal.exercise_days_per_week
    reminders = stored.reminders if stored else True
    first_week = week_start(now.date()) - timedelta(weeks=WEEKS_SHOWN - 1)
    since = datetime.combine(first_week, datetime.min.time(), now.tzinfo)
    events = [
        e.__class__(e.id, e.person_id, e.kind, _aware(e.due_at), e.done_at and _aware(e.done_at))
        for e in list_events(db, person_id, since=since)
    ]
    diary = list_entries(db, person_id, start=first_week)
    weeks = [first_week + timedelta(weeks=i) for i in range(WEEKS_SHOWN)]
    adherence = weekly_adherence(events, diary, exercise_target=exercise, weeks=weeks)
    breaks_done = [e.done_at for e in events if e.kind == "break" and e.done_at is not None]
    last_break = max(breaks_done) if breaks_done else None
    form_values = values or {
        "break_every_min": str(every),
        "exercise_days_per_week": str(exercise),
        "reminders": "on" if reminders else "",
    }
    return render(
        request,
        "schedule/schedule.html",
        {
            "proposal": proposal,
            "stored": stored,
            "values": form_values,
            "errors": errors or {},
            "every": every,
            "exercise": exercise,
            "reminders": reminders,
            "next_due": next_break_due(last_break, now, every),
            "last_break": last_break,
            "adherence": list(reversed(adherence)),
            "recent": list(reversed(events))[:20],
            "own": own,
        },
        status_code=status_code,
    )


@router.get("/schedule")
def schedule(request: Request, db: DbDep, user: CurrentUser, person_id: ViewedPersonId) -> Response:
    return _page(request, db, person_id, own=person_id == user.person_id)


@router.post("/schedule")
async def schedule_save(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    form = await request.form()
    values = {
        k: str(form.get(k, "")) for k in ("break_every_min", "exercise_days_per_week", "reminders")
    }
    try:
        parsed = parse_schedule(values)
        save_schedule(
            db,
            person_id,
            break_every_min=parsed.break_every_min,
            exercise_days_per_week=parsed.exercise_days_per_week,
            reminders=parsed.reminders,
        )
    except InputError as exc:
        return _page(
            request,
            db,
            person_id,
            own=True,
            values=values,
            errors={exc.where or "form": exc.problem},
            status_code=422,
        )
    return RedirectResponse("/schedule", status_code=303)


def _kind(kind: str) -> str:
    if kind not in EVENT_KINDS:
        raise HTTPException(422, f"kind must be one of {', '.join(EVENT_KINDS)}")
    return kind


def _open_event_id(db: Database, person_id: int, kind: str, now: datetime) -> int | None:
    """The latest event of ``kind`` that fell due today and is not done yet."""
    start = datetime.combine(now.date(), datetime.min.time(), now.tzinfo)
    pending = [e for e in list_events(db, person_id, since=start, kind=kind) if e.done_at is None]
    return pending[-1].id if pending else None


@router.post("/schedule/done")
def schedule_done(db: DbDep, person_id: OwnPersonId, kind: Annotated[str, Form()] = "") -> Response:
    """Record a break or an exercise session as done now."""
    kind = _kind(kind)
    now = now_utc()
    event_id = _open_event_id(db, person_id, kind, now)
    if event_id is None:
        event_id = add_event(db, person_id, kind=kind, due_at=now).id
    mark_done(db, event_id, person_id=person_id, done_at=now)
    return RedirectResponse("/schedule", status_code=303)


@router.post("/schedule/due")
def schedule_due(db: DbDep, person_id: OwnPersonId, kind: Annotated[str, Form()] = "") -> Response:
    """Called by the page's reminder script when a break falls due (once per open reminder)."""
    kind = _kind(kind)
    now = now_utc()
    if _open_event_id(db, person_id, kind, now) is None:
        add_event(db, person_id, kind=kind, due_at=now)
    return Response(status_code=204)
