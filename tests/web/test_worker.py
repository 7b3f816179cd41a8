"""The job worker on SQLite and PostgreSQL: outcomes, failures, restart semantics, stop, loss."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backcare.errors import InputError
from backcare.store import jobs, posture_sessions
from backcare.store.db import Database
from backcare.store.users import create_user
from backcare.web.analysis import AnalysisOutcome, Profile
from backcare.web.worker import MANIFEST, JobWorker, WorkerConfig, read_manifest

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A settable UTC clock; each call advances it by ``step``."""

    def __init__(self, start: datetime = T0, step: timedelta = timedelta(0)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        value = self.now
        self.now += self.step
        return value

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _person(db: Database, email: str = "p@example.org", **profile: Any) -> int:
    user = create_user(db, email=email, password_hash="x", role="person")
    if profile:
        from backcare.store.models import Person

        with db.session() as session:
            person = session.get(Person, user.person_id)
            assert person is not None
            for key, value in profile.items():
                setattr(person, key, value)
    return user.person_id


def _job(db: Database, person_id: int, tmp_path: Path, *, exists: bool = True) -> jobs.JobRecord:
    src = tmp_path / f"input-{time.monotonic_ns()}.bin"
    if exists:
        src.write_bytes(b"data")
    return jobs.create_job(
        db,
        person_id,
        kind="wearable",
        inputs=[str(src)],
        params={"sensors": [{"placement": "thigh", "path": str(src)}]},
        output_dir=str(tmp_path / "people" / str(person_id) / "jobs" / src.stem),
    )


def _outcome(out_dir: Path, summary: dict[str, Any] | None = None) -> AnalysisOutcome:
    (out_dir / "seconds.parquet").write_bytes(b"PAR1")
    return AnalysisOutcome(
        files={"series": "seconds.parquet"},
        summary=summary,
        started_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
        duration_s=3600.0,
        notes=["a note"],
    )


Analyse = Callable[[str, Mapping[str, Any], Path, Profile, Callable[[float, str], None]], Any]


def _worker(db: Database, tmp_path: Path, analyse: Analyse, clock: Clock | None = None, **cfg):
    config = WorkerConfig(**{"heartbeat_s": 5.0, "stale_after_s": 60.0, **cfg})
    return JobWorker(db, tmp_path, config=config, clock=clock or Clock(), analyse=analyse)


def test_empty_queue(db: Database, tmp_path: Path) -> None:
    assert _worker(db, tmp_path, lambda *a: None).run_once() is None


def test_done_job_has_manifest_session_and_profile(db: Database, tmp_path: Path) -> None:
    pid = _person(db, mass_kg=72.5, height_cm=181.0, sex="female")
    job = _job(db, pid, tmp_path)
    out = Path(job.output_dir or "")
    out.mkdir(parents=True)
    (out / "stale-from-an-earlier-attempt.csv").write_text("x")
    seen: dict[str, Any] = {}

    def analyse(kind, params, out_dir, profile, progress):
        seen.update(kind=kind, params=params, out_dir=out_dir, profile=profile)
        for i in range(5):
            progress(i / 4, f"step {i}")
        return _outcome(out_dir, {"source": "wearable", "sit_time_s": 1800.0})

    assert _worker(db, tmp_path, analyse).run_once() == job.id
    assert seen["kind"] == "wearable"
    assert seen["profile"] == Profile(72.5, 181.0, "female")
    assert seen["out_dir"] == out
    assert not (out / "stale-from-an-earlier-attempt.csv").exists()
    done = jobs.get_job(db, job.id)
    assert done is not None
    assert done.status == "done"
    assert done.progress == 1.0
    assert done.attempts == 1
    assert done.finished_at is not None
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest["files"] == {"series": "seconds.parquet"}
    assert manifest["notes"] == ["a note"]
    assert json.loads((out / MANIFEST).read_text())["kind"] == "wearable"
    (session,) = posture_sessions.list_posture_sessions(db, pid)
    assert session.job_id == job.id
    assert session.source == "wearable"
    assert session.duration_s == 3600.0
    assert session.summary["sit_time_s"] == 1800.0
    assert session.series_path == str(out / "seconds.parquet")


def test_photo_job_adds_no_session(db: Database, tmp_path: Path) -> None:
    pid = _person(db)
    job = _job(db, pid, tmp_path)
    _worker(db, tmp_path, lambda k, p, o, pr, cb: _outcome(o, None)).run_once()
    assert jobs.get_job(db, job.id).status == "done"  # type: ignore[union-attr]
    assert posture_sessions.list_posture_sessions(db, pid) == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (InputError("no person was found in any frame", where="clip.mp4"), "clip.mp4: no person"),
        (RuntimeError("decoder crashed"), "internal error (RuntimeError: decoder crashed)"),
    ],
)
def test_failures_carry_a_reason(db: Database, tmp_path: Path, error, reason) -> None:
    pid = _person(db)
    job = _job(db, pid, tmp_path)

    def analyse(*_args):
        raise error

    _worker(db, tmp_path, analyse).run_once()
    failed = jobs.get_job(db, job.id)
    assert failed is not None
    assert failed.status == "failed"
    assert failed.error is not None
    assert failed.error.startswith(reason)
    assert posture_sessions.list_posture_sessions(db, pid) == []


