"""FastAPI dependencies every page uses: the database, the logged-in user, roles, CSRF, access.

Secure by default: the app-level :func:`guard` runs before every route and

* resolves the login session from the cookie (``request.state.auth``),
* refuses unsafe methods (POST, PUT, PATCH, DELETE) without the session's CSRF token (403),
* refuses cross-origin WebSockets (close 1008),
* refuses anonymous visitors on every route not marked :func:`public` (303 to ``/login`` for a
  page, 401 otherwise).

Pages that show a person's data take the person from :data:`ViewedPersonId` (the ``?person=ID``
query parameter, default: the user's own person) or check an object's owner with
:func:`viewable_person` (404 for anyone without access); writes use :data:`OwnPersonId` or
:func:`writable_person` (clinicians never write other people's data).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Query, Request, WebSocketException
from starlette.datastructures import FormData
from starlette.requests import HTTPConnection
from starlette.status import WS_1008_POLICY_VIOLATION

from backcare.store import sessions as session_store
from backcare.store import shares as share_store
from backcare.store.db import Database
from backcare.web.security import (
    UNSAFE_METHODS,
    now_utc,
    same_origin,
    token_digest,
    tokens_match,
)
from backcare.web.settings import WebSettings

__all__ = [
    "Auth",
    "AuthUser",
    "CsrfToken",
    "CurrentUser",
    "DbDep",
    "LoginRequiredError",
    "MaybeUser",
    "OwnPersonId",
    "SettingsDep",
    "ViewedPersonId",
    "body_limit",
    "body_limit_of",
    "csrf_token",
    "db_of",
    "get_db",
    "get_settings",
    "guard",
    "is_public",
    "is_streamed_upload",
    "public",
    "require_role",
    "resolve_auth",
    "settings_of",
    "streamed_upload",
    "viewable_person",
    "writable_person",
]

F = TypeVar("F", bound=Callable[..., Any])
_PUBLIC_ATTR = "__backcare_public__"
_STREAMED_ATTR = "__backcare_streamed__"


def public(endpoint: F) -> F:
    """Mark a route endpoint as open to visitors who are not logged in.

    Put it under the route decorator::

        @router.get("/facts")
        @public
        def facts(...): ...
    """
    setattr(endpoint, _PUBLIC_ATTR, True)
    return endpoint


def is_public(endpoint: object) -> bool:
    return bool(getattr(endpoint, _PUBLIC_ATTR, False))


_BODY_LIMIT_ATTR = "__backcare_body_limit__"


def body_limit_of(endpoint: object) -> int | None:
    """The body limit an endpoint asked for with :func:`body_limit` [bytes], or ``None``."""
    value = getattr(endpoint, _BODY_LIMIT_ATTR, None)
    return value if isinstance(value, int) else None


def body_limit(limit: int) -> Callable[[F], F]:
    """Give a logged-in form endpoint a larger body limit [bytes] than the default (for a small
    file such as a text pack); still checked before anything parses the body."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, _BODY_LIMIT_ATTR, limit)
        return endpoint

    return mark


def is_streamed_upload(endpoint: object) -> bool:
    return bool(getattr(endpoint, _STREAMED_ATTR, False))


def streamed_upload(endpoint: F) -> F:
    """Mark an endpoint that reads its multipart body as a stream and checks the CSRF token in it
    itself (``backcare.web.intake``): the guard then does not parse the body, which would spool a
    whole upload before any size limit; without the ``X-CSRF-Token`` header it leaves the check
    to the endpoint."""
    setattr(endpoint, _STREAMED_ATTR, True)
    return endpoint


@dataclass(frozen=True)
class AuthUser:
    """The logged-in user. ``shared_person_ids``: people sharing with this clinician (live)."""

    id: int
    email: str
    role: str
    person_id: int
    shared_person_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_clinician(self) -> bool:
        return self.role == "clinician"

    def can_view(self, person_id: int) -> bool:
        return person_id == self.person_id or person_id in self.shared_person_ids


@dataclass(frozen=True)
class Auth:
    """The request's login state and its CSRF token."""

    user: AuthUser | None
    csrf_token: str
    session_digest: str | None = None


class LoginRequiredError(Exception):
    """Raised for anonymous visitors on a non-public route (handled in the app)."""


def settings_of(conn: HTTPConnection) -> WebSettings:
    """The app's settings (plain function, for code that is not a dependency)."""
    settings: WebSettings = conn.app.state.settings
    return settings


def db_of(conn: HTTPConnection) -> Database:
    """The app's database (plain function, for code that is not a dependency)."""
    db: Database = conn.app.state.db
    return db


# Trivial dependencies are ``async`` so that FastAPI does not send them through its thread pool.
async def get_settings(conn: HTTPConnection) -> WebSettings:
    return settings_of(conn)


async def get_db(conn: HTTPConnection) -> Database:
    return db_of(conn)


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]


def anonymous_csrf(conn: HTTPConnection, settings: WebSettings) -> str:
    """The CSRF token of a visitor without a session: HMAC of their ``backcare_csrf`` cookie."""
    seed = conn.cookies.get(settings.csrf_cookie_name) or getattr(conn.state, "anon_csrf", "")
    return token_digest(settings.secret_key, seed, purpose="csrf") if seed else ""


