"""Route enumeration and person-owned sample objects for the every-route tests (not a test module).

New routes are covered automatically: the tests walk ``app.routes``. A route with a path parameter
must be listed in ``backcare.web.routes.PERSON_OWNED_ROUTES`` (or ``NOT_PERSON_OWNED_ROUTES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute

from backcare.clinical.assessment import assess
from backcare.store import care, diary, jobs, posture_sessions, schedule, shares, uploads
from backcare.store.assessments import ScoreRow, save_assessment
from backcare.store.db import Database
from backcare.store.files import person_dir
from backcare.web.demo import sample_answers

PARAM = re.compile(r"{([^}:]+)(:[^}]*)?}")

#: Strings only person A's data contains; no response to anyone else may show them.
MARKERS = ("ZEBRA-7731", "alpha-secret-recording")


@dataclass(frozen=True)
class Endpoint:
    path: str
    method: str
    route: APIRoute

    @property
    def params(self) -> list[str]:
        return [m.group(1) for m in PARAM.finditer(self.path)]


def _walk(route: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(route, APIRoute | APIWebSocketRoute):
        yield prefix + route.path, route
    elif hasattr(route, "original_router"):  # an included router (FastAPI keeps them nested)
        context = getattr(route, "include_context", None)
        inner = prefix + (getattr(context, "prefix", "") or "")
        for child in route.original_router.routes:
            yield from _walk(child, inner)


def all_routes(app: FastAPI) -> list[tuple[str, Any]]:
    """Every API and WebSocket route of the app with its full path (included routers walked)."""
    return [found for route in app.routes for found in _walk(route, "")]


def http_endpoints(app: FastAPI) -> Iterator[Endpoint]:
    for path, route in all_routes(app):
        if isinstance(route, APIRoute):
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield Endpoint(path, method, route)


def websocket_paths(app: FastAPI) -> list[str]:
    return [path for path, route in all_routes(app) if isinstance(route, APIWebSocketRoute)]


def fill(path: str, values: dict[str, Any] | None = None, default: str = "1") -> str:
    values = values or {}
    return PARAM.sub(lambda m: str(values.get(m.group(1), default)), path)


def depends_on(route: APIRoute, name: str) -> bool:
    """Whether ``route`` uses a dependency function called ``name`` (at any depth)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if getattr(dep.call, "__name__", "") == name:
            return True
        stack.extend(dep.dependencies)
    return False


def make_objects(
    db: Database,
    data_dir: Path,
    person_id: int,
    clinician_user_id: int | None,
    marker: str = MARKERS[0],
    file_marker: str = MARKERS[1],
) -> dict[str, int]:
    """One object of every kind for ``person_id``, with files; returns kind -> id.

    ``marker`` goes into the texts, ``file_marker`` into the uploaded file's name."""
    folder = person_dir(data_dir, person_id, create=True)
    answers = sample_answers()
    result = assess(answers)
    assessment = save_assessment(
        db,
        person_id,
        answers=answers,
        result=result.model_dump(mode="json"),
        urgency=result.triage.urgency,
        phase=result.phase.phase if result.phase else None,
        scores=[ScoreRow(k, r.total, r.category) for k, r in result.scores.items()],
        knowledge_version=result.knowledge_version,
        note=marker,
    )
    entry = diary.save_entry(
        db, person_id, date.today(), pain_nrs=6, notes=f"{marker} private note", breaks_taken=3
    )
    upload_path = folder / "uploads" / f"{file_marker}.csv"
    upload_path.parent.mkdir(parents=True, exist_ok=True)
    upload_path.write_text("t,x\n0,1\n")
    upload = uploads.add_upload(
        db,
        person_id,
        kind="wearable",
        original_name=f"{file_marker}.csv",
        stored_path=str(upload_path),
        size_bytes=upload_path.stat().st_size,
        content_type="text/csv",
        sha256="0" * 64,
    )
    out = folder / "jobs" / "1"
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text("{}")
    job = jobs.create_job(
        db, person_id, kind="wearable", inputs=[str(upload_path)], output_dir=str(out)
    )
    series = folder / "posture" / "s.parquet"
    series.parent.mkdir(parents=True, exist_ok=True)
    series.write_bytes(b"PAR1")
    session = posture_sessions.add_posture_session(
        db,
        person_id,
        source="live",
        started_at=datetime.now(UTC) - timedelta(hours=1),
        duration_s=60.0,
        series_path=str(series),
        summary={"measured_time_s": 60.0},
        job_id=job.id,
    )
    schedule.save_schedule(
        db, person_id, break_every_min=30, exercise_days_per_week=3, reminders=True
    )
    event = schedule.add_event(db, person_id, kind="break", due_at=datetime.now(UTC))
    care.save_checkin(db, person_id, date.today(), pain=4, note=f"{marker} check-in note")
    care.add_session(
        db,
        person_id,
        date.today(),
        template="back_gentle",
        level=1,
        done=["knee_rolls"],
        skipped=[],
        pain_during=3,
        difficulty="ok",
    )
    objects = {
        "person": person_id,
        "assessment": assessment.id,
        "diary_entry": entry.id,
        "upload": upload.id,
        "job": job.id,
        "posture_session": session.id,
        "schedule_event": event.id,
    }
    if clinician_user_id is not None:
        share = shares.grant_share(db, person_id=person_id, clinician_user_id=clinician_user_id)
        objects["share"] = share.id
    return objects
