"""Jinja2 templates and :func:`render`, which gives every page the layout's context."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from backcare import __version__
from backcare.web.deps import Auth, anonymous_csrf, settings_of
from backcare.web.routes import NAV

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "VENDOR_DIR", "frontend_built", "render", "templates"]

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
VENDOR_DIR = STATIC_DIR / "vendor"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def frontend_built() -> bool:
    """Whether the npm-installed vendor files (htmx, MediaPipe Pose) are in static/vendor."""
    return (VENDOR_DIR / "htmx.min.js").is_file()


def page_auth(request: Request) -> Auth:
    """The request's login state (anonymous when the guard did not run, e.g. on a 404)."""
    auth = getattr(request.state, "auth", None)
    if isinstance(auth, Auth):
        return auth
    return Auth(user=None, csrf_token=anonymous_csrf(request, settings_of(request)))


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``templates/<name>`` with ``user``, ``csrf_token``, ``nav`` and ``frontend_built``."""
    auth = page_auth(request)
    values: dict[str, Any] = {
        "user": auth.user,
        "csrf_token": auth.csrf_token,
        "nav": NAV,
        "frontend_built": frontend_built(),
        "version": __version__,
        "path": request.url.path,
    }
    values.update(context or {})
    return templates.TemplateResponse(
        request, name, values, status_code=status_code, headers=dict(headers or {})
    )
