"""Uploads and background analyses: ``/uploads``, ``/jobs/{id}``, ``/results/{id}``.

* ``GET /uploads`` -- the two upload forms (worn sensors; video or photo) and the person's jobs.
  ``?person=ID`` lists a sharing person's jobs, read-only.
* ``POST /uploads`` -- streams the files into the person's folder (limits and type checks in
  :mod:`backcare.web.intake`), records them and queues a job; answers 303 to the job's page, or
  the form again with the reason and status 400/403/413/415.
* ``GET /jobs/{id}`` -- status, progress and message (htmx polls ``/jobs/{id}/status`` every
  second; without JavaScript the page refreshes itself every 2 s until the job has finished), the
  reason of a failure.
* ``GET /results/{id}`` -- plots, tables, the annotated video or image, the embedded report and
  downloads; ``GET /results/{id}/files/{name}`` serves one of the job's files (only names the
  job's manifest lists) with its content type and HTTP range support (video seeking). The HTML
  report is served sandboxed (no scripts, no access to the app) and may be framed only by the app.

Every job route checks the job's owner with ``viewable_person`` (404 for anyone else; a
clinician the person shares with may read). The lifespan hook starts the background worker when
``WebSettings.worker_enabled`` (see :mod:`backcare.web.worker`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from backcare.errors import InputError
from backcare.store import job_queue, jobs, uploads
from backcare.store.files import person_dir
from backcare.web.analysis import CameraJobOptions, SensorFile, WearableJobOptions
from backcare.web.demo import DemoContext, seeder
from backcare.web.deps import (
    CurrentUser,
    DbDep,
    SettingsDep,
    ViewedPersonId,
    resolve_auth,
    streamed_upload,
    viewable_person,
    writable_person,
)
from backcare.web.intake import ParsedUpload, UploadError, receive_upload
from backcare.web.results_view import CONTENT_TYPES, resolve_output_file, result_view
from backcare.web.security import now_utc
from backcare.web.templating import render
from backcare.web.worker import JobWorker

__all__ = ["lifespan", "router"]

router = APIRouter()

#: Roles served as downloads (the rest is shown inline).
_DOWNLOAD_SUFFIXES = (".parquet", ".csv", ".json")
#: The report is self-contained: inline styles and data: images only, no scripts, no framing by
#: anything but the app.
_REPORT_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start ``worker_slots`` job workers for the app's lifetime (unless switched off); each runs
    one analysis at a time in a child process (see :mod:`backcare.web.worker`)."""
    settings = app.state.settings
    if not settings.worker_enabled:
        yield
        return
    workers = [JobWorker(app.state.db, settings.data_dir) for _ in range(settings.worker_slots)]
    app.state.worker = workers[0]
    app.state.workers = workers
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        for worker in workers:
            await anyio.to_thread.run_sync(worker.stop)


def _page(
    request: Request,
    db: Any,
    person_id: int,
    own: bool,
    *,
    status_code: int = 200,
    **ctx: Any,
) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "uploads/uploads.html",
        {
            "jobs": jobs.list_jobs(db, person_id),
            "own": own,
            "person_id": person_id,
            "limits": settings.upload_limits,
            **ctx,
        },
        status_code=status_code,
    )


@router.get("/uploads")
def uploads_page(
    request: Request, user: CurrentUser, db: DbDep, person: ViewedPersonId
) -> Response:
    return _page(request, db, person, person == user.person_id)


