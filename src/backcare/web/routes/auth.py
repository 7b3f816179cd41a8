"""Registration, login (both rate limited), logout and the liveness probe.

Login: at most ``login_max_failures_per_email`` failed attempts per address and
``login_max_failures_per_ip`` per client within ``login_window_s``; every attempt is reserved
before its password is checked, so parallel guesses cannot pass the limit. Registration: at most
``registrations_per_ip`` per client address within ``registration_window_s``. Registering an
address that already has an account says so (a person needs to know); the registration limit
bounds how many addresses anyone can test that way. The client address is the peer address,
or the forwarded one only from a proxy named in ``BACKCARE_TRUSTED_PROXIES``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from backcare.errors import InputError
from backcare.store import login_attempts, users
from backcare.store import sessions as session_store
from backcare.web.deps import DbDep, MaybeUser, SettingsDep, public
from backcare.web.security import (
    MIN_PASSWORD_LENGTH,
    LoginLimit,
    LoginRateLimitError,
    check_login_allowed,
    check_password_rules,
    hash_password,
    new_token,
    now_utc,
    safe_next,
    token_digest,
    verify_password,
)
from backcare.web.settings import WebSettings
from backcare.web.templating import render

__all__ = ["end_session", "router", "start_session"]

router = APIRouter()


def client_ip(request: Request) -> str:
    """The client address: the peer, or what a trusted proxy forwarded (uvicorn's proxy-header
    handling, switched on by ``backcare serve`` only for ``BACKCARE_TRUSTED_PROXIES``)."""
    return request.client.host if request.client else "unknown"


def start_session(
    response: Response, request: Request, db: DbDep, settings: WebSettings, user_id: int
) -> None:
    """Log ``user_id`` in: a new session (new token: rotated on every login), cookie set; the
    session the browser had before, if any, is revoked."""
    now = now_utc()
    old = request.cookies.get(settings.cookie_name)
    if old:
        session_store.revoke_session(db, token_digest(settings.secret_key, old), now=now)
    token = new_token()
    session_store.create_session(
        db,
        user_id=user_id,
        token_digest=token_digest(settings.secret_key, token),
        csrf_token=new_token(),
        expires_at=now + timedelta(seconds=settings.session_lifetime_s),
    )
    users.set_last_login(db, user_id, now)
    response.set_cookie(
        settings.cookie_name,
        token,
        max_age=settings.session_lifetime_s,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def end_session(response: Response, request: Request, db: DbDep, settings: WebSettings) -> None:
    """Revoke the browser's session (if any) and clear its cookie."""
    token = request.cookies.get(settings.cookie_name)
    if token:
        session_store.revoke_session(db, token_digest(settings.secret_key, token), now=now_utc())
    response.delete_cookie(
        settings.cookie_name, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure
    )


@router.get("/healthz")
@public
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/register")
@public
def register_form(request: Request, user: MaybeUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "auth/register.html", {"min_length": MIN_PASSWORD_LENGTH, "form": {}})


@router.post("/register")
@public
def register(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_again: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "person",
    display_name: Annotated[str, Form()] = "",
) -> Response:
    form = {"email": email, "role": role, "display_name": display_name}
    wait = request.app.state.registration_limiter.hit(client_ip(request))
    if wait:
        return render(
            request,
            "auth/register.html",
            {
                "error": "Too many new accounts from this address. Please try again later.",
                "field": None,
                "form": form,
                "min_length": MIN_PASSWORD_LENGTH,
            },
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    try:
        if password != password_again:
            raise InputError("the two passwords differ", where="password_again")
        check_password_rules(password)
        user = users.create_user(
            db,
            email=email,
            password_hash=hash_password(password),
            role=role,
            display_name=display_name.strip() or None,
        )
    except InputError as exc:
        return render(
            request,
            "auth/register.html",
            {
                "error": exc.problem,
                "field": exc.where,
                "form": form,
                "min_length": MIN_PASSWORD_LENGTH,
            },
            status_code=400,
        )
    response = RedirectResponse("/", status_code=303)
    start_session(response, request, db, settings, user.id)
    return response


@router.get("/login")
@public
def login_form(request: Request, user: MaybeUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login")
@public
def login(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = email.strip().lower()
    ip = client_ip(request)
    context = {"next": safe_next(next), "email": email}
    limit = LoginLimit(
        settings.login_max_failures_per_email,
        settings.login_max_failures_per_ip,
        settings.login_window_s,
    )
    try:
        attempt = check_login_allowed(db, email=address, ip=ip, limit=limit)
    except LoginRateLimitError as exc:
        return render(
            request,
            "auth/login.html",
            {**context, "error": str(exc)},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after_s)},
        )
    user = users.get_user_by_email(db, address)
    ok, new_hash = verify_password(user.password_hash if user else None, password)
    if user is None or not ok:  # the reserved attempt stays as the failure record
        return render(
            request,
            "auth/login.html",
            {**context, "error": "Wrong e-mail address or password."},
            status_code=401,
        )
    if new_hash:
        users.set_password_hash(db, user.id, new_hash)
    login_attempts.release(db, attempt)
    login_attempts.clear_failures(db, email=address)
    response = RedirectResponse(safe_next(next), status_code=303)
    start_session(response, request, db, settings, user.id)
    return response


@router.get("/logout")
@public
def logout_form(request: Request, user: MaybeUser) -> Response:
    if user is None:
        return RedirectResponse("/", status_code=303)
    return render(request, "auth/logout.html")


@router.post("/logout")
@public
def logout(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    response = RedirectResponse("/", status_code=303)
    end_session(response, request, db, settings)
    return response
