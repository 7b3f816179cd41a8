"""Settings of the web app (one pydantic model; :meth:`WebSettings.from_env` reads the environment).

Environment variables (all optional):

``BACKCARE_DATABASE_URL``   SQLAlchemy URL (default: SQLite file in the data directory)
``BACKCARE_DATA_DIR``       data directory (uploads, results, the generated secret key)
``BACKCARE_SECRET_KEY``     secret for session-token digests and anonymous CSRF tokens; without
                            it a random key is generated on first run and kept in
                            ``<data dir>/secret_key`` (permissions 0600)
``BACKCARE_COOKIE_SECURE``  ``1`` to mark cookies ``Secure``. Off by default because the default
                            server is plain http on 127.0.0.1, where a browser would not send a
                            Secure cookie back; turn it on behind HTTPS.
``BACKCARE_TRUSTED_PROXIES`` comma-separated addresses of reverse proxies whose
                            ``X-Forwarded-For``/``-Proto`` headers are believed. Empty by default:
                            forwarding headers are then ignored and the peer address counts (so a
                            client cannot reset the per-address login limit with a header).
``BACKCARE_REGISTRATIONS_PER_IP`` new accounts per client address and hour (default 10; load
                            tests on one machine raise it)
``BACKCARE_WORKER_SLOTS``   analyses run at once by ``backcare serve`` (default 2)
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from backcare import config
from backcare.knowledge.exposure import sitting_break_s

__all__ = ["UploadLimits", "WebSettings", "default_break_after_s", "load_or_create_secret"]

MiB = 1024 * 1024


class UploadLimits(BaseModel):
    """Largest accepted upload per kind [bytes]."""

    model_config = ConfigDict(frozen=True)

    wearable: int = Field(default=1024 * MiB, gt=0)  # a week of 100 Hz raw data is ~0.5-1 GB
    video: int = Field(default=1024 * MiB, gt=0)
    image: int = Field(default=20 * MiB, gt=0)

    def for_kind(self, kind: str) -> int:
        return int(getattr(self, kind))


@cache
def default_break_after_s() -> float:
    """Static time before the coach's break reminder [s]: the knowledge's sitting-bout rule."""
    return sitting_break_s()


def load_or_create_secret(data_dir: Path) -> str:
    """The key in ``<data_dir>/secret_key``, created (0600, exclusive) on first use."""
    path = Path(data_dir) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
        raise ValueError(f"{path}: the secret key is shorter than 32 characters") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


class WebSettings(BaseModel):
    """Everything the app factory needs. Build with :meth:`from_env` or directly (tests)."""

    model_config = ConfigDict(frozen=True)

    database_url: str
    data_dir: Path
    secret_key: str = Field(min_length=32, repr=False)
    cookie_secure: bool = False
    cookie_name: str = "backcare_session"
    csrf_cookie_name: str = "backcare_csrf"
    #: Absolute session lifetime [s] (8 h: a working day; OWASP suggests 4-8 h for absolute
    #: timeouts of sensitive applications). Logging out revokes the session at once.
    session_lifetime_s: int = Field(default=8 * 3600, gt=0)
    upload_limits: UploadLimits = UploadLimits()
    #: Login rate limit: failed logins allowed per e-mail address and per client address within
    #: the window, then 429 until the oldest failure leaves the window.
    login_max_failures_per_email: int = Field(default=5, gt=0)
    login_max_failures_per_ip: int = Field(default=20, gt=0)
    login_window_s: int = Field(default=15 * 60, gt=0)
    #: Static time before the coach shows a break reminder [s].
    break_after_s: float = Field(default_factory=default_break_after_s, gt=0)
    #: Start the background job worker with the app (tests switch it off and run jobs directly).
    worker_enabled: bool = True
    #: Analyses that may run at once (each in a child process with its own limits).
    worker_slots: int = Field(default=2, ge=1, le=64)
    #: Request bodies [bytes], enforced before any parsing: forms of pages open to visitors
    #: (login, registration), forms of logged-in pages (a diary note of 4,000 characters fits),
    #: and uploads (only on the upload routes, which check login and CSRF before reading).
    public_form_limit: int = Field(default=8 * 1024, gt=0)
    form_limit: int = Field(default=64 * 1024, gt=0)
    #: Registrations per client address within the window (each costs a password hash).
    registrations_per_ip: int = Field(default=10, gt=0)
    registration_window_s: int = Field(default=3600, gt=0)
    #: Sharing requests (each looks up an account by e-mail) per user within the window.
    shares_per_user: int = Field(default=20, gt=0)
    share_window_s: int = Field(default=3600, gt=0)
    #: Reverse proxies whose forwarding headers are trusted (see ``BACKCARE_TRUSTED_PROXIES``).
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, **overrides: object) -> WebSettings:
        """Settings from the environment (see the module docstring); keywords override."""
        data_dir = Path(str(overrides.pop("data_dir", None) or config.data_dir()))
        data_dir.mkdir(parents=True, exist_ok=True)
        values: dict[str, object] = {
            "database_url": overrides.pop("database_url", None) or config.database_url(),
            "data_dir": data_dir,
            "secret_key": os.environ.get("BACKCARE_SECRET_KEY") or load_or_create_secret(data_dir),
            "cookie_secure": os.environ.get("BACKCARE_COOKIE_SECURE", "0").lower()
            in {"1", "true", "yes", "on"},
            "trusted_proxies": tuple(
                p.strip()
                for p in os.environ.get("BACKCARE_TRUSTED_PROXIES", "").split(",")
                if p.strip()
            ),
        }
        for name, key in (
            ("BACKCARE_REGISTRATIONS_PER_IP", "registrations_per_ip"),
            ("BACKCARE_WORKER_SLOTS", "worker_slots"),
        ):
            if os.environ.get(name, "").strip():
                values[key] = os.environ[name].strip()
        values.update(overrides)
        return cls.model_validate(values)
