"""Isolated analyses: each job in a child process with memory, CPU and wall-clock limits from its
input's size; fair claims per person; the owner's cancel button; the server answering while a job
runs away. Real analyses of a simulated .cwa file run in real child processes."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from backcare.store import jobs
from backcare.store.db import Database
from backcare.store.users import create_user
from backcare.wearable.simulator import simulate_cwa
from backcare.web.analysis import SensorFile, WearableJobOptions
from backcare.web.settings import WebSettings
from backcare.web.worker import JobWorker, WorkerConfig, limits_for
from tests.web.test_limits import LiveServer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "thigh.cwa"
    simulate_cwa(path, days=0.05, placement="thigh")
    return path


@pytest.fixture(scope="module")
def long_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four days: its analysis needs seconds of CPU even on a fast machine, well past a 1 s CPU
    limit, and keeps a job busy while the server is measured (on one machine half a day took
    0.9 s of CPU and two days 1.9 s)."""
    path = tmp_path_factory.mktemp("long") / "thigh.cwa"
    simulate_cwa(path, days=4.0, placement="thigh")
    return path


def _queue(db: Database, person_id: int, path: Path) -> jobs.JobRecord:
    params = WearableJobOptions((SensorFile("thigh", path),)).to_json()
    return jobs.create_job(db, person_id, kind="wearable", inputs=[str(path)], params=params)


def _person(db: Database, email: str) -> int:
    return create_user(db, email=email, password_hash="x", role="person").person_id


def test_limits_follow_the_input_size() -> None:
    config = WorkerConfig()
    small, large = limits_for(1 << 20, config), limits_for(500 << 20, config)
    assert small.memory_bytes < large.memory_bytes <= config.memory_max
    assert small.cpu_s < large.cpu_s
    assert large.wall_s > large.cpu_s


def test_job_over_its_cpu_time_is_killed_with_a_reason(
    db: Database, tmp_path: Path, long_recording: Path
) -> None:
    job = _queue(db, _person(db, "cpu@example.org"), long_recording)
    worker = JobWorker(db, tmp_path, config=WorkerConfig(cpu_base_s=1, cpu_s_per_mib=0.0))
    assert worker.run_once() == job.id
    done = jobs.get_job(db, job.id)
    assert done is not None
    assert done.status == "failed"
    assert "more than the 1 s of processing time" in (done.error or "")


def test_job_over_its_memory_is_stopped_with_a_reason(
    db: Database, tmp_path: Path, recording: Path
) -> None:
    job = _queue(db, _person(db, "mem@example.org"), recording)
    config = WorkerConfig(memory_base=60 << 20, memory_per_input_byte=0.0)
    JobWorker(db, tmp_path, config=config).run_once()
    done = jobs.get_job(db, job.id)
    assert done is not None
    assert done.status == "failed"
    assert "of memory allowed" in (done.error or "")


def test_claims_are_fair_per_person(db: Database, tmp_path: Path) -> None:
    src = tmp_path / "x.cwa"
    src.write_bytes(b"x")
    busy, other = _person(db, "busy@example.org"), _person(db, "other@example.org")
    first = _queue(db, busy, src)
    for _ in range(3):
        _queue(db, busy, src)
    late = _queue(db, other, src)
    assert jobs.claim_next(db, now=NOW).id == first.id  # type: ignore[union-attr]
    # the busy person has one running: the other person's later job comes next
    assert jobs.claim_next(db, now=NOW).id == late.id  # type: ignore[union-attr]


def _wait_running(db: Database, job_id: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while (job := jobs.get_job(db, job_id)) is not None and job.status != "running":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_owner_cancels_a_running_job_and_its_process_ends(
    web_settings: WebSettings, make_user: Any, app_db: Database, recording: Path
) -> None:
    user = make_user()
    job = _queue(app_db, user.person_id, recording)
    worker = JobWorker(app_db, web_settings.data_dir)
    runner = threading.Thread(target=worker.run_once)
    runner.start()
    _wait_running(app_db, job.id)
    page = user.client.get(f"/jobs/{job.id}")
    assert "Cancel this analysis" in page.text
    response = user.post(f"/jobs/{job.id}/cancel")
    assert response.status_code == 303
    cancelled = time.monotonic()
    runner.join(timeout=30)
    assert not runner.is_alive()
    assert time.monotonic() - cancelled < 10  # the child was killed, not left to finish
    done = jobs.get_job(app_db, job.id)
    assert done is not None
    assert done.status == "failed"
    assert done.error == "cancelled by you"


def test_only_the_owner_can_cancel(make_user: Any, app_db: Database, tmp_path: Path) -> None:
    owner, stranger = make_user(), make_user()
    src = tmp_path / "x.cwa"
    src.write_bytes(b"x")
    job = _queue(app_db, owner.person_id, src)
    assert stranger.post(f"/jobs/{job.id}/cancel").status_code == 404
    assert jobs.get_job(app_db, job.id).status == "queued"  # type: ignore[union-attr]
    assert owner.post(f"/jobs/{job.id}/cancel").status_code == 303
    assert jobs.get_job(app_db, job.id).status == "failed"  # type: ignore[union-attr]


def test_server_answers_while_a_job_runs_away(
    web_settings: WebSettings, long_recording: Path
) -> None:
    with LiveServer(web_settings) as live:
        db: Database = live.server.config.app.state.db
        job = _queue(db, _person(db, "away@example.org"), long_recording)
        worker = JobWorker(db, web_settings.data_dir)  # as the server's lifespan starts it
        runner = threading.Thread(target=worker.run_once)
        runner.start()
        _wait_running(db, job.id)
        latencies = []  # only requests made while the analysis was still running count
        with httpx.Client(base_url=live.base, timeout=10) as client:
            end = time.monotonic() + 6
            while time.monotonic() < end:
                batch = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    assert client.get("/login").status_code == 200
                    batch.append(time.perf_counter() - t0)
                still = jobs.get_job(db, job.id)
                if still is None or still.status != "running":
                    break
                latencies.extend(batch)
        from backcare.store import job_queue

        job_queue.fail(db, job.id, reason="cancelled by you", now=NOW)
        runner.join(timeout=30)
    assert len(latencies) > 20  # the analysis was busy while these were answered
    assert float(np.percentile(latencies, 95)) < 1.5  # a blocked server would take many seconds
