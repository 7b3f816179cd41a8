"""Every route: login required unless public, CSRF on every unsafe method, security headers,
WebSocket origin check. Routes are enumerated from the app, so new ones are covered."""

from __future__ import annotations

import pytest
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from backcare.web.deps import CurrentUser, is_public
from backcare.web.security import UNSAFE_METHODS
from tests.web.conftest import csrf_from
from tests.web.harness import fill, http_endpoints, websocket_paths


def test_the_app_has_the_foundation_routes(app):
    paths = {e.path for e in http_endpoints(app)}
    assert {"/", "/login", "/register", "/logout", "/account", "/sharing"} <= paths


def test_every_non_public_route_needs_a_login(app, client):
    anon_csrf = csrf_from(client.get("/login").text)
    checked = 0
    for endpoint in http_endpoints(app):
        if is_public(endpoint.route.endpoint):
            continue
        url = fill(endpoint.path)
        if endpoint.method in UNSAFE_METHODS:
            # a valid anonymous CSRF token, so that the login check is what refuses
            response = client.request(
                endpoint.method,
                url,
                headers={"X-CSRF-Token": anon_csrf},
                follow_redirects=False,
            )
            assert response.status_code == 401, (endpoint.method, endpoint.path)
        else:
            response = client.request(
                endpoint.method, url, headers={"accept": "text/html"}, follow_redirects=False
            )
            assert response.status_code == 303, (endpoint.method, endpoint.path)
            assert response.headers["location"].startswith("/login?next="), endpoint.path
            api = client.request(
                endpoint.method,
                url,
                headers={"accept": "application/json"},
                follow_redirects=False,
            )
            assert api.status_code == 401, (endpoint.method, endpoint.path)
        checked += 1
    assert checked >= 4


def test_public_routes_are_the_expected_few(app):
    public = {e.path for e in http_endpoints(app) if is_public(e.route.endpoint)}
    assert {"/", "/login", "/register", "/logout", "/healthz"} <= public
    assert "/account" not in public
    assert "/sharing" not in public


