"""PDF downloads of the pages people print: each is the very HTML the page shows, made into a PDF
by :func:`backcare.report.pdf.html_to_pdf` (WeasyPrint in a child process, nothing fetched).

* ``GET /assessments/{id}/pdf`` -- an assessment's results (the person's summary);
* ``GET /people/{id}/summary/pdf`` -- the one-page summary of a person (the clinician's view);
* ``GET /results/{id}/pdf`` -- the camera or wearable report of a finished analysis.

Access is that of the page (the owner, or a clinician the person shares with; 404 otherwise).
Where WeasyPrint cannot run here the answer is 503 with the reason in plain words.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backcare.report.pdf import PdfError, html_to_pdf
from backcare.store import jobs
from backcare.web.deps import CurrentUser, DbDep, viewable_person
from backcare.web.results_view import resolve_output_file, result_view
from backcare.web.routes import assess, sharing
from backcare.web.templating import STATIC_DIR

__all__ = ["router"]

router = APIRouter()


def _pdf(page: Response | bytes, filename: str) -> Response:
    if isinstance(page, Response):
        if page.status_code != 200:
            return page
        html = bytes(page.body).decode("utf-8")
    else:
        html = page.decode("utf-8", errors="replace")
    try:
        pdf = html_to_pdf(html, static_dir=STATIC_DIR)
    except PdfError as exc:
        raise HTTPException(503, str(exc)) from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/assessments/{assessment_id}/pdf")
def assessment_pdf(request: Request, assessment_id: int, db: DbDep, user: CurrentUser) -> Response:
    page = assess.results(request, assessment_id, db, user)
    return _pdf(page, f"backcare-assessment-{assessment_id}.pdf")


@router.get("/people/{person_id}/summary/pdf")
def summary_pdf(request: Request, person_id: int, user: CurrentUser, db: DbDep) -> Response:
    page = sharing.summary_response(request, user, db, person_id)
    return _pdf(page, f"backcare-summary-{person_id}.pdf")


@router.get("/results/{job_id}/pdf")
def report_pdf(job_id: int, user: CurrentUser, db: DbDep) -> Response:
    job = jobs.get_job(db, job_id)
    if job is None:
        raise HTTPException(404, "Not found.")
    viewable_person(user, job.person_id)
    if job.status != "done":
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    view = result_view(job.output_dir) if job.output_dir else None
    if view is None or view.report is None:
        raise HTTPException(404, "This analysis has no report.")
    path = resolve_output_file(job.output_dir, view.report.name)
    if path is None:
        raise HTTPException(404, "The report of this analysis is no longer on the server.")
    return _pdf(path.read_bytes(), f"backcare-report-{job_id}.pdf")
