"""Licensed questionnaire wording for the clinic (``/text-packs``): clinician accounts only.

A clinician uploads a text pack file (``docs/text-packs.md``); it is validated against the
instrument and stored as the instrument's new version with who installed it. From then on the
assessment wizard shows that questionnaire to everyone on this server, item by item, as its
wording with one radio button per answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from backcare.clinical.instruments import instrument, instrument_ids
from backcare.errors import InputError
from backcare.io.textpack import MAX_PACK_BYTES, parse_text_pack
from backcare.store.text_packs import install_pack, list_packs, withdraw_pack
from backcare.web.deps import CurrentUser, DbDep, body_limit, require_role
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(require_role("clinician"))])


def _page(request: Request, db: DbDep, status_code: int = 200, **ctx: object) -> Response:
    names = {i: instrument(i).name for i in instrument_ids()}
    return render(
        request,
        "text_packs/packs.html",
        {"packs": list_packs(db), "names": names, "max_kb": MAX_PACK_BYTES // 1024, **ctx},
        status_code=status_code,
    )


@router.get("/text-packs")
def packs(request: Request, db: DbDep) -> Response:
    return _page(request, db)


@router.post("/text-packs")
@body_limit(MAX_PACK_BYTES + 16 * 1024)  # the file plus the form's framing
async def upload_pack(request: Request, db: DbDep, user: CurrentUser) -> Response:
    form = await request.form()
    upload = form.get("pack")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InputError("choose a text pack file (.yaml) to upload", where="pack")
        data = await upload.read(MAX_PACK_BYTES + 1)
        if len(data) > MAX_PACK_BYTES:
            raise InputError(f"a text pack is at most {MAX_PACK_BYTES // 1024} KB", where="pack")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the file is not UTF-8 text", where="pack") from None
        pack = parse_text_pack(text, where="the uploaded file")
    except InputError as exc:
        return _page(request, db, 400, error=str(exc))
    installed = install_pack(db, pack, installed_by=user.email, user_id=user.id)
    return _page(request, db, 200, installed=installed)


@router.post("/text-packs/withdraw")
async def withdraw(request: Request, db: DbDep) -> Response:
    form = await request.form()
    which = str(form.get("instrument", ""))
    if which in instrument_ids():
        withdraw_pack(db, which)
    return RedirectResponse("/text-packs", status_code=303)
