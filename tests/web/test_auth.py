"""Registration, login, logout, password rules, session cookie, rotation and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backcare.store import sessions as session_store
from backcare.store.users import get_user_by_email
from backcare.web.security import now_utc, token_digest
from tests.web.conftest import PASSWORD, csrf_from, login, register


def test_register_logs_in_and_shows_dashboard(client):
    response = register(client, "Ann@Example.org")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "backcare_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    page = client.get("/")
    assert "ann@example.org" in page.text  # stored lower-cased
    assert "Your backcare" in page.text


def test_email_is_unique_case_insensitively(client):
    assert register(client, "dup@example.org").status_code == 303
    client.cookies.clear()
    again = register(client, "DUP@example.org")
    assert again.status_code == 400
    assert "already exists" in again.text


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("short", "short", "at least 10 characters"),
        ("x" * 1025, "x" * 1025, "at most 1024 characters"),
        ("long enough 1", "long enough 2", "differ"),
    ],
)
def test_password_rules(client, password, again, message):
    token = csrf_from(client.get("/register").text)
    response = client.post(
        "/register",
        data={
            "email": "p@example.org",
            "password": password,
            "password_again": again,
            "role": "person",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert message in response.text
    assert "backcare_session" not in client.cookies


def test_exactly_min_length_is_accepted(client):
    assert register(client, "ten@example.org", "0123456789").status_code == 303


def test_bad_email_and_role_are_refused(client):
    assert register(client, "not-an-address").status_code == 400
    assert register(client, "r@example.org", role="admin").status_code == 400


def test_password_is_stored_as_argon2id(client, app_db):
    register(client, "hash@example.org")
    user = get_user_by_email(app_db, "hash@example.org")
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_login_wrong_password_then_right(client):
    register(client, "l@example.org")
    client.cookies.clear()
    bad = login(client, "l@example.org", "wrong password!")
    assert bad.status_code == 401
    assert "Wrong e-mail address or password" in bad.text
    unknown = login(client, "nobody@example.org")
    assert unknown.status_code == 401
    good = login(client, "L@Example.org", next_url="/account")
    assert good.status_code == 303
    assert good.headers["location"] == "/account"
    assert client.get("/account").status_code == 200


def test_login_redirect_never_leaves_the_site(client):
    register(client, "n@example.org")
    client.cookies.clear()
    for target in ("//evil.example", "https://evil.example/", "/\\evil"):
        response = login(client, "n@example.org", next_url=target)
        assert response.headers["location"] == "/"
        client.cookies.clear()


def test_session_is_rotated_on_login(client):
    register(client, "rot@example.org")
    first = client.cookies.get("backcare_session")
    login(client, "rot@example.org")
    second = client.cookies.get("backcare_session")
    assert first
    assert second
    assert first != second
    # the old token no longer works
    client.cookies.set("backcare_session", first)
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_logout_revokes_the_session_server_side(client):
    register(client, "out@example.org")
    token = client.cookies.get("backcare_session")
    token_csrf = csrf_from(client.get("/account").text)
    response = client.post("/logout", data={"csrf_token": token_csrf}, follow_redirects=False)
    assert response.status_code == 303
    # replaying the old cookie does not log in again
    client.cookies.set("backcare_session", token)
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_expired_session_is_refused(client, app, app_db):
    register(client, "exp@example.org")
    token = client.cookies.get("backcare_session")
    digest = token_digest(app.state.settings.secret_key, token)
    assert session_store.find_session(app_db, digest, now=now_utc()) is not None
    later = now_utc() + timedelta(seconds=app.state.settings.session_lifetime_s + 1)
    assert session_store.find_session(app_db, digest, now=later) is None
    # make it expire for real
    with app_db.session() as s:
        from backcare.store.models import WebSession

        row = s.query(WebSession).filter_by(token_digest=digest).one()
        row.expires_at = now_utc() - timedelta(seconds=1)
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_changing_password_logs_out_other_browsers(make_user, app):
    from fastapi.testclient import TestClient

    user = make_user()
    other = TestClient(app)
    assert login(other, user.email).status_code == 303
    response = user.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a new password",
            "new_password_again": "a new password",
        },
    )
    assert response.status_code == 303
    assert user.client.get("/account").status_code == 200  # this browser stays in
    assert other.get("/account", follow_redirects=False).status_code == 303
    other.cookies.clear()
    assert login(other, user.email).status_code == 401
    assert login(other, user.email, "a new password").status_code == 303
    other.close()


def test_wrong_current_password_keeps_the_old_one(person):
    response = person.post(
        "/account/password",
        {
            "current_password": "wrong password",
            "new_password": "a new password",
            "new_password_again": "a new password",
        },
    )
    assert response.status_code == 400
    assert "current password is wrong" in response.text
