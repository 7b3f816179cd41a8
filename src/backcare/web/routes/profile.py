"""``/profile``: birth year, sex, height and body mass, read by the load models."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from backcare.errors import InputError
from backcare.store.profiles import get_profile, save_profile
from backcare.web.deps import CurrentUser, DbDep, OwnPersonId, ViewedPersonId
from backcare.web.forms import SEXES, parse_profile, profile_limits
from backcare.web.security import now_utc
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()


def _page(
    request: Request,
    values: dict[str, str],
    *,
    own: bool,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "profile/profile.html",
        {
            "values": values,
            "errors": errors or {},
            "limits": profile_limits(now_utc().date()),
            "sexes": SEXES,
            "saved": saved,
            "own": own,
        },
        status_code=status_code,
    )


def _fmt(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}"


@router.get("/profile")
def profile(
    request: Request, db: DbDep, user: CurrentUser, person_id: ViewedPersonId, saved: int = 0
) -> Response:
    p = get_profile(db, person_id)
    values = {
        "birth_year": _fmt(p.birth_year),
        "sex": p.sex or "",
        "height_cm": _fmt(p.height_cm),
        "mass_kg": _fmt(p.mass_kg),
    }
    return _page(request, values, own=person_id == user.person_id, saved=bool(saved))


@router.post("/profile")
async def profile_save(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("birth_year", "sex", "height_cm", "mass_kg")}
    try:
        parsed = parse_profile(values, today=now_utc().date())
    except InputError as exc:
        return _page(
            request, values, own=True, errors={exc.where or "form": exc.problem}, status_code=422
        )
    save_profile(
        db,
        person_id,
        birth_year=parsed.birth_year,
        sex=parsed.sex,
        height_cm=parsed.height_cm,
        mass_kg=parsed.mass_kg,
    )
    return RedirectResponse("/profile?saved=1", status_code=303)
