"""Fixtures for the web app: settings, app, clients, logged-in users, on SQLite and PostgreSQL.

* ``web_settings`` -- settings on the ``db_url`` backend (SQLite always, PostgreSQL when
  configured), a temporary data directory, the background worker off.
* ``app`` -- ``create_app(web_settings)``; ``db`` of the app is ``app.state.db`` once a client
  started it (``client`` does).
* ``client`` -- an anonymous ``TestClient`` with the app's lifespan running.
* ``make_user(role="person", email=None)`` -- registers and logs in a new account through the
  real forms and returns a :class:`WebUser` with its own cookie jar (``.client``), ``.csrf()``,
  ``.post(url, data)`` (adds the CSRF token), ids and password.
* ``person`` / ``other_person`` / ``clinician`` -- three logged-in users (``make_user``).
* ``app_db`` -- the app's :class:`~backcare.store.db.Database` (for setting up data directly).

Password hashing uses cheap argon2 parameters in these tests (``_fast_hashing``).
"""

from __future__ import annotations

import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

with warnings.catch_warnings():  # starlette warns once, at import, that it prefers httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from backcare.store.db import Database
from backcare.web import security
from backcare.web.app import create_app
from backcare.web.settings import WebSettings

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page's forms."""
    found = _CSRF.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


@dataclass
class WebUser:
    client: TestClient
    email: str
    password: str
    role: str
    user_id: int
    person_id: int

    def csrf(self) -> str:
        return csrf_from(self.client.get("/account").text)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
        return self.client.post(
            url, data={**(data or {}), "csrf_token": self.csrf()}, follow_redirects=False, **kwargs
        )


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def web_settings(db_url: str, tmp_path: Path) -> WebSettings:
    return WebSettings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "k" * 40,
        worker_enabled=False,
    )


@pytest.fixture
def app(web_settings: WebSettings):
    return create_app(web_settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def app_db(app, client: TestClient) -> Database:
    db: Database = app.state.db
    return db


def register(
    client: TestClient, email: str, password: str = PASSWORD, role: str = "person", **extra: str
):
    token = csrf_from(client.get("/register").text)
    return client.post(
        "/register",
        data={
            "email": email,
            "password": password,
            "password_again": password,
            "role": role,
            "csrf_token": token,
            **extra,
        },
        follow_redirects=False,
    )


def login(client: TestClient, email: str, password: str = PASSWORD, next_url: str = "/"):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": next_url, "csrf_token": token},
        follow_redirects=False,
    )


@pytest.fixture
def make_user(app, client: TestClient) -> Iterator[Callable[..., WebUser]]:
    """Factory: a new registered, logged-in account with its own cookie jar."""
    from backcare.store.users import get_user_by_email

    made: list[TestClient] = []

    def make(role: str = "person", email: str | None = None, **extra: str) -> WebUser:
        own = TestClient(app)  # shares the running app (lifespan entered by ``client``)
        made.append(own)
        address = email or f"{role}-{uuid.uuid4().hex[:8]}@example.org"
        response = register(own, address, PASSWORD, role, **extra)
        assert response.status_code == 303, response.text
        record = get_user_by_email(app.state.db, address)
        assert record is not None
        return WebUser(own, address, PASSWORD, role, record.id, record.person_id)

    yield make
    for own in made:
        own.close()


@pytest.fixture
def person(make_user) -> WebUser:
    return make_user("person", display_name="Alice Example")


@pytest.fixture
def other_person(make_user) -> WebUser:
    return make_user("person", display_name="Bob Example")


@pytest.fixture
def clinician(make_user) -> WebUser:
    return make_user("clinician", display_name="Dr Carol")
