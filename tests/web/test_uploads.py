"""Upload pages end to end: limits, types, CSRF, real files through the worker, result pages,
file serving with ranges, isolation and clinician read-only access."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from backcare.store import jobs, posture_sessions, shares, uploads
from backcare.store.db import Database
from backcare.web.settings import UploadLimits, WebSettings
from backcare.web.worker import JobWorker, WorkerConfig
from tests.camera.media import grace_hopper, placed, write_clip

KiB = 1024
MiB = 1024 * KiB


@pytest.fixture
def web_settings(db_url: str, tmp_path: Path) -> WebSettings:
    """The foundation's test settings with small upload limits."""
    return WebSettings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-" + "k" * 40,
        worker_enabled=False,
        upload_limits=UploadLimits(wearable=2 * MiB, video=2 * MiB, image=100 * KiB),
    )


def _job_id(response) -> int:
    assert response.status_code == 303, response.text[:2000]
    match = re.fullmatch(r"/jobs/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def _upload_dir(settings: WebSettings, person_id: int) -> Path:
    return settings.data_dir / "people" / str(person_id) / "uploads"


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def _run_worker(db: Database, settings: WebSettings) -> int | None:
    return JobWorker(db, settings.data_dir).run_once()


@pytest.fixture
def gnactv(shared_dir: Path) -> Path:
    return shared_dir / "data" / "wearable" / "skdh" / "gnactv_sample.bin"


def test_upload_page_shows_both_forms_and_limits(person) -> None:
    page = person.client.get("/uploads")
    assert page.status_code == 200
    assert 'name="thigh_file"' in page.text
    assert 'name="media_file"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "up to 2 MiB" in page.text
    assert "No analyses yet" in page.text


def test_wearable_upload_runs_end_to_end(person, app_db, web_settings, gnactv: Path) -> None:
    data = gnactv.read_bytes()
    r = person.post(
        "/uploads",
        {"thigh_axes": ""},
        files={"thigh_file": ("my recording.bin", data, "application/octet-stream")},
    )
    job_id = _job_id(r)
    (stored,) = _files(_upload_dir(web_settings, person.person_id))
    assert "recording" not in stored.name
    assert stored.read_bytes() == data
    (row,) = uploads.list_uploads(app_db, person.person_id)
    assert row.original_name == "my recording.bin"
    assert row.stored_path == str(stored)
    assert len(row.sha256) == 64
    queued = jobs.get_job(app_db, job_id)
    assert queued is not None
    assert queued.status == "queued"
    page = person.client.get(f"/jobs/{job_id}")
    assert "queued" in page.text
    assert "my recording.bin" in page.text

    assert _run_worker(app_db, web_settings) == job_id

    status = person.client.get(f"/jobs/{job_id}/status")
    assert "done" in status.text
    assert "hx-trigger" not in status.text  # polling stops once finished
    result = person.client.get(f"/results/{job_id}")
    assert result.status_code == 200
    assert "Time per activity" in result.text
    assert "Posture series (Parquet)" in result.text
    assert '<iframe class="report"' in result.text
    names = re.findall(rf'href="/results/{job_id}/files/([^"]+)"', result.text)
    assert "seconds.parquet" in names
    download = person.client.get(f"/results/{job_id}/files/seconds.parquet")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/vnd.apache.parquet"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content[:4] == b"PAR1"
    report = person.client.get(f"/results/{job_id}/files/report.html")
    assert report.headers["content-type"].startswith("text/html")
    assert report.headers["content-security-policy"].startswith("sandbox")
    assert "frame-ancestors 'self'" in report.headers["content-security-policy"]
    (session,) = posture_sessions.list_posture_sessions(app_db, person.person_id)
    assert session.job_id == job_id
    assert session.source == "wearable"
    assert session.started_at.year == 2019
    assert "trunk_fwd_time_s" in session.summary
    listing = person.client.get("/uploads")
    assert f'href="/results/{job_id}"' in listing.text


def test_simulated_cwa_pair_with_profile(person, app_db, web_settings, tmp_path: Path) -> None:
    from backcare.store.models import Person
    from backcare.wearable.simulator import simulate_cwa

    with app_db.session() as s:
        row = s.get(Person, person.person_id)
        assert row is not None
        row.mass_kg, row.height_cm = 68.0, 172.0
    start = datetime(2024, 1, 1, 10, 0)
    thigh = simulate_cwa(tmp_path / "t.cwa", days=0.01, rate_hz=25, seed=5, start=start).path
    trunk = simulate_cwa(
        tmp_path / "b.cwa", days=0.01, rate_hz=25, seed=5, start=start, placement="trunk_chest"
    ).path
    r = person.post(
        "/uploads",
        {"trunk_placement": "chest"},
        files={
            "thigh_file": ("thigh.cwa", thigh.read_bytes()),
            "trunk_file": ("chest.cwa", trunk.read_bytes()),
        },
    )
    job_id = _job_id(r)
    job = jobs.get_job(app_db, job_id)
    assert job is not None
    assert [s["placement"] for s in job.params["sensors"]] == ["thigh", "trunk_chest"]
    _run_worker(app_db, web_settings)
    result = person.client.get(f"/results/{job_id}")
    assert result.status_code == 200, result.text
    assert "L5/S1 compression" in result.text
    (session,) = posture_sessions.list_posture_sessions(app_db, person.person_id)
    assert session.summary["l5s1_compression_n"]["mass_kg"] == 68.0


def test_arm_side_work_hours_and_reference_reach_the_analysis(
    person, app_db, web_settings, tmp_path: Path
) -> None:
    import pandas as pd

    from backcare.wearable.simulator import simulate_cwa

    start = datetime(2024, 1, 1, 7, 50)
    thigh = simulate_cwa(tmp_path / "t.cwa", days=0.01, rate_hz=25, seed=6, start=start).path
    arm = simulate_cwa(
        tmp_path / "a.cwa", days=0.01, rate_hz=25, seed=6, start=start, placement="upper_arm"
    ).path
    r = person.post(
        "/uploads",
        {"arm_side": "left", "work_hours": "8-9", "reference": "07:50:10..07:50:20"},
        files={
            "thigh_file": ("thigh.cwa", thigh.read_bytes()),
            "arm_file": ("arm.cwa", arm.read_bytes()),
        },
    )
    job_id = _job_id(r)
    job = jobs.get_job(app_db, job_id)
    assert job is not None
    assert [s["placement"] for s in job.params["sensors"]] == ["thigh", "upper_arm"]
    assert job.params["arm_side"] == "left"
    assert job.params["work_hours"] == [8.0, 9.0]
    assert job.params["reference"] == "07:50:10..07:50:20"
    _run_worker(app_db, web_settings)
    assert person.client.get(f"/results/{job_id}").status_code == 200
    folder = Path(jobs.get_job(app_db, job_id).output_dir)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["sensors"]["upper_arm"]["reference"]["method"] == "window"
    windows = pd.read_csv(folder / "windows.csv")
    assert windows["label"].tolist() == ["2024-01-01 8-9h"]
    # a bad window is named in plain words on the form, and nothing is queued
    bad = person.post(
        "/uploads", {"work_hours": "9"}, files={"thigh_file": ("t.cwa", thigh.read_bytes())}
    )
    assert bad.status_code == 400
    assert "8-16" in bad.text


def test_image_upload_runs_end_to_end(person, app_db, web_settings) -> None:
    r = person.post(
        "/uploads",
        {"load_kg": "3", "camera_pitch_deg": ""},
        files={"media_file": ("hopper.jpg", grace_hopper().read_bytes(), "image/jpeg")},
    )
    job_id = _job_id(r)
    _run_worker(app_db, web_settings)
    result = person.client.get(f"/results/{job_id}")
    assert result.status_code == 200
    assert "Annotated photo" in result.text
    assert "Joint angles" in result.text
    (png,) = re.findall(rf'<img src="/results/{job_id}/files/([^"]+\.png)"', result.text)
    image = person.client.get(f"/results/{job_id}/files/{png}")
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"].startswith("inline")
    assert Image.open(io.BytesIO(image.content)).size[0] > 0
    assert posture_sessions.list_posture_sessions(app_db, person.person_id) == []


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = placed(Image.open(grace_hopper()), scale=0.9)
    return write_clip(tmp_path_factory.mktemp("clip") / "clip.mp4", lambda i: frame, 12, fps=6)


def test_video_is_served_with_range_requests(person, other_person, app_db, web_settings, clip):
    r = person.post("/uploads", files={"media_file": ("work.mp4", clip.read_bytes(), "video/mp4")})
    job_id = _job_id(r)
    _run_worker(app_db, web_settings)
    result = person.client.get(f"/results/{job_id}")
    assert "<video" in result.text
    (name,) = re.findall(rf'<video[^>]* src="/results/{job_id}/files/([^"]+)"', result.text)
    url = f"/results/{job_id}/files/{name}"
    whole = person.client.get(url)
    assert whole.status_code == 200
    assert whole.headers["content-type"] in ("video/mp4", "video/webm")
    assert whole.headers["accept-ranges"] == "bytes"
    size = len(whole.content)
    part = person.client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-99/{size}"
    assert part.content == whole.content[:100]
    tail = person.client.get(url, headers={"Range": f"bytes={size - 10}-"})
    assert tail.status_code == 206
    assert tail.content == whole.content[-10:]
    beyond = person.client.get(url, headers={"Range": f"bytes={size + 10}-{size + 20}"})
    assert beyond.status_code == 416
    assert other_person.client.get(url, headers={"Range": "bytes=0-99"}).status_code == 404
    assert "Posture scores" in result.text
    (session,) = posture_sessions.list_posture_sessions(app_db, person.person_id)
    assert session.source == "camera"


def test_too_large_is_413_and_nothing_is_left(person, app_db, web_settings, shared_dir) -> None:
    big = (shared_dir / "data/wearable/skdh/apdm_sample.h5").read_bytes()
    assert len(big) > 2 * MiB
    r = person.post("/uploads", files={"trunk_file": ("apdm.h5", big)})
    assert r.status_code == 413
    assert "larger than the 2 MiB allowed for wearable files" in r.text
    noise = np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).save(buf, format="PNG")
    assert len(buf.getvalue()) > 100 * KiB
    r = person.post("/uploads", files={"media_file": ("noise.png", buf.getvalue())})
    assert r.status_code == 413
    assert "100 KiB" in r.text
    assert _files(_upload_dir(web_settings, person.person_id)) == []
    assert uploads.list_uploads(app_db, person.person_id) == []
    assert jobs.list_jobs(app_db, person.person_id) == []