def test_vanished_input_fails_with_that_reason(db: Database, tmp_path: Path) -> None:
    pid = _person(db)
    job = _job(db, pid, tmp_path, exists=False)
    called = []
    _worker(db, tmp_path, lambda *a: called.append(a)).run_once()
    failed = jobs.get_job(db, job.id)
    assert failed is not None
    assert failed.status == "failed"
    assert "input file is missing" in (failed.error or "")
    assert Path(job.inputs[0]).name in (failed.error or "")
    assert called == []


def test_stale_running_job_is_requeued_then_failed_after_n_attempts(
    db: Database, tmp_path: Path
) -> None:
    pid = _person(db)
    job = _job(db, pid, tmp_path)
    clock = Clock()
    worker = _worker(db, tmp_path, lambda *a: None, clock, max_attempts=3)
    for attempt in (1, 2, 3):
        claimed = jobs.claim_next(db, now=clock())  # a worker takes it ... and dies
        assert claimed is not None
        assert claimed.attempts == attempt
        clock.advance(30)  # heartbeat 30 s old: not stale yet
        assert worker.recover() == ([], [])
        assert jobs.get_job(db, job.id).status == "running"  # type: ignore[union-attr]
        clock.advance(31)
        requeued, failed = worker.recover()
        if attempt < 3:
            assert (requeued, failed) == ([job.id], [])
            assert jobs.get_job(db, job.id).status == "queued"  # type: ignore[union-attr]
        else:
            assert (requeued, failed) == ([], [job.id])
    final = jobs.get_job(db, job.id)
    assert final is not None
    assert final.status == "failed"
    assert "interrupted 3 times" in (final.error or "")
    assert worker.run_once() is None  # nothing left to run


def test_requeued_job_runs_to_the_end_on_the_next_start(db: Database, tmp_path: Path) -> None:
    pid = _person(db)
    job = _job(db, pid, tmp_path)
    clock = Clock()
    jobs.claim_next(db, now=clock())
    clock.advance(3600)
    worker = _worker(db, tmp_path, lambda k, p, o, pr, cb: _outcome(o, {"x": 1}), clock)
    assert worker.recover() == ([job.id], [])
    assert worker.run_once() == job.id
    done = jobs.get_job(db, job.id)
    assert done is not None
    assert done.status == "done"
    assert done.attempts == 2


def test_a_job_taken_over_while_running_keeps_the_new_owners_state(
    db: Database, tmp_path: Path
) -> None:
    pid = _person(db)
    job = _job(db, pid, tmp_path)
    clock = Clock()

    def analyse(kind, params, out_dir, profile, progress):
        # meanwhile another worker thinks this one died and fails the job
        jobs.fail_job(db, job.id, error="taken over", now=clock())
        progress(1.0, "almost")
        raise AssertionError("the progress report should have stopped the analysis")

    _worker(db, tmp_path, analyse, clock).run_once()
    final = jobs.get_job(db, job.id)
    assert final is not None
    assert final.error == "taken over"
    assert posture_sessions.list_posture_sessions(db, pid) == []


def test_stop_puts_the_running_job_back_without_using_an_attempt(
    db: Database, tmp_path: Path
) -> None:
    pid = _person(db)
    job = _job(db, pid, tmp_path)
    started = threading.Event()
    worker: JobWorker

    def analyse(kind, params, out_dir, profile, progress):
        started.set()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            progress(1.0, "working")  # 1.0 is always written: no throttling in the way
            time.sleep(0.01)
        raise AssertionError("never stopped")

    worker = _worker(db, tmp_path, analyse, poll_s=0.05)
    thread = worker.start()
    assert started.wait(30)
    worker.stop(timeout_s=30)
    assert not thread.is_alive()
    back = jobs.get_job(db, job.id)
    assert back is not None
    assert back.status == "queued"
    assert back.attempts == 0
    assert "stopped" in (back.message or "")


def test_heartbeat_is_stamped_while_the_analysis_is_silent(db: Database, tmp_path: Path) -> None:
    pid = _person(db)
    job = _job(db, pid, tmp_path)
    clock = Clock(step=timedelta(seconds=1))
    beats: list[datetime | None] = []

    def analyse(kind, params, out_dir, profile, progress):
        first = jobs.get_job(db, job.id).heartbeat_at  # type: ignore[union-attr]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = jobs.get_job(db, job.id).heartbeat_at  # type: ignore[union-attr]
            if now != first:
                beats.extend([first, now])
                break
            time.sleep(0.02)
        return _outcome(out_dir)

    _worker(db, tmp_path, analyse, clock, heartbeat_s=0.05, stale_after_s=30.0).run_once()
    assert len(beats) == 2
    assert beats[1] > beats[0]  # type: ignore[operator]


def test_worker_config_is_checked() -> None:
    with pytest.raises(ValueError, match="stale_after_s"):
        WorkerConfig(heartbeat_s=10, stale_after_s=15)
    with pytest.raises(ValueError, match="max_attempts"):
        WorkerConfig(max_attempts=0)
