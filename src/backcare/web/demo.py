"""Demo data for ``backcare serve --demo``: a person with results and a clinician they share with.

Seeding is idempotent: an existing demo account is left as it is. Other parts add their own sample
data with :func:`seeder`::

    from backcare.web.demo import DemoContext, seeder

    @seeder
    def my_sample(ctx: DemoContext) -> None:
        ...  # ctx.db, ctx.settings, ctx.person_id, ctx.now

Seeders run once, when the demo person is created, in registration order (this module's own
seeders first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np

from backcare.clinical.answers import triage_knowledge
from backcare.clinical.assessment import assess
from backcare.store import diary, posture_sessions, shares, users
from backcare.store.assessments import ScoreRow, save_assessment
from backcare.store.db import Database
from backcare.store.files import person_dir
from backcare.web.security import hash_password
from backcare.web.settings import WebSettings

__all__ = [
    "DEMO_CLINICIAN_EMAIL",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "DemoAccount",
    "DemoContext",
    "sample_answers",
    "seed_demo",
    "seeder",
]

DEMO_EMAIL = "demo@backcare.local"
DEMO_CLINICIAN_EMAIL = "clinician@backcare.local"
#: Fixed and documented: the demo runs on 127.0.0.1 for trying the app, never for real data.
DEMO_PASSWORD = "backcare-demo"


@dataclass(frozen=True)
class DemoContext:
    db: Database
    settings: WebSettings
    person_id: int
    user_id: int
    now: datetime


@dataclass(frozen=True)
class DemoAccount:
    email: str
    clinician_email: str
    password: str
    created: bool
    notes: tuple[str, ...] = field(default_factory=tuple)


Seeder = Callable[[DemoContext], None]
_SEEDERS: list[Seeder] = []


def seeder(fn: Seeder) -> Seeder:
    """Register ``fn`` to add sample data for the demo person."""
    _SEEDERS.append(fn)
    return fn


def sample_answers() -> dict[str, Any]:
    """An assessment's answers: no red flags, 3 weeks of low back pain, NRS and ODI items."""
    answers: dict[str, Any] = {
        item.id: False for item in triage_knowledge().answers if item.id.startswith("triage.")
    }
    answers.update(
        {
            "pain.region": "low_back",
            "pain.duration_weeks": 3,
            "pain.recurrent": False,
            "profile.age": 42,
            "pain.onset_age": 42,
            "nrs.now": 4,
            "nrs.average_week": 5,
            "nrs.worst_week": 7,
        }
    )
    answers.update({f"odi.{i}": v for i, v in enumerate([2, 1, 2, 1, 2, 1, 1, 0, 1, 1], 1)})
    return answers


@seeder
def _assessment(ctx: DemoContext) -> None:
    answers = sample_answers()
    result = assess(answers)
    save_assessment(
        ctx.db,
        ctx.person_id,
        answers=answers,
        result=result.model_dump(mode="json"),
        urgency=result.triage.urgency,
        phase=result.phase.phase if result.phase else None,
        scores=[ScoreRow(k, r.total, r.category) for k, r in result.scores.items()],
        knowledge_version=result.knowledge_version,
        note="demo",
    )


@seeder
def _diary(ctx: DemoContext) -> None:
    rng = np.random.default_rng(14)
    today = ctx.now.date()
    for back in range(14, 0, -1):
        day = today - timedelta(days=back)
        trend = 6.0 - 3.0 * (14 - back) / 13  # improving from about 6 to 3
        pain = int(np.clip(round(trend + rng.normal(0, 0.7)), 0, 10))
        exercised = back % 3 == 0
        diary.save_entry(
            ctx.db,
            ctx.person_id,
            day,
            pain_nrs=pain,
            notes="Walked 20 minutes" if exercised else None,
            exercise_done=exercised,
            exercise_minutes=20 if exercised else None,
            breaks_taken=int(rng.integers(2, 8)),
        )


@seeder
def _posture_session(ctx: DemoContext) -> None:
    """Ten minutes of synthetic desk work at 1 Hz: trunk flexion drifting forward, with breaks."""
    from backcare.io.parquet import write_series
    from backcare.posture.exposure import analyze_exposure
    from backcare.posture.series import PostureSeries, SeriesMeta

    rng = np.random.default_rng(7)
    n = 600
    t = np.arange(n, dtype=float)
    trunk = 15.0 + 10.0 * np.sin(t / 90.0) + rng.normal(0, 3.0, n)
    trunk[200:230] = 45.0 + rng.normal(0, 4.0, 30)  # reaching forward for a while
    neck = 20.0 + 5.0 * np.sin(t / 60.0) + rng.normal(0, 2.0, n)
    started = datetime.combine(ctx.now.date() - timedelta(days=1), time(10, 0), tzinfo=UTC)
    series = PostureSeries(
        t,
        {"trunk_flexion": trunk, "trunk_inclination": np.abs(trunk), "neck_flexion": neck},
        meta=SeriesMeta(source="simulated", start=started, rate_hz=1.0, notes=("demo data",)),
    )
    folder = person_dir(ctx.settings.data_dir, ctx.person_id, create=True) / "posture"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-session.parquet"
    write_series(series, path)
    summary = analyze_exposure(series, scores=False).summary.to_dict()
    posture_sessions.add_posture_session(
        ctx.db,
        ctx.person_id,
        source="wearable",
        started_at=started,
        duration_s=float(n),
        series_path=str(path),
        summary=summary,
    )


def _ensure_user(db: Database, email: str, role: str, name: str) -> tuple[users.UserRecord, bool]:
    existing = users.get_user_by_email(db, email)
    if existing is not None:
        return existing, False
    created = users.create_user(
        db, email=email, password_hash=hash_password(DEMO_PASSWORD), role=role, display_name=name
    )
    return created, True


def seed_demo(db: Database, settings: WebSettings, *, now: datetime | None = None) -> DemoAccount:
    """Create the demo person (with sample data) and a clinician they share with, once."""
    now = now or datetime.now(UTC)
    clinician, _ = _ensure_user(db, DEMO_CLINICIAN_EMAIL, "clinician", "Dr Demo")
    person, created = _ensure_user(db, DEMO_EMAIL, "person", "Demo Person")
    notes: list[str] = []
    if created:
        shares.grant_share(db, person_id=person.person_id, clinician_user_id=clinician.id)
        ctx = DemoContext(db, settings, person.person_id, person.id, now)
        for fn in _SEEDERS:
            try:
                fn(ctx)
            except Exception as exc:  # a sample that cannot be made must not stop the server
                notes.append(f"sample data '{fn.__name__.lstrip('_')}' skipped: {exc}")
    return DemoAccount(DEMO_EMAIL, DEMO_CLINICIAN_EMAIL, DEMO_PASSWORD, created, tuple(notes))