@pytest.mark.parametrize(
    ("field", "name", "content", "message"),
    [
        ("media_file", "notes.txt", b"just text", ".txt files are not accepted"),
        ("media_file", "fake.mp4", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "not an MP4 video"),
        ("thigh_file", "clip.mp4", b"\x00\x00\x00\x20ftypisom", "takes a wearable file"),
        ("thigh_file", "broken.cwa", b"MD" + b"\x00" * 600, "not a readable sensor recording"),
    ],
)
def test_wrong_type_is_refused_with_a_clear_message(
    person, app_db, web_settings, field, name, content, message
) -> None:
    r = person.post("/uploads", files={field: (name, content)})
    assert r.status_code == 415
    assert message in r.text
    assert name in r.text
    assert _files(_upload_dir(web_settings, person.person_id)) == []
    assert jobs.list_jobs(app_db, person.person_id) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "choose a file"),
        ({"load_kg": "heavy"}, "is not a number"),
        ({"load_kg": "900"}, "must lie between 0 and 500 kg"),
    ],
)
def test_bad_form_values_are_400_and_the_file_is_removed(
    person, web_settings, data, message
) -> None:
    files = {} if not data else {"media_file": ("a.jpg", grace_hopper().read_bytes())}
    if not data:
        files = {"media_file": ("", b"")}
    r = person.post("/uploads", data, files=files)
    assert r.status_code == 400
    assert message in r.text
    assert _files(_upload_dir(web_settings, person.person_id)) == []


