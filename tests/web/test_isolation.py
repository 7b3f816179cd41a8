"""Per-user isolation on every route, and clinicians' read-only access through sharing.

Person A has one object of every kind (and files); person B must get 404 for each of A's objects
on every method of every route that names one, may not read A's data through ``?person=``, and no
page shown to B may contain A's marker strings. Routes come from the app, so new ones are covered;
a route with a path parameter must be registered in ``backcare.web.routes``.
"""

from __future__ import annotations

import warnings

import pytest

from backcare.web.deps import is_public
from backcare.web.routes import NOT_PERSON_OWNED_ROUTES, OBJECT_KINDS, PERSON_OWNED_ROUTES
from backcare.web.security import UNSAFE_METHODS
from tests.web.harness import MARKERS, depends_on, fill, http_endpoints, make_objects


def _kinds_for(path: str, params: list[str]) -> dict[str, str]:
    entry = PERSON_OWNED_ROUTES[path]
    if isinstance(entry, str):
        return {params[0]: entry}
    return dict(entry)


@pytest.fixture
def world(app_db, web_settings, person, other_person, clinician):
    """A (``person``) with every kind of object, shared with ``clinician``; B has their own."""
    a_objects = make_objects(app_db, web_settings.data_dir, person.person_id, clinician.user_id)
    b_objects = make_objects(
        app_db, web_settings.data_dir, other_person.person_id, None, "OKAPI-2290", "beta-file"
    )
    return {"a": person, "b": other_person, "c": clinician, "A": a_objects, "B": b_objects}


def test_every_path_parameter_route_is_registered(app):
    unregistered = sorted(
        {
            e.path
            for e in http_endpoints(app)
            if e.params
            and e.path not in PERSON_OWNED_ROUTES
            and e.path not in NOT_PERSON_OWNED_ROUTES
        }
    )
    assert not unregistered, (
        "register these routes in backcare.web.routes.PERSON_OWNED_ROUTES (the object kind their "
        f"path parameter names) or NOT_PERSON_OWNED_ROUTES: {unregistered}"
    )
    for path, entry in PERSON_OWNED_ROUTES.items():
        kinds = [entry] if isinstance(entry, str) else list(entry.values())
        assert set(kinds) <= set(OBJECT_KINDS), path


def test_other_people_get_404_for_every_object_route(app, world):
    b = world["b"]
    token = b.csrf()
    checked = 0
    for endpoint in http_endpoints(app):
        if endpoint.path not in PERSON_OWNED_ROUTES:
            continue
        kinds = _kinds_for(endpoint.path, endpoint.params)
        url = fill(endpoint.path, {p: world["A"][k] for p, k in kinds.items()}, default="x")
        if endpoint.method in UNSAFE_METHODS:
            response = b.client.request(
                endpoint.method, url, data={"csrf_token": token}, follow_redirects=False
            )
        else:
            response = b.client.request(endpoint.method, url, follow_redirects=False)
        assert response.status_code == 404, (endpoint.method, url, response.status_code)
        for marker in MARKERS:
            assert marker not in response.text
        checked += 1
    assert checked >= 2


def test_owners_do_reach_their_objects(app, world):
    """The ids used above are real: the owner does not get 404 on the object pages (GET)."""
    a = world["a"]
    from fastapi.testclient import TestClient

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lenient = TestClient(app, raise_server_exceptions=False, cookies=dict(a.client.cookies))
    for endpoint in http_endpoints(app):
        if endpoint.path not in PERSON_OWNED_ROUTES or endpoint.method != "GET":
            continue
        kinds = _kinds_for(endpoint.path, endpoint.params)
        if len(kinds) != len(endpoint.params):
            continue  # other parameters need real values (e.g. a file name)
        url = fill(endpoint.path, {p: world["A"][k] for p, k in kinds.items()})
        response = lenient.get(url, follow_redirects=False)
        assert response.status_code != 404, url
    lenient.close()


def test_nobody_reads_another_person_through_the_person_parameter(app, world):
    b = world["b"]
    a_person = world["A"]["person"]
    for endpoint in http_endpoints(app):
        if endpoint.method != "GET" or endpoint.params or is_public(endpoint.route.endpoint):
            continue
        own = b.client.get(endpoint.path, follow_redirects=False)
        foreign = b.client.get(f"{endpoint.path}?person={a_person}", follow_redirects=False)
        if depends_on(endpoint.route, "_viewed_person"):
            assert foreign.status_code == 404, endpoint.path
        for response in (own, foreign):
            body = response.content.decode("utf-8", "replace")
            for marker in MARKERS:
                assert marker not in body, (endpoint.path, marker)


def test_writes_never_take_the_person_from_the_query(app):
    """Unsafe routes must write to the user's own person (OwnPersonId), never ?person=."""
    for endpoint in http_endpoints(app):
        if endpoint.method in UNSAFE_METHODS:
            assert not depends_on(endpoint.route, "_viewed_person"), endpoint.path


def test_clinician_reads_shared_data_read_only(app, world):
    c = world["c"]
    a_person = world["A"]["person"]
    page = c.client.get(f"/people/{a_person}")
    assert page.status_code == 200
    assert "Read-only" in page.text
    assert "Alice Example" in c.client.get("/sharing").text
    assert "Alice Example" in c.client.get("/").text
    for endpoint in http_endpoints(app):
        if (
            endpoint.method == "GET"
            and not endpoint.params
            and depends_on(endpoint.route, "_viewed_person")
        ):
            response = c.client.get(f"{endpoint.path}?person={a_person}", follow_redirects=False)
            assert response.status_code != 404, endpoint.path
    # B shares nothing with the clinician
    assert c.client.get(f"/people/{world['B']['person']}").status_code == 404


def test_clinician_cannot_write_shared_data(world):
    c = world["c"]
    a = world["a"]
    # revoking A's share is A's action, not the clinician's
    response = c.post(f"/sharing/{world['A']['share']}/revoke")
    assert response.status_code == 404
    assert "Alice Example" in c.client.get("/sharing").text
    assert a.client.get("/sharing").status_code == 200


def test_revocation_removes_access_at_once(app, world):
    a, c = world["a"], world["c"]
    a_person = world["A"]["person"]
    assert c.client.get(f"/people/{a_person}").status_code == 200
    response = a.post(f"/sharing/{world['A']['share']}/revoke")
    assert response.status_code == 303
    assert c.client.get(f"/people/{a_person}").status_code == 404
    assert "Alice Example" not in c.client.get("/sharing").text
    for endpoint in http_endpoints(app):
        if (
            endpoint.method == "GET"
            and not endpoint.params
            and depends_on(endpoint.route, "_viewed_person")
        ):
            response = c.client.get(f"{endpoint.path}?person={a_person}")
            assert response.status_code == 404, endpoint.path
    # revoking twice: nothing left to revoke
    assert a.post(f"/sharing/{world['A']['share']}/revoke").status_code == 404


def test_sharing_needs_a_clinician_account(world):
    a, b = world["a"], world["b"]
    response = a.post("/sharing", {"email": b.email})
    assert response.status_code == 400
    assert "no clinician account" in response.text
    assert a.post("/sharing", {"email": "nobody@example.org"}).status_code == 400


def test_sharing_again_reuses_the_live_grant(world):
    a, c = world["a"], world["c"]
    assert a.post("/sharing", {"email": c.email.upper()}).status_code == 303
    page = a.client.get("/sharing").text
    assert page.count(c.email) == 1


def test_a_person_sees_no_clinician_list(world):
    page = world["a"].client.get("/sharing").text
    assert "People who share with you" not in page
