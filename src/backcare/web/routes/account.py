"""Account settings: change the password, delete the account with all its data and files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from backcare.errors import InputError
from backcare.store import sessions as session_store
from backcare.store import users
from backcare.web.deps import CurrentUser, DbDep, SettingsDep
from backcare.web.routes.auth import end_session
from backcare.web.security import (
    MIN_PASSWORD_LENGTH,
    check_password_rules,
    hash_password,
    now_utc,
    token_digest,
    verify_password,
)
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()


def _page(request: Request, status_code: int = 200, **context: object) -> Response:
    return render(
        request,
        "account/account.html",
        {"min_length": MIN_PASSWORD_LENGTH, **context},
        status_code=status_code,
    )


@router.get("/account")
def account(request: Request, user: CurrentUser) -> Response:
    return _page(request, done=request.query_params.get("done"))


@router.post("/account/password")
def change_password(
    request: Request,
    user: CurrentUser,
    db: DbDep,
    settings: SettingsDep,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_again: Annotated[str, Form()] = "",
) -> Response:
    record = users.get_user(db, user.id)
    ok, _ = verify_password(record.password_hash if record else None, current_password)
    try:
        if not ok:
            raise InputError("the current password is wrong", where="current_password")
        if new_password != new_password_again:
            raise InputError("the two new passwords differ", where="new_password_again")
        check_password_rules(new_password)
    except InputError as exc:
        return _page(request, 400, password_error=exc.problem)
    users.set_password_hash(db, user.id, hash_password(new_password))
    # other browsers logged in as this user are logged out; this one stays
    token = request.cookies.get(settings.cookie_name, "")
    session_store.revoke_user_sessions(
        db, user.id, now=now_utc(), keep_digest=token_digest(settings.secret_key, token)
    )
    return RedirectResponse("/account?done=password", status_code=303)


@router.post("/account/delete")
def delete_account(
    request: Request,
    user: CurrentUser,
    db: DbDep,
    settings: SettingsDep,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    record = users.get_user(db, user.id)
    ok, _ = verify_password(record.password_hash if record else None, password)
    if not ok or confirm != "delete":
        return _page(
            request,
            400,
            delete_error="Enter your password and tick the box to confirm the deletion.",
        )
    users.delete_user(db, user.id, settings.data_dir)
    response = RedirectResponse("/?deleted=1", status_code=303)
    end_session(response, request, db, settings)
    return response
