"""Security primitives of the web app: password hashing, tokens, CSRF, login rate limit, headers.

Sessions are server-side: the cookie carries a random 256-bit token, the database its HMAC-SHA256
digest under the app's secret key (a leaked table cannot be replayed as cookies). Every session has
its own CSRF token; visitors without a session get a random ``backcare_csrf`` cookie and their form
token is its HMAC (signed double submit). Every unsafe request (POST, PUT, PATCH, DELETE) must
carry the token in the ``X-CSRF-Token`` header or the ``csrf_token`` form field, else 403.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backcare.errors import InputError
from backcare.store import login_attempts
from backcare.store.db import Database

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "UNSAFE_METHODS",
    "CsrfCookieMiddleware",
    "LoginRateLimitError",
    "SecurityHeadersMiddleware",
    "check_login_allowed",
    "check_password_rules",
    "content_security_policy",
    "hash_password",
    "new_token",
    "safe_next",
    "same_origin",
    "token_digest",
    "tokens_match",
    "verify_password",
]

#: Passwords: at least 10 characters (the project's rule; NIST SP 800-63B asks for at least 8 and
#: no composition rules), at most 1024 (bounds the hashing cost of a request).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# argon2id with the library's defaults (RFC 9106's second recommended option); hashes made with
# other parameters are re-hashed on the next successful login.
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, used to equalise timing")


def now_utc() -> datetime:
    return datetime.now(UTC)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", where="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(
            f"the password must have at most {MAX_PASSWORD_LENGTH} characters", where="password"
        )


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (rules checked first)."""
    check_password_rules(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """``(matches, new_hash)``; ``new_hash`` is set when the stored hash should be upgraded.

    With ``stored_hash`` None a dummy hash is verified so that unknown accounts take as long.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        return False, None
    try:
        _hasher.verify(stored_hash or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if stored_hash is None:
        return False, None
    return True, (_hasher.hash(password) if _hasher.check_needs_rehash(stored_hash) else None)


def new_token() -> str:
    """A random URL-safe token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_digest(secret_key: str, token: str, *, purpose: str = "session") -> str:
    """HMAC-SHA256 of ``token`` under the secret key, as hex (64 characters)."""
    message = f"{purpose}:{token}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; false when either is missing or empty."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def safe_next(target: str | None, default: str = "/") -> str:
    """A local redirect target (``/path``), never another site (``//host``, ``https://...``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def same_origin(origin: str | None, host: str | None, scheme: str) -> bool:
    """Whether an ``Origin`` header names this server (``scheme://host``)."""
    if not origin or not host:
        return False
    return origin.rstrip("/").lower() == f"{scheme}://{host}".lower()


# -- login rate limit ----------------------------------------------------------------------------


class LoginRateLimitError(Exception):
    """Too many failed logins; ``retry_after_s`` until the oldest failure leaves the window."""

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = max(1, retry_after_s)
        minutes = (self.retry_after_s + 59) // 60
        super().__init__(
            "Too many failed logins for this account or from this address. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )


@dataclass(frozen=True)
class LoginLimit:
    per_email: int
    per_ip: int
    window_s: int


def check_login_allowed(
    db: Database, *, email: str, ip: str, limit: LoginLimit, now: datetime | None = None
) -> None:
    """Raise :class:`LoginRateLimitError` when the address or the client used up its failures."""
    now = now or now_utc()
    since = now - timedelta(seconds=limit.window_s)
    by_email, by_ip = login_attempts.count_failures(db, email=email, ip=ip, since=since)
    if by_email >= limit.per_email or by_ip >= limit.per_ip:
        oldest = login_attempts.oldest_failure(db, email=email, ip=ip, since=since) or now
        if oldest.tzinfo is None:  # SQLite returns naive UTC
            oldest = oldest.replace(tzinfo=UTC)
        lifts = oldest + timedelta(seconds=limit.window_s)
        raise LoginRateLimitError(int((lifts - now).total_seconds()) + 1)


# -- headers -------------------------------------------------------------------------------------


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def content_security_policy(host: str | None) -> str:
    """The page CSP. Scripts only from this origin ('wasm-unsafe-eval' lets MediaPipe compile its
    WebAssembly); WebSockets only to this host; no framing. Inline styles are allowed because
    server-rendered matplotlib SVG charts carry style attributes; inline scripts are not.
    """
    ws = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self'",
            f"connect-src 'self'{ws}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


_STATIC_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("permissions-policy", "camera=(self), microphone=(), geolocation=()"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
)


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response.

    A response that sets its own ``Content-Security-Policy`` (e.g. a sandboxed self-contained
    report) keeps it. Everything outside ``static_prefixes`` gets ``Cache-Control: no-store``
    (pages may show health data) unless the response chose its own cache policy.
    """

    def __init__(self, app: ASGIApp, *, static_prefixes: Iterable[str] = ("/static/",)) -> None:
        self.app = app
        self.static_prefixes = tuple(static_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
        is_static = str(scope.get("path", "")).startswith(self.static_prefixes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _STATIC_HEADERS:
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", content_security_policy(host))
                if not is_static:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfCookieMiddleware:
    """Gives every visitor without one a random anonymous-CSRF cookie (``HttpOnly``, ``Lax``).

    The new value is visible to the request itself as ``request.state.anon_csrf``, so the very
    first page can already render forms with a valid token.
    """

    def __init__(self, app: ASGIApp, *, cookie_name: str, secure: bool) -> None:
        self.app = app
        self.cookie_name = cookie_name
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/static/"):
            await self.app(scope, receive, send)
            return
        cookie_header = b"; ".join(v for k, v in scope["headers"] if k == b"cookie")
        if f"{self.cookie_name}=".encode() in cookie_header:
            await self.app(scope, receive, send)
            return
        value = new_token()
        scope.setdefault("state", {})["anon_csrf"] = value
        cookie = f"{self.cookie_name}={value}; Path=/; HttpOnly; SameSite=Lax"
        if self.secure:
            cookie += "; Secure"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)