def _number(fields: dict[str, str], name: str, low: float, high: float, unit: str) -> float | None:
    text = fields.get(name, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{text!r} is not a number", where=name) from None
    if not low <= value <= high:
        raise InputError(f"must lie between {low:g} and {high:g} {unit}", where=name)
    return value


def _job_request(parsed: ParsedUpload) -> tuple[str, dict[str, Any]]:
    """The job kind and its options from the form (:class:`InputError` for a bad form)."""
    from backcare.camera.pipeline import CameraOptions

    fields = parsed.fields
    media = parsed.file("media_file")
    sensors = [f for name in ("thigh_file", "trunk_file", "arm_file") if (f := parsed.file(name))]
    if media is None and not sensors:
        raise InputError("choose a file to upload", where="file")
    if media is not None and sensors:
        raise InputError("upload sensor files and a video or photo separately", where="file")
    if media is not None:
        load_kg = _number(fields, "load_kg", 0.0, 500.0, "kg") or 0.0
        pitch = _number(fields, "camera_pitch_deg", -89.0, 89.0, "degrees")
        CameraOptions(load_kg=load_kg, camera_pitch_deg=pitch)  # the pipeline's own checks
        return "camera", CameraJobOptions(media.path, load_kg, pitch).to_json()
    from backcare.api import wearable_options

    paths = {f.field.removesuffix("_file"): f.path for f in sensors}

    def text(name: str) -> str | None:
        return fields.get(name, "").strip() or None

    options = wearable_options(
        thigh=paths.get("thigh"),
        trunk=paths.get("trunk"),
        arm=paths.get("arm"),
        trunk_placement=text("trunk_placement") or "back",
        arm_side=text("arm_side") or "right",
        thigh_axes=text("thigh_axes"),
        trunk_axes=text("trunk_axes"),
        arm_axes=text("arm_axes"),
        thigh_sensor=text("thigh_sensor"),
        trunk_sensor=text("trunk_sensor"),
        arm_sensor=text("arm_sensor"),
        work_hours=text("work_hours"),
        reference=text("reference"),
    )
    return "wearable", options.to_json()


@router.post("/uploads")
@streamed_upload
async def upload(request: Request, user: CurrentUser, db: DbDep, settings: SettingsDep) -> Response:
    """Receive the form as a stream (see :mod:`backcare.web.intake`) and queue a job."""
    folder = person_dir(settings.data_dir, user.person_id, create=True)
    limits = settings.upload_limits.model_dump()
    try:
        parsed = await receive_upload(
            request, folder / "uploads", limits, csrf_token=resolve_auth(request).csrf_token
        )
    except UploadError as exc:
        await _drain(request)
        return _page(request, db, user.person_id, True, status_code=exc.status_code, error=str(exc))
    try:
        job_id = await anyio.to_thread.run_sync(_queue, db, user.person_id, folder, parsed)
    except InputError as exc:
        for stored in parsed.files:
            stored.path.unlink(missing_ok=True)
        return _page(request, db, user.person_id, True, status_code=400, error=str(exc))
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _queue(db: Any, person_id: int, folder: Path, parsed: ParsedUpload) -> int:
    """Record the stored files and queue their job; returns the job id."""
    kind, params = _job_request(parsed)
    for stored in parsed.files:
        uploads.add_upload(
            db,
            person_id,
            kind=stored.kind,
            original_name=stored.original_name,
            stored_path=str(stored.path),
            size_bytes=stored.size_bytes,
            content_type=stored.content_type,
            sha256=stored.sha256,
        )
    params["names"] = {str(f.path): f.original_name for f in parsed.files}
    job = jobs.create_job(
        db,
        person_id,
        kind=kind,
        inputs=[str(f.path) for f in parsed.files],
        params=params,
        output_dir=str(folder / "jobs" / secrets.token_hex(8)),
    )
    return job.id


_DRAIN_BYTES = 16 * 1024 * 1024


async def _drain(request: Request) -> None:
    """Read and drop a little more of a refused body (up to 16 MiB), so that a browser still
    sending it reads the answer instead of a reset connection; nothing is kept."""
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > _DRAIN_BYTES:
                return
    except Exception:  # the stream may already be closed or consumed
        return


def _viewable_job(db: Any, user: Any, job_id: int) -> jobs.JobRecord:
    job = jobs.get_job(db, job_id)
    if job is None:
        raise HTTPException(404, "Not found.")
    viewable_person(user, job.person_id)
    return job


def _names(job: jobs.JobRecord) -> list[str]:
    names = job.params.get("names")
    if isinstance(names, dict) and names:
        return [str(v) for v in names.values()]
    return [Path(p).name for p in job.inputs]


def _job_context(job: jobs.JobRecord) -> dict[str, Any]:
    return {
        "job": job,
        "names": _names(job),
        "percent": round(100 * job.progress),
        "finished": job.status in ("done", "failed"),
        "cancellable": job.status in ("queued", "running"),
    }


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: int, user: CurrentUser, db: DbDep) -> Response:
    job = _viewable_job(db, user, job_id)
    return render(request, "uploads/job.html", _job_context(job))


@router.post("/jobs/{job_id}/cancel")
def job_cancel(request: Request, job_id: int, user: CurrentUser, db: DbDep) -> Response:
    """The owner stops a queued or running job (a running analysis is killed within a second)."""
    job = _viewable_job(db, user, job_id)
    writable_person(user, job.person_id)
    reason = "cancelled by you"
    for state in ("queued", "running"):
        if job_queue.fail(db, job.id, reason=reason, now=now_utc(), expected=state):
            break
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}/status")
def job_status(request: Request, job_id: int, user: CurrentUser, db: DbDep) -> Response:
    """The status panel alone (what htmx swaps in every second)."""
    job = _viewable_job(db, user, job_id)
    return render(request, "uploads/_status.html", _job_context(job))


