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
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.routing import Router, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backcare.errors import InputError
from backcare.store import login_attempts
from backcare.store.db import Database

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "UNSAFE_METHODS",
    "BodyLimitMiddleware",
    "BusyError",
    "CsrfCookieMiddleware",
    "LoginRateLimitError",
    "SecurityHeadersMiddleware",
    "SlidingWindowLimiter",
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
# Verified in place of a missing account's hash, so that unknown accounts take as long. A fixed
# hash of a discarded random password, made with the parameters above (a test checks they still
# match), instead of one computed at import: that took up to a second of the server's start.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$0oX1c813OoUdzXstOIeu4w$nM1PVV/1EnB/5qfmwUx/+SgPqYRGE5aR4sh1lK/AUEA"  # noqa: E501

#: Password hashes computed at the same time (each argon2id hash takes 64 MiB for a moment);
#: more requests wait up to :data:`HASH_WAIT_S` for a slot, then get 503.
MAX_CONCURRENT_HASHES = 2
HASH_WAIT_S = 20.0
_hash_slots = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


class BusyError(Exception):
    """The server is at its limit for this kind of work; retry after ``retry_after_s``."""

    def __init__(self, retry_after_s: int = 5) -> None:
        self.retry_after_s = retry_after_s
        super().__init__("The server is busy. Please try again in a few seconds.")


class _HashSlot:
    def __enter__(self) -> None:
        if not _hash_slots.acquire(timeout=HASH_WAIT_S):
            raise BusyError()

    def __exit__(self, *_exc: object) -> None:
        _hash_slots.release()


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
    with _HashSlot():
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> tuple[bool, str | None]:
    """``(matches, new_hash)``; ``new_hash`` is set when the stored hash should be upgraded.

    With ``stored_hash`` None a dummy hash is verified so that unknown accounts take as long.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        return False, None
    with _HashSlot():
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
) -> int:
    """Reserve one login attempt, or raise :class:`LoginRateLimitError`.

    The attempt is recorded *before* the password is checked, and it may go ahead only when it
    is among the first ``limit`` attempts of the window for its address and its client (counted
    in insertion order), so that parallel requests cannot all slip under the limit. Returns the
    reservation: :func:`~backcare.store.login_attempts.release` it after a successful login; a
    failed one stays as the failure record.
    """
    now = now or now_utc()
    since = now - timedelta(seconds=limit.window_s)
    reservation = login_attempts.record_failure(db, email=email, ip=ip, at=now)
    by_email, by_ip = login_attempts.count_failures(
        db, email=email, ip=ip, since=since, up_to_id=reservation
    )
    if by_email > limit.per_email or by_ip > limit.per_ip:
        login_attempts.release(db, reservation)
        oldest = login_attempts.oldest_failure(db, email=email, ip=ip, since=since) or now
        if oldest.tzinfo is None:  # SQLite returns naive UTC
            oldest = oldest.replace(tzinfo=UTC)
        lifts = oldest + timedelta(seconds=limit.window_s)
        raise LoginRateLimitError(int((lifts - now).total_seconds()) + 1)
    return reservation


class SlidingWindowLimiter:
    """At most ``limit`` events per key within ``window_s`` seconds (in this server process).

    ``hit(key)`` records an event and returns 0 when it is allowed, else the seconds until the
    oldest event leaves the window. Thread-safe; keys with no recent events are dropped.
    """

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        now = self._clock()
        with self._lock:
            if len(self._events) > 10_000:  # bound memory: forget keys whose window passed
                for old in [k for k, q in self._events.items() if q[-1] <= now - self.window_s]:
                    del self._events[old]
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, int(events[0] + self.window_s - now) + 1)
            events.append(now)
            return 0


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

        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            # an unhandled error: answer 500 here, inside this middleware, so that the answer
            # carries the security headers too; the error still reaches the server's log
            if not started:
                body = b"Something went wrong on our side. Please try again later."
                await send_tracking(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send_tracking({"type": "http.response.body", "body": body})
            raise


class BodyLimitMiddleware:
    """Refuses request bodies over the limit of their route, before anything parses them.

    ``limit_for(scope, endpoint)`` gives the limit in bytes for the matched endpoint (``None``
    when no route matches). A declared ``Content-Length`` over the limit is answered 413 without
    reading; a body that grows past it while being read (chunked) fails the read with 413.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        router: Router,
        limit_for: Callable[[object | None], int],
    ) -> None:
        self.app = app
        self.router = router
        self.limit_for = limit_for
        self._table: list[tuple[re.Pattern[str], frozenset[str], object]] | None = None

    def _endpoint(self, scope: Scope) -> object | None:
        if self._table is None:
            self._table = list(_http_routes(self.router.routes, ""))
        path = str(scope.get("path", ""))
        method = str(scope.get("method", ""))
        for regex, methods, endpoint in self._table:
            if method in methods and regex.match(path):
                return endpoint
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(self._endpoint(scope))
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _too_large_text(limit))
            return message

        await self.app(scope, limited, send)


def _http_routes(
    routes: Iterable[object], prefix: str
) -> Iterator[tuple[re.Pattern[str], frozenset[str], object]]:
    """``(path regex, methods, endpoint)`` of every HTTP route, included routers walked."""
    for route in routes:
        methods = getattr(route, "methods", None)
        endpoint = getattr(route, "endpoint", None)
        path = getattr(route, "path", None)
        if methods and endpoint is not None and isinstance(path, str):
            regex, _, _ = compile_path(prefix + path)
            yield regex, frozenset(methods), endpoint
        inner = getattr(route, "original_router", None)  # FastAPI keeps included routers nested
        if inner is not None:
            context = getattr(route, "include_context", None)
            extra = str(getattr(context, "prefix", "") or "")
            yield from _http_routes(inner.routes, prefix + extra)


def _too_large_text(limit: int) -> str:
    size = f"{limit // 1024} KB" if limit < 1 << 20 else f"{limit >> 20} MB"
    return f"This form sent more data than it may ({size} at most)."


async def _too_large(send: Send, limit: int) -> None:
    body = _too_large_text(limit).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


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