def test_bad_axes_and_mixed_forms_are_400(person, gnactv: Path) -> None:
    r = person.post(
        "/uploads", {"thigh_axes": "up=+x"}, files={"thigh_file": ("a.bin", gnactv.read_bytes())}
    )
    assert r.status_code == 400
    assert "thigh_axes" in r.text
    r = person.post(
        "/uploads",
        files={
            "thigh_file": ("a.bin", gnactv.read_bytes()),
            "media_file": ("b.jpg", grace_hopper().read_bytes()),
        },
    )
    assert r.status_code == 400
    assert "separately" in r.text


def test_csrf_is_required_before_any_byte_is_stored(person, app_db, web_settings) -> None:
    files = {"media_file": ("a.jpg", grace_hopper().read_bytes())}
    r = person.client.post("/uploads", files=files, follow_redirects=False)
    assert r.status_code == 403
    r = person.client.post(
        "/uploads", data={"csrf_token": "forged"}, files=files, follow_redirects=False
    )
    assert r.status_code == 403
    r = person.client.post(
        "/uploads", headers={"X-CSRF-Token": "forged"}, files=files, follow_redirects=False
    )
    assert r.status_code == 403
    assert _files(_upload_dir(web_settings, person.person_id)) == []
    r = person.client.post(
        "/uploads", headers={"X-CSRF-Token": person.csrf()}, files=files, follow_redirects=False
    )
    _job_id(r)


