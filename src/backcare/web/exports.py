"""A person's data as JSON, as a zip of CSV tables, and their assessments as a FHIR R4 Bundle.

Everything stored about the person is exported: profile, assessments (answers, full results and
scores), diary, schedule and its events, the posture sessions' summaries, and the care
programme's check-ins, sessions and lessons read. Server file paths
(uploads, Parquet series) are left out: they mean nothing outside this server; the files
themselves are on the uploads and results pages.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from backcare import __version__
from backcare.clinical.assessment import AssessmentResult
from backcare.io.fhir import AssessmentRecord, PatientInfo, assessments_bundle
from backcare.store import care as care_store
from backcare.store.assessments import list_assessments
from backcare.store.db import Database
from backcare.store.diary import list_entries
from backcare.store.posture_sessions import list_posture_sessions
from backcare.store.profiles import get_profile
from backcare.store.schedule import get_schedule, list_events

__all__ = ["EXPORT_FORMAT", "csv_tables", "csv_zip", "fhir_bundle", "person_export"]

EXPORT_FORMAT = "backcare-export/1"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def person_export(db: Database, person_id: int, *, now: datetime) -> dict[str, Any]:
    """Everything stored about ``person_id`` as JSON-ready data."""
    profile = get_profile(db, person_id)
    schedule = get_schedule(db, person_id)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(now),
        "backcare_version": __version__,
        "profile": {
            "display_name": profile.display_name,
            "birth_year": profile.birth_year,
            "sex": profile.sex,
            "height_cm": profile.height_cm,
            "mass_kg": profile.mass_kg,
        },
        "assessments": [
            {
                "id": a.id,
                "created_at": _iso(a.created_at),
                "urgency": a.urgency,
                "phase": a.phase,
                "knowledge_version": a.knowledge_version,
                "scores": [
                    {"instrument": s.instrument, "total": s.total, "category": s.category}
                    for s in a.scores
                ],
                "answers": a.answers,
                "result": a.result,
            }
            for a in list_assessments(db, person_id)
        ],
        "diary": [
            {
                "day": e.day.isoformat(),
                "pain_nrs": e.pain_nrs,
                "notes": e.notes,
                "exercise_done": e.exercise_done,
                "exercise_minutes": e.exercise_minutes,
                "breaks_taken": e.breaks_taken,
                "updated_at": _iso(e.updated_at),
            }
            for e in list_entries(db, person_id)
        ],
        "schedule": None
        if schedule is None
        else {
            "break_every_min": schedule.break_every_min,
            "exercise_days_per_week": schedule.exercise_days_per_week,
            "reminders": schedule.reminders,
            "updated_at": _iso(schedule.updated_at),
        },
        "schedule_events": [
            {"id": ev.id, "kind": ev.kind, "due_at": _iso(ev.due_at), "done_at": _iso(ev.done_at)}
            for ev in list_events(db, person_id)
        ],
        "posture_sessions": [
            {
                "id": s.id,
                "source": s.source,
                "started_at": _iso(s.started_at),
                "duration_s": s.duration_s,
                "job_id": s.job_id,
                "summary": s.summary,
            }
            for s in list_posture_sessions(db, person_id)
        ],
        "care_checkins": [
            {
                "day": c.day.isoformat(),
                "pain": c.pain,
                "limits": c.limits,
                "sleep": c.sleep,
                "did_plan": c.did_plan,
                "warning": c.warning,
                "note": c.note,
                "recorded_at": _iso(c.recorded_at),
            }
            for c in care_store.list_checkins(db, person_id)
        ],
        "care_sessions": [
            {
                "id": s.id,
                "day": s.day.isoformat(),
                "session": s.template,
                "level": s.level,
                "done": list(s.done),
                "skipped": list(s.skipped),
                "pain_during": s.pain_during,
                "difficulty": s.difficulty,
                "recorded_at": _iso(s.recorded_at),
            }
            for s in care_store.list_sessions(db, person_id)
        ],
        "care_lessons_done": sorted(care_store.lessons_done(db, person_id)),
        "care_timezone": care_store.get_settings(db, person_id).timezone,
    }


#: A text cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection");
#: it is written with a leading apostrophe, which spreadsheets show as text. Numbers stay numbers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue()


def csv_tables(data: Mapping[str, Any]) -> dict[str, str]:
    """One CSV text per table of :func:`person_export`'s data (file name -> content)."""
    assessments = data["assessments"]
    answers = [
        {"assessment_id": a["id"], "answer_id": key, "value": value}
        for a in assessments
        for key, value in a["answers"].items()
    ]
    scores = [{"assessment_id": a["id"], **s} for a in assessments for s in a["scores"]]
    sessions = data["posture_sessions"]
    summary_keys = sorted(
        {
            k
            for s in sessions
            for k, v in (s["summary"] or {}).items()
            if not isinstance(v, dict | list)
        }
    )
    flat_sessions = [
        {
            **{k: v for k, v in s.items() if k != "summary"},
            **{f"summary.{k}": (s["summary"] or {}).get(k) for k in summary_keys},
            "summary_json": s["summary"],
        }
        for s in sessions
    ]
    schedule = [data["schedule"]] if data["schedule"] else []
    return {
        "profile.csv": _table(
            [data["profile"]], ["display_name", "birth_year", "sex", "height_cm", "mass_kg"]
        ),
        "assessments.csv": _table(
            assessments,
            ["id", "created_at", "urgency", "phase", "knowledge_version", "result"],
        ),
        "answers.csv": _table(answers, ["assessment_id", "answer_id", "value"]),
        "scores.csv": _table(scores, ["assessment_id", "instrument", "total", "category"]),
        "diary.csv": _table(
            data["diary"],
            [
                "day",
                "pain_nrs",
                "notes",
                "exercise_done",
                "exercise_minutes",
                "breaks_taken",
                "updated_at",
            ],
        ),
        "schedule.csv": _table(
            schedule, ["break_every_min", "exercise_days_per_week", "reminders", "updated_at"]
        ),
        "schedule_events.csv": _table(data["schedule_events"], ["id", "kind", "due_at", "done_at"]),
        "care_checkins.csv": _table(
            data["care_checkins"],
            ["day", "pain", "limits", "sleep", "did_plan", "warning", "note", "recorded_at"],
        ),
        "care_sessions.csv": _table(
            [
                {**s, "done": " ".join(s["done"]), "skipped": " ".join(s["skipped"])}
                for s in data["care_sessions"]
            ],
            [
                "id",
                "day",
                "session",
                "level",
                "done",
                "skipped",
                "pain_during",
                "difficulty",
                "recorded_at",
            ],
        ),
        "posture_sessions.csv": _table(
            flat_sessions,
            [
                "id",
                "source",
                "started_at",
                "duration_s",
                "job_id",
                *[f"summary.{k}" for k in summary_keys],
                "summary_json",
            ],
        ),
    }


def csv_zip(data: Mapping[str, Any]) -> bytes:
    """The CSV tables in one zip file (UTF-8, one file per table)."""
    buf = io.BytesIO()
    stamp = (1980, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in csv_tables(data).items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def fhir_bundle(
    db: Database, person_id: int, *, now: datetime, bundle_id: uuid.UUID
) -> dict[str, Any]:
    """The person's assessments as a validated FHIR R4 collection Bundle."""
    profile = get_profile(db, person_id)
    records = [
        AssessmentRecord(
            id=a.id,
            created_at=a.created_at,
            answers=a.answers,
            result=AssessmentResult.model_validate(a.result),
        )
        for a in list_assessments(db, person_id)
    ]
    return assessments_bundle(
        PatientInfo(birth_year=profile.birth_year, sex=profile.sex),
        records,
        bundle_id=bundle_id,
        generated_at=now,
    )