@router.get("/results/{job_id}")
def result_page(request: Request, job_id: int, user: CurrentUser, db: DbDep) -> Response:
    job = _viewable_job(db, user, job_id)
    if job.status != "done":
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    sensors = job.params.get("sensors") if isinstance(job.params, dict) else None
    placements = [
        str(s.get("placement"))
        for s in (sensors or [])
        if isinstance(s, dict) and s.get("placement")
    ]
    view = result_view(job.output_dir, sensors=placements) if job.output_dir else None
    if view is None:
        raise HTTPException(404, "The results of this analysis are no longer on the server.")
    return render(
        request,
        "uploads/result.html",
        {**_job_context(job), "view": view, "people": _people(job)},
    )


# --- choosing the person in a camera analysis ------------------------------------------------


def _people(job: jobs.JobRecord) -> dict[str, Any] | None:
    """The people found in a finished camera job (``people.json`` and its preview), when it
    found more than one; else ``None``."""
    import json

    if job.kind != "camera" or not job.output_dir:
        return None
    view = result_view(job.output_dir)
    if view is None:
        return None
    links = {f.role: f for f in view.downloads}
    table_link, image_link = links.get("people_json"), links.get("people_image")
    if table_link is None or image_link is None:
        return None
    path = resolve_output_file(job.output_dir, table_link.name)
    try:
        table = json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None
    if not isinstance(table, dict) or len(table.get("people") or []) < 2:
        return None
    return {"image": image_link.name, **table}


@router.post("/results/{job_id}/person")
async def choose_person(request: Request, job_id: int, user: CurrentUser, db: DbDep) -> Response:
    """Analyse the same video or photo again for the person picked on the results page."""
    job = _viewable_job(db, user, job_id)
    writable_person(user, job.person_id)
    people = _people(job) if job.status == "done" else None
    if people is None or not job.output_dir:
        raise HTTPException(404, "Not found.")
    form = await request.form()
    raw = str(form.get("person", "")).strip()
    numbers = [int(p["number"]) for p in people["people"]]
    if not raw.isdigit() or int(raw) not in numbers:
        raise HTTPException(400, f"Choose one of the people numbered 1 to {len(numbers)}.")
    params = dict(job.params)
    params["person"] = int(raw)
    new = jobs.create_job(
        db,
        job.person_id,
        kind="camera",
        inputs=list(job.inputs),
        params=params,
        output_dir=str(Path(job.output_dir).parent / secrets.token_hex(8)),
    )
    return RedirectResponse(f"/jobs/{new.id}", status_code=303)


@router.get("/results/{job_id}/files/{name}")
def result_file(job_id: int, name: str, user: CurrentUser, db: DbDep) -> Response:
    """One output file; ranges are honoured (``Accept-Ranges: bytes``) so videos can seek."""
    job = _viewable_job(db, user, job_id)
    if job.status != "done":
        raise HTTPException(404, "Not found.")
    path = resolve_output_file(job.output_dir, name)
    if path is None:
        raise HTTPException(404, "Not found.")
    suffix = path.suffix.lower()
    media_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    if suffix == ".html":
        headers["Content-Security-Policy"] = _REPORT_CSP
        headers["X-Frame-Options"] = "SAMEORIGIN"
    disposition = "attachment" if suffix in _DOWNLOAD_SUFFIXES else "inline"
    return FileResponse(
        path,
        media_type=media_type,
        headers=headers,
        filename=f"backcare-job{job.id}-{name}",
        content_disposition_type=disposition,
    )


@seeder
def _demo_analysis(ctx: DemoContext) -> None:
    """A queued analysis of 30 simulated minutes of a thigh sensor on a working morning (an AX3
    file written by the simulator); the server's worker runs it as soon as it starts."""
    from datetime import datetime, time, timedelta

    from backcare.wearable.simulator import simulate_cwa, truth_path

    folder = person_dir(ctx.settings.data_dir, ctx.person_id, create=True)
    path = folder / "uploads" / f"{secrets.token_hex(16)}.cwa"
    path.parent.mkdir(parents=True, exist_ok=True)
    start = datetime.combine(ctx.now.date() - timedelta(days=1), time(9, 0))
    simulate_cwa(path, days=1800 / 86400, rate_hz=25, placement="thigh", seed=11, start=start)
    truth_path(path).unlink(missing_ok=True)  # the simulator's answer key is not an upload
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    uploads.add_upload(
        ctx.db,
        ctx.person_id,
        kind="wearable",
        original_name="demo-thigh.cwa",
        stored_path=str(path),
        size_bytes=path.stat().st_size,
        content_type="application/octet-stream",
        sha256=digest,
    )
    params = WearableJobOptions((SensorFile("thigh", path),)).to_json()
    params["names"] = {str(path): "demo-thigh.cwa"}
    jobs.create_job(
        ctx.db,
        ctx.person_id,
        kind="wearable",
        inputs=[str(path)],
        params=params,
        output_dir=str(folder / "jobs" / secrets.token_hex(8)),
    )