def test_htmx_requests_get_401_with_a_redirect_header(client):
    response = client.get("/account", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_login_returns_to_the_requested_page(client, person):
    response = person.client.get("/account")
    assert response.status_code == 200
    anonymous = client.get("/sharing?x=1", follow_redirects=False)
    assert anonymous.headers["location"] == "/login?next=%2Fsharing%3Fx%3D1"


@pytest.mark.parametrize("token", ["missing", "wrong", "other-session", "anonymous"])
def test_every_unsafe_route_refuses_a_bad_csrf_token(app, person, other_person, token):
    other_token = other_person.csrf()
    from fastapi.testclient import TestClient

    stranger = TestClient(app)  # another visitor of the running app (no second lifespan)
    anonymous = csrf_from(stranger.get("/login").text)
    stranger.close()
    checked = 0
    for endpoint in http_endpoints(app):
        if endpoint.method not in UNSAFE_METHODS:
            continue
        data: dict[str, str] = {"probe": "1"}
        headers: dict[str, str] = {}
        if token == "wrong":
            data["csrf_token"] = "x" * 43
        elif token == "other-session":
            data["csrf_token"] = other_token
        elif token == "anonymous":
            # a logged-in session only accepts its own token, not an anonymous one
            headers["X-CSRF-Token"] = anonymous
        # a multipart body with a small file, like a real form post (streamed upload routes
        # check the token in the stream themselves)
        response = person.client.request(
            endpoint.method,
            fill(endpoint.path),
            data=data,
            files={"file": ("probe.csv", b"t,x\n0,1\n", "text/csv")},
            headers=headers,
            follow_redirects=False,
        )
        assert response.status_code == 403, (token, endpoint.method, endpoint.path)
        checked += 1
    assert checked >= 5


def test_public_unsafe_routes_refuse_a_missing_csrf_token(app, client):
    for endpoint in http_endpoints(app):
        if endpoint.method in UNSAFE_METHODS and is_public(endpoint.route.endpoint):
            response = client.request(endpoint.method, fill(endpoint.path), data={})
            assert response.status_code == 403, endpoint.path


def test_csrf_header_and_form_field_both_work(person):
    token = person.csrf()
    by_header = person.client.post(
        "/sharing", data={"email": "nobody@example.org"}, headers={"X-CSRF-Token": token}
    )
    by_field = person.client.post(
        "/sharing", data={"email": "nobody@example.org", "csrf_token": token}
    )
    # past the CSRF check: the form is handled (unknown clinician -> 400 with a message)
    assert by_header.status_code == 400
    assert by_field.status_code == 400
    assert "no clinician account" in by_field.text


def test_login_form_needs_the_anonymous_csrf_token(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 403
    # the token of one visitor does not work for another (signed double submit)
    token = csrf_from(client.get("/login").text)
    client.cookies.set("backcare_csrf", "another-visitor-cookie")
    response = client.post(
        "/login", data={"email": "a@example.org", "password": "x" * 12, "csrf_token": token}
    )
    assert response.status_code == 403


def test_security_headers_on_pages(client, person):
    for response in (client.get("/"), person.client.get("/account"), client.get("/nowhere")):
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self' 'wasm-unsafe-eval'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "img-src 'self' data: blob:" in csp
        assert "media-src 'self' blob:" in csp
        assert "connect-src 'self' ws://testserver wss://testserver" in csp
        assert "'unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", "")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
        assert "camera=(self)" in headers["permissions-policy"]
        assert headers["cache-control"] == "no-store"


def test_static_files_are_cacheable_but_still_protected(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("cache-control") != "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_forged_host_does_not_widen_the_csp(app, client):
    from fastapi.testclient import TestClient

    forged = TestClient(app, base_url="http://evil.example; script-src *")
    csp = forged.get("/healthz").headers["content-security-policy"]
    forged.close()
    assert "script-src *" not in csp


def test_session_cookie_flags_follow_the_settings(web_settings, make_user):
    from fastapi.testclient import TestClient

    from backcare.web.app import create_app
    from tests.web.conftest import register

    secure_app = create_app(web_settings.model_copy(update={"cookie_secure": True}))
    with TestClient(secure_app, base_url="https://testserver") as tls:
        response = register(tls, "tls@example.org")
    cookie = response.headers["set-cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


# -- WebSockets ----------------------------------------------------------------------------------


@pytest.fixture
def ws_app(app):
    async def echo(websocket: WebSocket, user: CurrentUser) -> None:
        await websocket.accept()
        await websocket.send_json({"person": user.person_id})
        await websocket.close()

    app.add_api_websocket_route("/ws/test-echo", echo)
    return app


def test_websocket_same_origin_logged_in_is_accepted(ws_app, person):
    with person.client.websocket_connect(
        "/ws/test-echo", headers={"origin": "http://testserver"}
    ) as ws:
        assert ws.receive_json() == {"person": person.person_id}


@pytest.mark.parametrize("origin", [None, "http://evil.example", "https://testserver"])
def test_websocket_from_another_origin_is_refused(ws_app, person, origin):
    headers = {"origin": origin} if origin else {}
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        person.client.websocket_connect("/ws/test-echo", headers=headers) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 1008


def test_websocket_needs_a_login(ws_app, client):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/ws/test-echo", headers={"origin": "http://testserver"}) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 1008


def test_every_websocket_route_refuses_cross_origin(app, person):
    for path in websocket_paths(app):
        with (
            pytest.raises(WebSocketDisconnect),
            person.client.websocket_connect(
                fill(path), headers={"origin": "http://evil.example"}
            ) as ws,
        ):
            ws.receive_text()


def test_require_role_lets_only_that_role_through(app, person, clinician):
    from fastapi import Depends

    from backcare.web.deps import AuthUser, require_role

    def clinicians_only(user: AuthUser = Depends(require_role("clinician"))) -> dict[str, str]:
        return {"role": user.role}

    app.add_api_route("/test-clinicians-only", clinicians_only)
    assert clinician.client.get("/test-clinicians-only").json() == {"role": "clinician"}
    refused = person.client.get("/test-clinicians-only", headers={"accept": "application/json"})
    assert refused.status_code == 403
    assert "clinician accounts" in refused.json()["detail"]


def test_writable_person_is_read_only_for_shared_people(person, clinician):
    from fastapi import HTTPException

    from backcare.web.deps import AuthUser, viewable_person, writable_person

    viewer = AuthUser(
        clinician.user_id,
        clinician.email,
        "clinician",
        clinician.person_id,
        frozenset({person.person_id}),
    )
    assert viewable_person(viewer, person.person_id) == person.person_id
    assert writable_person(viewer, clinician.person_id) == clinician.person_id
    with pytest.raises(HTTPException) as read_only:
        writable_person(viewer, person.person_id)
    assert read_only.value.status_code == 403
    with pytest.raises(HTTPException) as hidden:
        writable_person(viewer, person.person_id + 1000)
    assert hidden.value.status_code == 404


def test_unknown_accounts_verify_a_hash_made_like_real_ones():
    """The dummy hash verified for an unknown account uses the hasher's current parameters, so a
    login for an account that does not exist costs as much as one for an account that does."""
    from argon2 import PasswordHasher

    from backcare.web import security

    # the module's hasher is PasswordHasher() with the library defaults (tests use a cheap one)
    assert not PasswordHasher().check_needs_rehash(security._DUMMY_HASH)
    assert security.verify_password(None, "a password of some length") == (False, None)
