"""The app factory: ``create_app(settings) -> FastAPI``.

At start-up (lifespan) the database is opened and migrated; at shutdown its engine is disposed.
Routers are every ``router`` found in the modules of :mod:`backcare.web.routes` (see there).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import timedelta
from types import ModuleType
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from backcare.errors import InputError, redact_paths
from backcare.store import login_attempts
from backcare.store import sessions as session_store
from backcare.store.db import Database, open_database
from backcare.web import routes as routes_pkg
from backcare.web.deps import (
    LoginRequiredError,
    body_limit_of,
    guard,
    is_public,
    is_streamed_upload,
    resolve_auth,
)
from backcare.web.security import (
    BodyLimitMiddleware,
    BusyError,
    CsrfCookieMiddleware,
    SecurityHeadersMiddleware,
    SlidingWindowLimiter,
    now_utc,
)
from backcare.web.settings import WebSettings
from backcare.web.templating import STATIC_DIR, render

__all__ = ["create_app", "route_modules"]

log = logging.getLogger(__name__)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def route_modules() -> list[ModuleType]:
    """The modules of :mod:`backcare.web.routes`, alphabetically."""
    names = sorted(m.name for m in pkgutil.iter_modules(routes_pkg.__path__))
    return [importlib.import_module(f"{routes_pkg.__name__}.{name}") for name in names]


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "*/*" in accept or not accept


def _error_response(request: Request, status: int, message: str) -> Response:
    if request.headers.get("hx-request") or not _wants_html(request):
        return JSONResponse({"detail": message}, status_code=status)
    try:  # an unknown address never ran the login guard: show the signed-in header anyway
        resolve_auth(request)
    except Exception:  # a broken session cookie or database must not hide the error page
        log.debug("no login state for the error page", exc_info=True)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, _exc: LoginRequiredError) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = f"/login?next={quote(target, safe='')}"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": login})
        if request.method == "GET" and _wants_html(request):
            return RedirectResponse(login, status_code=303)
        return JSONResponse({"detail": "log in first"}, status_code=401)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "Not found.", 405: "This address does not accept that method."}
        detail = exc.detail if isinstance(exc.detail, str) else ""
        response = _error_response(
            request, exc.status_code, detail or messages.get(exc.status_code, "Error.")
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(BusyError)
    async def busy(request: Request, exc: BusyError) -> Response:
        response = _error_response(request, 503, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return _error_response(request, 400, redact_paths(str(exc)))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'input'}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return _error_response(request, 422, f"Please check the form: {problems}")


def _housekeeping(db: Database, settings: WebSettings) -> None:
    """Drop expired sessions and failed logins older than the rate-limit window."""
    now = now_utc()
    session_store.purge_sessions(db, now=now)
    login_attempts.prune_failures(db, before=now - timedelta(seconds=settings.login_window_s))


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The backcare web app for ``settings`` (default: :meth:`WebSettings.from_env`)."""
    settings = settings or WebSettings.from_env()
    modules = route_modules()
    hooks: list[Lifespan] = [m.lifespan for m in modules if callable(getattr(m, "lifespan", None))]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = open_database(settings.database_url)
        app.state.db = db
        _housekeeping(db, settings)
        try:
            async with AsyncExitStack() as stack:
                for hook in hooks:
                    await stack.enter_async_context(hook(app))
                yield
        finally:
            db.dispose()

    app = FastAPI(
        title="backcare",
        lifespan=lifespan,
        dependencies=[Depends(guard)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in modules:
        router: Any = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            app.include_router(router)
    _install_handlers(app)
    app.state.registration_limiter = SlidingWindowLimiter(
        settings.registrations_per_ip, settings.registration_window_s
    )
    app.state.share_limiter = SlidingWindowLimiter(
        settings.shares_per_user, settings.share_window_s
    )
    upload_ceiling = 3 * max(settings.upload_limits.for_kind(k) for k in ("wearable", "video"))

    def body_limit(endpoint: object | None) -> int:
        if endpoint is not None and is_streamed_upload(endpoint):
            return upload_ceiling + (1 << 20)  # the route checks login, CSRF and sizes itself
        if endpoint is not None and not is_public(endpoint):
            return body_limit_of(endpoint) or settings.form_limit
        return settings.public_form_limit

    app.add_middleware(BodyLimitMiddleware, router=app.router, limit_for=body_limit)
    app.add_middleware(
        CsrfCookieMiddleware, cookie_name=settings.csrf_cookie_name, secure=settings.cookie_secure
    )
    app.add_middleware(SecurityHeadersMiddleware)
    return app
