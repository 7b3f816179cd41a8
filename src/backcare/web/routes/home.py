"""Home: what backcare is and the privacy statement; after login, a person's "today" (plan items,
the daily check-in, the next session, a 14-day pain trend, adherence) above links to everything;
a clinician sees the people who share with them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from backcare.store import shares
from backcare.web.deps import DbDep, MaybeUser, public
from backcare.web.routes.care import today_context
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()


@router.get("/")
@public
def home(request: Request, db: DbDep, user: MaybeUser) -> Response:
    shared = shares.list_shared_people(db, user.id) if user and user.is_clinician else []
    context: dict[str, Any] = {"shared_people": shared}
    if user is not None and not user.is_clinician:
        context.update(today_context(request, db, user.person_id))
    return render(request, "home.html", context)


@router.get("/favicon.ico", include_in_schema=False)
@public
def favicon() -> Response:
    """Browsers ask for ``/favicon.ico`` by themselves; the icon is an SVG drawing."""
    return RedirectResponse("/static/favicon.svg", status_code=301)
