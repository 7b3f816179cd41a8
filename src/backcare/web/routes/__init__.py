"""The web app's pages: one router per area, one module each (``routes/<area>.py``).

Every module in this package that defines ``router`` (an ``APIRouter``) is included by the app
factory automatically; no other registration is needed. A module may also define
``lifespan(app) -> AsyncContextManager[None]`` to run something for the app's lifetime (for
example the background worker); it is entered after the database is open.

Agreed URL paths (who builds what):

==========================  =====================================================================
``/``                       home: what backcare is, privacy statement; dashboard after login
``/register`` ``/login``    accounts (public); ``/logout`` (POST revokes the session)
``/account``                change password, delete account (POST ``/account/password``,
                            ``/account/delete``)
``/sharing``                grant/revoke read-only sharing; a clinician's list of people
``/patients``               a clinician's patient list, by what needs attention
``/people/{person_id}``     a clinician's read-only overview of one person who shares;
                            ``/summary`` the one-page summary, ``/notes`` (POST) a clinician's note
``.../pdf``                 the PDF of ``/assessments/{id}``, ``/people/{id}/summary`` and
                            ``/results/{id}``
``/assess``                 the assessment wizard
``/assessments/{id}``       one assessment's results (plan, sources)
``/facts``                  the article's claims with verdicts (public)
``/profile``                birth year, sex, height, mass
``/diary`` ``/progress``    daily diary; charts over time
``/schedule``               breaks and exercise, reminders, what was done
``/uploads``                wearable files, videos, images
``/jobs/{id}``              a background analysis' progress
``/results/{id}``           an analysis' results
``/coach`` ``/ws/coach``    live posture coach page and its WebSocket
``/export`` (+ ``/json`` ``/csv`` ``/fhir``)  the formats explained; a person's data
``/plan``                   the care plan: this week's actions, sessions, flare plan; ``/checkin``
                            (POST) the daily check-in; ``/plan/session/{id}`` the session player;
                            ``/plan/settings`` time zone and calendar feed
``/exercises`` ``/lessons``  exercise library and lessons
``/calendar/{token}.ics``   a person's private calendar feed (public, secret token)
``/healthz``                liveness (public)
==========================  =====================================================================

Conventions the foundation's tests enforce on every route (tests/web):

* Every route needs a login unless its endpoint is marked ``@public`` (``backcare.web.deps``).
* Every POST/PUT/PATCH/DELETE needs the CSRF token (hidden ``csrf_token`` field; htmx sends the
  ``X-CSRF-Token`` header set on ``<body>``).
* Reading another person's data: ``?person=<id>`` through ``deps.ViewedPersonId``, or check an
  object's owner with ``deps.viewable_person(user, obj.person_id)`` (404 without access).
* Every route with a path parameter is listed below: in :data:`PERSON_OWNED_ROUTES` when the
  parameter names an object that belongs to a person (the isolation test then creates such an
  object for user A and expects 404 for user B on every method), or in
  :data:`NOT_PERSON_OWNED_ROUTES` when it does not (say why in a comment).
"""

from __future__ import annotations

__all__ = ["NAV", "NOT_PERSON_OWNED_ROUTES", "OBJECT_KINDS", "PERSON_OWNED_ROUTES"]

#: The navigation of the layout: (label, path), for logged-in users.
NAV: tuple[tuple[str, str], ...] = (
    ("Your plan", "/plan"),
    ("Assessment", "/assess"),
    ("Diary", "/diary"),
    ("Progress", "/progress"),
    ("Schedule", "/schedule"),
    ("Uploads", "/uploads"),
    ("Live coach", "/coach"),
    ("Exercises", "/exercises"),
    ("Lessons", "/lessons"),
    ("Facts", "/facts"),
    ("Profile", "/profile"),
    ("Sharing", "/sharing"),
    ("Export", "/export"),
)

#: Object kinds the isolation test can create for a person (one per web table that has ids).
OBJECT_KINDS = (
    "person",
    "assessment",
    "diary_entry",
    "job",
    "upload",
    "posture_session",
    "share",
    "schedule_event",
)

#: Route path -> the kind of person-owned object its path parameter names. For several path
#: parameters map the path to ``{param: kind}``.
PERSON_OWNED_ROUTES: dict[str, str | dict[str, str]] = {
    "/people/{person_id}": "person",
    "/people/{person_id}/summary": "person",
    "/people/{person_id}/summary/pdf": "person",
    "/people/{person_id}/notes": "person",
    "/sharing/{share_id}/revoke": "share",
    "/assessments/{assessment_id}": "assessment",
    "/assessments/{assessment_id}/pdf": "assessment",
    "/jobs/{job_id}": "job",
    "/jobs/{job_id}/status": "job",
    "/jobs/{job_id}/cancel": "job",
    "/results/{job_id}": "job",
    "/results/{job_id}/pdf": "job",
    "/results/{job_id}/person": "job",
    "/results/{job_id}/files/{name}": {"job_id": "job"},  # name: a file the job's manifest lists
}

#: Routes whose path parameters do not name a person's object.
NOT_PERSON_OWNED_ROUTES: frozenset[str] = frozenset(
    {
        "/static",  # the static files mount
        # care programme: the parameters name knowledge (a session template, an exercise, a
        # lesson), the same for everyone; what is shown is the logged-in person's own
        "/plan/session/{template_id}",
        "/exercises/{exercise_id}",
        "/lessons/{lesson_id}",
        "/lessons/{lesson_id}/done",
        # a secret feed token (only its digest is stored); unknown or revoked tokens get 404
        "/calendar/{token}.ics",
    }
)
