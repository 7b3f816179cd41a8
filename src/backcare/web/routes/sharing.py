"""Read-only sharing with clinicians: a person grants and revokes; a clinician lists people.

* ``GET /patients`` -- a clinician's list of the people who share with them, most in need of
  attention first, each reason in plain words (:mod:`backcare.care.attention`).
* ``GET /people/{id}/summary`` -- the one-page, printable summary of one person (a sharing
  clinician's, or the person's own); ``POST /people/{id}/notes`` adds the clinician's dated note.

Granting names a clinician by e-mail address and says when no clinician account has it (the
person needs to know); each user may make ``shares_per_user`` such requests per
``share_window_s`` (429 after that), which bounds how many addresses anyone can test.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backcare.errors import InputError
from backcare.knowledge.care import care_knowledge
from backcare.store import notes, shares, users
from backcare.store.assessments import list_assessments
from backcare.web.care_view import now
from backcare.web.clinician import assessment_history, patient_list, patient_summary
from backcare.web.deps import AuthUser, CurrentUser, DbDep, viewable_person
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
            "patients": patient_list(db, user.id, now(request)) if user.is_clinician else [],
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
            "assessments": assessment_history(list_assessments(db, person_id)),
        },
    )


@router.get("/patients")
def patients(request: Request, user: CurrentUser, db: DbDep) -> Response:
    """The clinician's patient list, most in need of attention first."""
    if not user.is_clinician:
        raise HTTPException(403, "This page is for clinician accounts.")
    return render(
        request,
        "sharing/patients.html",
        {
            "patients": patient_list(db, user.id, now(request)),
            "attention_reason": care_knowledge().programme.clinician_attention.reason,
        },
    )


def _name(db: DbDep, user: AuthUser, person_id: int) -> str:
    people = {p.person_id: p for p in shares.list_shared_people(db, user.id)}
    return people[person_id].display_name if person_id in people else "You"


def summary_response(
    request: Request, user: AuthUser, db: DbDep, person_id: int, **ctx: object
) -> Response:
    """The summary page of ``person_id`` (404 without access); also the PDF's HTML."""
    viewable_person(user, person_id)
    own = person_id == user.person_id
    summary = patient_summary(
        db,
        person_id,
        name=_name(db, user, person_id),
        now=now(request),
        author_user_id=None if own else user.id,
    )
    return render(
        request,
        "sharing/summary.html",
        {"s": summary, "own": own, "can_note": not own and user.is_clinician, **ctx},
        status_code=400 if ctx.get("note_error") else 200,
    )


@router.get("/people/{person_id}/summary")
def summary(request: Request, person_id: int, user: CurrentUser, db: DbDep) -> Response:
    return summary_response(request, user, db, person_id)


@router.post("/people/{person_id}/notes")
def add_note(
    request: Request,
    person_id: int,
    user: CurrentUser,
    db: DbDep,
    text: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
) -> Response:
    """A clinician's dated note on a person who shares with them (not on their own data)."""
    viewable_person(user, person_id)
    if person_id == user.person_id or not user.is_clinician:
        raise HTTPException(403, "Notes are for clinicians, on the people who share with them.")
    try:
        try:
            when = date.fromisoformat(day) if day.strip() else now(request).date()
        except ValueError:
            raise InputError(
                "give the date as year-month-day, e.g. 2026-12-03", where="day"
            ) from None
        notes.add_note(db, person_id=person_id, author_user_id=user.id, day=when, text=text)
    except InputError as exc:
        return summary_response(
            request, user, db, person_id, note_error=exc.problem, note_text=text
        )
    return RedirectResponse(f"/people/{person_id}/summary#notes", status_code=303)
