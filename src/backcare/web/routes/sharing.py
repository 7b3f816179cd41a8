"""Read-only sharing with clinicians: a person grants and revokes; a clinician lists people.

Granting names a clinician by e-mail address and says when no clinician account has it (the
person needs to know); each user may make ``shares_per_user`` such requests per
``share_window_s`` (429 after that), which bounds how many addresses anyone can test.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backcare.errors import InputError
from backcare.store import shares, users
from backcare.store.assessments import list_assessments
from backcare.web.deps import CurrentUser, DbDep, viewable_person
from backcare.web.security import now_utc
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()


def _page(
    request: Request, user: CurrentUser, db: DbDep, status_code: int = 200, **ctx: object
) -> Response:
    return render(
        request,
        "sharing/sharing.html",
        {
            "shares": shares.list_shares(db, user.person_id),
            "shared_people": shares.list_shared_people(db, user.id) if user.is_clinician else [],
            **ctx,
        },
        status_code=status_code,
    )


@router.get("/sharing")
def sharing(request: Request, user: CurrentUser, db: DbDep) -> Response:
    return _page(request, user, db)


@router.post("/sharing")
def grant(
    request: Request,
    user: CurrentUser,
    db: DbDep,
    email: Annotated[str, Form()] = "",
) -> Response:
    if request.app.state.share_limiter.hit(str(user.id)):
        return _page(
            request,
            user,
            db,
            429,
            error="Too many sharing requests in a short time. Please try again later.",
            email=email,
        )
    try:
        clinician = users.get_user_by_email(db, users.normalize_email(email))
        if clinician is None or not clinician.is_clinician:
            raise InputError("no clinician account with this e-mail address", where="email")
        shares.grant_share(db, person_id=user.person_id, clinician_user_id=clinician.id)
    except InputError as exc:
        return _page(request, user, db, 400, error=exc.problem, email=email)
    return RedirectResponse("/sharing", status_code=303)


@router.post("/sharing/{share_id}/revoke")
def revoke(share_id: int, user: CurrentUser, db: DbDep) -> Response:
    if not shares.revoke_share(db, share_id=share_id, person_id=user.person_id, now=now_utc()):
        raise HTTPException(404, "Not found.")
    return RedirectResponse("/sharing", status_code=303)


@router.get("/people/{person_id}")
def person_overview(request: Request, person_id: int, user: CurrentUser, db: DbDep) -> Response:
    """Read-only overview of a person (one's own, or someone who shares with this clinician)."""
    viewable_person(user, person_id)
    people = {p.person_id: p for p in shares.list_shared_people(db, user.id)}
    name = people[person_id].display_name if person_id in people else "you"
    return render(
        request,
        "sharing/person.html",
        {
            "person_id": person_id,
            "name": name,
            "own": person_id == user.person_id,
            "assessments": list_assessments(db, person_id),
        },
    )
