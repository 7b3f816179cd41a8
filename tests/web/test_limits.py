"""Bounded requests: body limits per route before parsing, registration and login limits,
forwarding headers trusted only from a named proxy, security headers on 500 answers.

The streaming and concurrency checks run against a real uvicorn server in a thread (the test
client would read a whole request body before the app sees it).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher

from backcare.cli.serve import uvicorn_options
from backcare.web.app import create_app
from backcare.web.settings import WebSettings
from tests.web.conftest import csrf_from, register

MIB = 1 << 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, settings: WebSettings) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            **uvicorn_options(settings.trusted_proxies),  # type: ignore[arg-type]
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def live(web_settings: WebSettings) -> Iterator[LiveServer]:
    with LiveServer(web_settings) as server:
        yield server


def _anon(base: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=30)
    return client, csrf_from(client.get("/login").text)


def test_anonymous_multipart_to_login_is_refused_before_it_is_read(live: LiveServer) -> None:
    # a chunked upload of unknown length: one MiB is sent, then the client waits; the answer must
    # come without the rest (the form parser used to wait for, and spool, all of it)
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        part = b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\n'
        part += b"\0" * MIB
        sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except TimeoutError:
            pytest.fail("no answer while the body was still open: the server waited for it all")
    head = answer.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 413")
    assert "content-security-policy" in head


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_large_urlencoded_form_is_refused_by_its_declared_length(client: Any, path: str) -> None:
    token = csrf_from(client.get(path).text)
    response = client.post(
        path, data={"email": "a@example.org", "csrf_token": token, "pad": "x" * (300 * 1024)}
    )
    assert response.status_code == 413
    assert "at most" in response.text


def test_logged_in_form_limit_is_larger_but_bounded(make_user: Any) -> None:
    user = make_user()
    ok = user.post("/diary", {"notes": "ü" * 4000})  # the largest note the form allows
    assert ok.status_code != 413
    too_big = user.post("/diary", {"notes": "x" * (200 * 1024)})
    assert too_big.status_code == 413


def test_registration_is_rate_limited_per_address(web_settings: WebSettings) -> None:
    settings = replace_settings(web_settings, registrations_per_ip=3)
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings)) as client:
        codes = [register(client, f"r{i}@example.org").status_code for i in range(3)]
        client.cookies.clear()
        blocked = register(client, "r9@example.org")
    assert codes == [303, 303, 303]
    assert blocked.status_code == 429
    assert "Too many new accounts" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0


def replace_settings(settings: WebSettings, **changes: Any) -> WebSettings:
    return WebSettings.model_validate({**settings.model_dump(), **changes})


def _wrong_login(base: str, email: str, forwarded: str | None = None) -> int:
    client, token = _anon(base)
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    try:
        response = client.post(
            "/login",
            data={"email": email, "password": "wrong password!", "csrf_token": token},
            headers=headers,
        )
    finally:
        client.close()
    return response.status_code


def test_parallel_wrong_passwords_are_limited_atomically(live: LiveServer) -> None:
    with httpx.Client(base_url=live.base) as owner:
        assert register(owner, "victim@example.org").status_code == 303
    with ThreadPoolExecutor(max_workers=15) as pool:
        codes = list(pool.map(lambda _: _wrong_login(live.base, "victim@example.org"), range(30)))
    assert codes.count(401) == 5  # the per-address limit, however many arrive at once
    assert codes.count(429) == 25


def test_forwarded_for_header_does_not_reset_the_client_limit(web_settings: WebSettings) -> None:
    settings = replace_settings(web_settings, login_max_failures_per_ip=3)
    with LiveServer(settings) as live:
        codes = [
            _wrong_login(live.base, f"u{i}@example.org", forwarded=f"10.0.0.{i}") for i in range(5)
        ]
    assert codes == [401, 401, 401, 429, 429]


def test_forwarded_for_is_believed_from_a_named_proxy(web_settings: WebSettings) -> None:
    settings = replace_settings(
        web_settings, login_max_failures_per_ip=3, trusted_proxies=("127.0.0.1",)
    )
    with LiveServer(settings) as live:
        codes = [
            _wrong_login(live.base, f"u{i}@example.org", forwarded=f"10.0.0.{i}") for i in range(5)
        ]
    assert codes == [401] * 5


def test_uvicorn_ignores_forwarding_headers_unless_a_proxy_is_named() -> None:
    assert uvicorn_options(()) == {"proxy_headers": False, "forwarded_allow_ips": ""}
    named = uvicorn_options(("10.1.2.3",))
    assert named == {"proxy_headers": True, "forwarded_allow_ips": "10.1.2.3"}


def test_hashing_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from backcare.web import security

    inside = 0
    peak = 0
    lock = threading.Lock()

    class Counting(PasswordHasher):  # the real hasher, counting how many run at once
        def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
            nonlocal inside, peak
            with lock:
                inside += 1
                peak = max(peak, inside)
            try:
                return super().hash(password, salt=salt)
            finally:
                with lock:
                    inside -= 1

    monkeypatch.setattr(security, "_hasher", Counting(time_cost=2, memory_cost=8 * 1024))
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda i: security.hash_password(f"password-{i:04d}"), range(16)))
    assert peak == security.MAX_CONCURRENT_HASHES


def test_ids_beyond_64_bits_are_not_found(make_user: Any, app: Any) -> None:
    from tests.web.harness import fill, http_endpoints

    user = make_user()
    huge = "9" * 40
    checked = 0
    for endpoint in http_endpoints(app):
        if endpoint.method != "GET" or not endpoint.params:
            continue
        response = user.client.get(fill(endpoint.path, default=huge), follow_redirects=False)
        assert response.status_code == 404, (endpoint.path, response.status_code)
        checked += 1
    assert checked >= 3
    assert user.client.get(f"/diary?person={huge}").status_code == 404
    assert user.post(f"/sharing/{huge}/revoke").status_code == 404


def test_unhandled_errors_answer_500_with_security_headers(app: Any) -> None:
    from fastapi.testclient import TestClient

    from backcare.web.deps import public

    @public
    def boom() -> None:
        raise RuntimeError("/srv/secret/path person 42")

    app.add_api_route("/boom-for-test", boom, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert "content-security-policy" in response.headers
    assert response.headers["x-frame-options"] == "DENY"
    assert "/srv/secret" not in response.text
    assert "Something went wrong" in response.text


def test_messages_shown_to_people_carry_no_server_paths(tmp_path: Any) -> None:
    from backcare.errors import InputError
    from backcare.wearable.readers import open_recording
    from backcare.web.analysis import describe_error

    folder = tmp_path / "people" / "4242" / "uploads"
    folder.mkdir(parents=True)
    bad = folder / "f00d.cwa"
    bad.write_bytes(b"MD" + b"\0" * 10)
    with pytest.raises(InputError) as err:
        open_recording(bad)
    shown = describe_error(err.value)
    assert str(tmp_path) in str(err.value)  # the log keeps the path ...
    assert shown.startswith("f00d.cwa: ")  # ... the page does not
    assert "4242" not in shown
    assert "people" not in describe_error(OSError(f"[Errno 2] No such file: '{bad}'"))


def test_sharing_lookups_are_rate_limited_per_user(web_settings: WebSettings) -> None:
    from fastapi.testclient import TestClient

    settings = replace_settings(web_settings, shares_per_user=2)
    with TestClient(create_app(settings)) as client:
        assert register(client, "sharer@example.org").status_code == 303
        token = csrf_from(client.get("/sharing").text)
        codes = [
            client.post(
                "/sharing", data={"email": f"nobody{i}@example.org", "csrf_token": token}
            ).status_code
            for i in range(3)
        ]
    assert codes == [400, 400, 429]
