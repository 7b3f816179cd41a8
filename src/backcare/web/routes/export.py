"""``/export`` explains the three formats; ``/export/json``, ``/export/csv`` and
``/export/fhir`` download a person's data to take away.

A person exports their own data; a clinician may export, read-only, the data of someone who
shares with them (``?person=ID``).
"""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from backcare.web.deps import CurrentUser, DbDep, ViewedPersonId
from backcare.web.exports import csv_zip, fhir_bundle, person_export
from backcare.web.security import now_utc
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _stamp(person_id: int) -> str:
    return f"backcare-{person_id}-{now_utc().strftime('%Y%m%d')}"


@router.get("/export")
def export_page(request: Request, user: CurrentUser, person_id: ViewedPersonId) -> Response:
    """What each format holds and who it is for, with a download button each."""
    own = person_id == user.person_id
    return render(request, "export/export.html", {"own": own, "person_id": person_id})


@router.get("/export/json")
async def export_json(db: DbDep, person_id: ViewedPersonId) -> Response:
    data = await run_in_threadpool(person_export, db, person_id, now=now_utc())
    body = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    return _download(body, "application/json", f"{_stamp(person_id)}.json")


@router.get("/export/csv")
async def export_csv(db: DbDep, person_id: ViewedPersonId) -> Response:
    data = await run_in_threadpool(person_export, db, person_id, now=now_utc())
    body = await run_in_threadpool(csv_zip, data)
    return _download(body, "application/zip", f"{_stamp(person_id)}-csv.zip")


@router.get("/export/fhir")
async def export_fhir(db: DbDep, person_id: ViewedPersonId) -> Response:
    bundle = await run_in_threadpool(
        lambda: fhir_bundle(db, person_id, now=now_utc(), bundle_id=uuid.uuid4())
    )
    body = json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8")
    return _download(body, "application/fhir+json", f"{_stamp(person_id)}-fhir.json")