def resolve_auth(conn: HTTPConnection) -> Auth:
    """The login state of this request (cached on ``conn.state.auth``)."""
    cached = getattr(conn.state, "auth", None)
    if isinstance(cached, Auth):
        return cached
    settings = settings_of(conn)
    auth = Auth(user=None, csrf_token=anonymous_csrf(conn, settings))
    token = conn.cookies.get(settings.cookie_name)
    if token:
        digest = token_digest(settings.secret_key, token)
        found = session_store.find_session(db_of(conn), digest, now=now_utc())
        if found is not None:
            record, user = found
            shared = (
                share_store.shared_person_ids(db_of(conn), user.id)
                if user.role == "clinician"
                else frozenset()
            )
            auth = Auth(
                user=AuthUser(user.id, user.email, user.role, user.person_id, shared),
                csrf_token=record.csrf_token,
                session_digest=digest,
            )
    conn.state.auth = auth
    return auth


AuthDep = Annotated[Auth, Depends(resolve_auth)]


async def _submitted_csrf(request: Request) -> tuple[str | None, FormData | None]:
    """The token from the header or the form field, and the parsed form if one was read."""
    header = request.headers.get("x-csrf-token")
    if header:
        return header, None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return (value if isinstance(value, str) else None), form
    return None, None


#: Database ids are signed 64-bit integers; a larger number in an address names nothing.
_MAX_ID = 2**63 - 1


def _beyond_ids(conn: HTTPConnection) -> bool:
    """Whether a path parameter or a query value is a whole number no id can have."""
    values = [str(v) for v in conn.scope.get("path_params", {}).values()]
    values += [v for _, v in conn.query_params.multi_items()]
    for value in values:
        digits = value.strip().lstrip("+-")
        if len(digits) > 18 and digits.isdigit() and abs(int(value)) > _MAX_ID:
            return True
    return False


async def guard(conn: HTTPConnection, auth: AuthDep) -> AsyncIterator[None]:
    """Runs before every route: CSRF, WebSocket origin and login (see the module docstring).

    Numbers beyond 64 bits in the address are answered 404 (no object has such an id).
    A form it parsed (multipart parts spool to temporary files) is closed after the response.
    """
    if conn.scope["type"] == "http" and _beyond_ids(conn):
        raise HTTPException(404, "Not found.")
    endpoint = conn.scope.get("endpoint")
    if conn.scope["type"] == "websocket":
        scheme = "https" if conn.url.scheme == "wss" else "http"
        if not same_origin(conn.headers.get("origin"), conn.headers.get("host"), scheme):
            raise WebSocketException(WS_1008_POLICY_VIOLATION, "cross-origin WebSocket refused")
        if auth.user is None and not is_public(endpoint):
            raise WebSocketException(WS_1008_POLICY_VIOLATION, "log in first")
        yield
        return
    request = conn if isinstance(conn, Request) else Request(conn.scope)
    form: FormData | None = None
    try:
        streamed = getattr(endpoint, _STREAMED_ATTR, False)
        if request.method in UNSAFE_METHODS and not (
            streamed and "x-csrf-token" not in request.headers
        ):
            submitted, form = await _submitted_csrf(request)
            if not tokens_match(auth.csrf_token, submitted):
                raise HTTPException(
                    403,
                    "The form's security token is missing or out of date: reload the page and "
                    "retry.",
                )
        # (a streamed upload without the header checks the token in its stream itself)
        if auth.user is None and not is_public(endpoint):
            raise LoginRequiredError
        yield
    finally:
        if form is not None:
            await form.close()


async def _current_user(auth: AuthDep) -> AuthUser:
    if auth.user is None:
        raise LoginRequiredError
    return auth.user


async def _maybe_user(auth: AuthDep) -> AuthUser | None:
    return auth.user


CurrentUser = Annotated[AuthUser, Depends(_current_user)]
MaybeUser = Annotated[AuthUser | None, Depends(_maybe_user)]


async def csrf_token(auth: AuthDep) -> str:
    """The token forms put in their hidden ``csrf_token`` field (templates get it already)."""
    return auth.csrf_token


CsrfToken = Annotated[str, Depends(csrf_token)]


def require_role(role: str) -> Callable[..., Awaitable[AuthUser]]:
    """A dependency that lets only ``role`` through (403 otherwise)::

    @router.get("/people", dependencies=[Depends(require_role("clinician"))])
    """

    async def dependency(user: CurrentUser) -> AuthUser:
        if user.role != role:
            raise HTTPException(403, f"This page is for {role} accounts.")
        return user

    return dependency


def viewable_person(user: AuthUser, person_id: int) -> int:
    """``person_id`` if ``user`` may read that person's data (own, or shared with them), else 404.

    404 rather than 403, so that nobody learns which ids exist.
    """
    if not user.can_view(person_id):
        raise HTTPException(404, "Not found.")
    return person_id


def writable_person(user: AuthUser, person_id: int) -> int:
    """``person_id`` if it is the user's own person; 403 for read-only (shared) access, else 404."""
    if person_id == user.person_id:
        return person_id
    viewable_person(user, person_id)
    raise HTTPException(403, "Shared data is read-only.")


async def _viewed_person(
    user: CurrentUser,
    person: Annotated[
        int | None, Query(description="whose data (default: your own; shared people by id)")
    ] = None,
) -> int:
    return user.person_id if person is None else viewable_person(user, person)


async def _own_person(user: CurrentUser) -> int:
    return user.person_id


ViewedPersonId = Annotated[int, Depends(_viewed_person)]
OwnPersonId = Annotated[int, Depends(_own_person)]