def test_logged_out_visitors_are_sent_to_login(client) -> None:
    for url in ("/uploads", "/jobs/1", "/results/1", "/results/1/files/x.csv"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/login")


def test_other_users_get_404_and_a_clinician_reads_only_when_shared(
    person, other_person, clinician, app_db, web_settings
) -> None:
    r = person.post("/uploads", files={"media_file": ("me.jpg", grace_hopper().read_bytes())})
    job_id = _job_id(r)
    _run_worker(app_db, web_settings)
    page = person.client.get(f"/results/{job_id}")
    (png,) = re.findall(rf'<img src="/results/{job_id}/files/([^"]+\.png)"', page.text)
    urls = [
        f"/jobs/{job_id}",
        f"/jobs/{job_id}/status",
        f"/results/{job_id}",
        f"/results/{job_id}/files/{png}",
    ]
    for viewer in (other_person, clinician):
        for url in urls:
            assert viewer.client.get(url).status_code == 404, (viewer.role, url)
        assert viewer.client.get(f"/uploads?person={person.person_id}").status_code == 404
        assert f"/results/{job_id}" not in viewer.client.get("/uploads").text
    shares.grant_share(app_db, person_id=person.person_id, clinician_user_id=clinician.user_id)
    for url in urls:
        assert clinician.client.get(url).status_code == 200, url
    listing = clinician.client.get(f"/uploads?person={person.person_id}")
    assert f'href="/results/{job_id}"' in listing.text
    assert 'name="media_file"' not in listing.text  # read-only: no upload forms
    assert other_person.client.get(f"/results/{job_id}").status_code == 404


def test_only_listed_files_are_served(person, app_db, web_settings) -> None:
    r = person.post("/uploads", files={"media_file": ("me.jpg", grace_hopper().read_bytes())})
    job_id = _job_id(r)
    _run_worker(app_db, web_settings)
    job = jobs.get_job(app_db, job_id)
    assert job is not None
    assert job.output_dir is not None
    (Path(job.output_dir) / "secret.txt").write_text("not listed")
    for name in ("secret.txt", "outputs.json", "..%2F..%2Fsecret_key", "%2E%2E"):
        assert person.client.get(f"/results/{job_id}/files/{name}").status_code == 404


def test_running_and_failed_jobs_show_progress_and_reason(person, app_db, web_settings, gnactv):
    job_id = _job_id(person.post("/uploads", files={"thigh_file": ("a.bin", gnactv.read_bytes())}))
    assert person.client.get(f"/results/{job_id}", follow_redirects=False).status_code == 303
    claimed = jobs.claim_next(app_db, now=datetime(2026, 1, 1, 9, 0).astimezone())
    assert claimed is not None
    jobs.report_progress(
        app_db, job_id, progress=0.42, message="reading the thigh sensor", now=claimed.started_at
    )
    page = person.client.get(f"/jobs/{job_id}")
    assert "42 %" in page.text
    assert "reading the thigh sensor" in page.text
    assert f'hx-get="/jobs/{job_id}/status"' in page.text
    assert 'http-equiv="refresh"' in page.text  # works without JavaScript too
    assert person.client.get(f"/results/{job_id}/files/seconds.parquet").status_code == 404
    # the worker died three times: the restart fails the job with the reason
    worker = JobWorker(app_db, web_settings.data_dir, config=WorkerConfig(max_attempts=1))
    requeued, failed = worker.recover()
    assert (requeued, failed) == ([], [job_id])
    page = person.client.get(f"/jobs/{job_id}")
    assert "interrupted 1 times" in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert "hx-trigger" not in page.text


def test_app_lifespan_starts_the_worker(web_settings, gnactv, make_user) -> None:
    import warnings

    from backcare.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    settings = web_settings.model_copy(update={"worker_enabled": True})
    app = create_app(settings)
    with TestClient(app) as client:
        from tests.web.conftest import csrf_from, register

        assert register(client, "live@example.org").status_code == 303
        token = csrf_from(client.get("/uploads").text)
        r = client.post(
            "/uploads",
            data={"csrf_token": token},
            files={"thigh_file": ("a.bin", gnactv.read_bytes())},
            follow_redirects=False,
        )
        job_id = _job_id(r)
        deadline = time.monotonic() + 120
        status = ""
        while time.monotonic() < deadline:
            status = client.get(f"/jobs/{job_id}/status").text
            if "See the results" in status or "failed" in status:
                break
            time.sleep(0.2)
        assert "See the results" in status
        assert app.state.worker._thread.is_alive()
    assert not app.state.worker._thread.is_alive()


def test_demo_account_gets_an_analysis_the_worker_runs(app, app_db, web_settings) -> None:
    from backcare.web.demo import DEMO_EMAIL, seed_demo

    account = seed_demo(app_db, web_settings)
    assert not any("demo_analysis" in n for n in account.notes), account.notes
    from backcare.store.users import get_user_by_email

    demo = get_user_by_email(app_db, DEMO_EMAIL)
    assert demo is not None
    (job,) = jobs.list_jobs(app_db, demo.person_id)
    assert job.status == "queued"
    assert _run_worker(app_db, web_settings) == job.id
    done = jobs.get_job(app_db, job.id)
    assert done is not None
    assert done.status == "done", done.error
    sessions = posture_sessions.list_posture_sessions(app_db, demo.person_id, source="wearable")
    assert any(s.job_id == job.id for s in sessions)
