"""``backcare worker --once`` runs queued jobs from the configured database and data directory."""

from __future__ import annotations

from pathlib import Path

from backcare.config import data_dir, database_url
from backcare.store import jobs, posture_sessions
from backcare.store.db import open_database
from backcare.store.users import create_user
from backcare.web.analysis import SensorFile, WearableJobOptions


def test_worker_once_runs_the_queue(cli, shared_dir: Path) -> None:
    sample = shared_dir / "data" / "wearable" / "skdh" / "gnactv_sample.bin"
    db = open_database(database_url())
    try:
        person = create_user(db, email="w@example.org", password_hash="x", role="person")
        out = data_dir() / "people" / str(person.person_id) / "jobs" / "a"
        job = jobs.create_job(
            db,
            person.person_id,
            kind="wearable",
            inputs=[str(sample)],
            params=WearableJobOptions((SensorFile("thigh", sample),)).to_json(),
            output_dir=str(out),
        )
        gone = jobs.create_job(
            db, person.person_id, kind="camera", inputs=["/nonexistent/clip.mp4"], params={}
        )
    finally:
        db.dispose()
    rc, output, _ = cli("worker", "--once")
    assert rc == 0
    assert "2 job(s) run" in output
    db = open_database(database_url())
    try:
        done = jobs.get_job(db, job.id)
        failed = jobs.get_job(db, gone.id)
        assert done is not None
        assert done.status == "done"
        assert failed is not None
        assert failed.status == "failed"
        assert "clip.mp4" in (failed.error or "")
        assert len(posture_sessions.list_posture_sessions(db, person.person_id)) == 1
    finally:
        db.dispose()
    assert (out / "outputs.json").is_file()
    rc, output, _ = cli("worker", "--once")
    assert rc == 0
    assert "0 job(s) run" in output
