"""``/diary``: today's entry (pain 0-10, notes, exercise, breaks), past days, and the list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from backcare.errors import InputError
from backcare.store.diary import get_entry, list_entries, save_entry
from backcare.web.deps import CurrentUser, DbDep, OwnPersonId, ViewedPersonId
from backcare.web.forms import parse_day, parse_diary
from backcare.web.security import now_utc
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()

FIELDS = ("day", "pain_nrs", "notes", "exercise_done", "exercise_minutes", "breaks_taken")


def _page(
    request: Request,
    db: DbDep,
    person_id: int,
    values: dict[str, str],
    *,
    own: bool,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "diary/diary.html",
        {
            "values": values,
            "errors": errors or {},
            "entries": list(reversed(list_entries(db, person_id))),
            "today": now_utc().date().isoformat(),
            "saved": saved,
            "own": own,
            "person_id": person_id,
        },
        status_code=status_code,
    )


@router.get("/diary")
def diary(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    person_id: ViewedPersonId,
    day: str | None = None,
    saved: int = 0,
) -> Response:
    today = now_utc().date()
    own = person_id == user.person_id
    try:
        chosen = parse_day(day, today=today)
    except InputError as exc:
        values = {"day": day or ""}
        return _page(
            request, db, person_id, values, own=own, errors={"day": exc.problem}, status_code=422
        )
    entry = get_entry(db, person_id, chosen)
    values = {"day": chosen.isoformat()}
    if entry is not None:
        values.update(
            pain_nrs="" if entry.pain_nrs is None else str(entry.pain_nrs),
            notes=entry.notes or "",
            exercise_done="on" if entry.exercise_done else "",
            exercise_minutes="" if entry.exercise_minutes is None else str(entry.exercise_minutes),
            breaks_taken=str(entry.breaks_taken),
        )
    return _page(request, db, person_id, values, own=own, saved=bool(saved))


@router.post("/diary")
async def diary_save(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in FIELDS}
    try:
        parsed = parse_diary(values, today=now_utc().date())
        save_entry(
            db,
            person_id,
            parsed.day,
            pain_nrs=parsed.pain_nrs,
            notes=parsed.notes,
            exercise_done=parsed.exercise_done,
            exercise_minutes=parsed.exercise_minutes,
            breaks_taken=parsed.breaks_taken,
        )
    except InputError as exc:
        return _page(
            request,
            db,
            person_id,
            values,
            own=True,
            errors={exc.where or "form": exc.problem},
            status_code=422,
        )
    return RedirectResponse(f"/diary?day={parsed.day.isoformat()}&saved=1", status_code=303)
