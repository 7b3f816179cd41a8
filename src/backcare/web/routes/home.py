"""Home: what backcare is and the privacy statement; after login a dashboard linking everything."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from backcare.store import shares
from backcare.web.deps import DbDep, MaybeUser, public
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()


@router.get("/")
@public
def home(request: Request, db: DbDep, user: MaybeUser) -> Response:
    shared = shares.list_shared_people(db, user.id) if user and user.is_clinician else []
    return render(request, "home.html", {"shared_people": shared})
