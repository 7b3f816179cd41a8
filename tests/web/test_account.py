"""Delete-my-account (rows and files gone, others untouched), login rate limit, rehashing."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select

from backcare.store import models, users
from backcare.store.files import person_dir
from backcare.web import security
from backcare.web.security import now_utc
from tests.web.conftest import PASSWORD, login
from tests.web.harness import make_objects

PERSON_TABLES = (
    models.Assessment,
    models.DiaryEntry,
    models.Job,
    models.Upload,
    models.PostureSession,
    models.Schedule,
    models.ScheduleEvent,
    models.Share,
)


def _count(db, model, **where) -> int:
    with db.session() as s:
        stmt = select(func.count()).select_from(model)
        for column, value in where.items():
            stmt = stmt.where(getattr(model, column) == value)
        return int(s.scalar(stmt) or 0)


def test_delete_account_removes_every_row_and_file(app_db, web_settings, make_user):
    alice = make_user("person")
    bob = make_user("person")
    clinician = make_user("clinician")
    make_objects(app_db, web_settings.data_dir, alice.person_id, clinician.user_id)
    make_objects(app_db, web_settings.data_dir, bob.person_id, clinician.user_id, "OKAPI", "b")
    # a file outside the data directory that a row points to is never touched
    outside = web_settings.data_dir.parent / "outside.txt"
    outside.write_text("keep me")
    alice_dir = person_dir(web_settings.data_dir, alice.person_id)
    assert any(alice_dir.rglob("*"))
    cookie = alice.client.cookies.get("backcare_session")

    refused = alice.post("/account/delete", {"password": "wrong password", "confirm": "delete"})
    assert refused.status_code == 400
    unconfirmed = alice.post("/account/delete", {"password": PASSWORD})
    assert unconfirmed.status_code == 400
    assert users.get_user(app_db, alice.user_id) is not None

    response = alice.post("/account/delete", {"password": PASSWORD, "confirm": "delete"})
    assert response.status_code == 303
    assert response.headers["location"] == "/?deleted=1"

    assert users.get_user(app_db, alice.user_id) is None
    assert _count(app_db, models.Person, id=alice.person_id) == 0
    assert _count(app_db, models.WebSession, user_id=alice.user_id) == 0
    for model in PERSON_TABLES:
        assert _count(app_db, model, person_id=alice.person_id) == 0, model.__name__
        assert _count(app_db, model, person_id=bob.person_id) >= 1, model.__name__
    assert not alice_dir.exists()
    assert any(person_dir(web_settings.data_dir, bob.person_id).rglob("*"))
    assert outside.read_text() == "keep me"
    # the old cookie is worthless and the address can register again
    alice.client.cookies.set("backcare_session", cookie)
    assert alice.client.get("/account", follow_redirects=False).status_code == 303
    assert login(alice.client, alice.email).status_code == 401


def test_deleting_a_clinician_removes_their_grants(app_db, web_settings, make_user):
    alice = make_user("person")
    clinician = make_user("clinician")
    make_objects(app_db, web_settings.data_dir, alice.person_id, clinician.user_id)
    assert _count(app_db, models.Share, person_id=alice.person_id) == 1
    response = clinician.post("/account/delete", {"password": PASSWORD, "confirm": "delete"})
    assert response.status_code == 303
    assert _count(app_db, models.Share, person_id=alice.person_id) == 0
    assert _count(app_db, models.DiaryEntry, person_id=alice.person_id) == 1


def _fail(client, email: str, times: int) -> None:
    for _ in range(times):
        assert login(client, email, "wrong password!").status_code == 401


def test_login_is_rate_limited_per_address(client, make_user, app_db):
    user = make_user()
    client.cookies.clear()
    _fail(client, user.email, 5)
    blocked = login(client, user.email)  # even the right password
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.text
    assert 1 <= int(blocked.headers["retry-after"]) <= 15 * 60 + 1
    # the window passes: the failures age out
    with app_db.session() as s:
        for row in s.scalars(select(models.LoginAttempt)):
            row.at = now_utc() - timedelta(minutes=16)
    assert login(client, user.email).status_code == 303


def test_a_success_clears_the_address_failures(client, make_user):
    user = make_user()
    client.cookies.clear()
    _fail(client, user.email, 4)
    assert login(client, user.email).status_code == 303
    client.cookies.clear()
    _fail(client, user.email, 4)
    assert login(client, user.email).status_code == 303


def test_login_is_rate_limited_per_client_address(client, make_user, app):
    user = make_user()
    client.cookies.clear()
    limit = app.state.settings.login_max_failures_per_ip
    for i in range(limit):
        assert login(client, f"guess{i}@example.org", "wrong password!").status_code == 401
    assert login(client, user.email).status_code == 429


def test_login_rehashes_when_parameters_change(client, app_db, monkeypatch):
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    user = users.create_user(
        app_db, email="old@example.org", password_hash=old.hash(PASSWORD), role="person"
    )
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(security, "_hasher", stronger)
    assert login(client, "old@example.org").status_code == 303
    stored = users.get_user(app_db, user.id)
    assert stored is not None
    assert stored.password_hash != user.password_hash
    assert not stronger.check_needs_rehash(stored.password_hash)
