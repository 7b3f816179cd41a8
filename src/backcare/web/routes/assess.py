"""The assessment wizard (``/assess``), results (``/assessments/{id}``) and the list of past
assessments (``/assessments``).

The wizard's pages come from :mod:`backcare.web.wizard`; its state is a draft row per person
(:mod:`backcare.store.drafts`), so a reload or another tab continues where the person was. Each
page is a plain form (works without JavaScript); htmx boosts it, and on the emergency page every
answer is checked as it is given, so an emergency interrupts at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from backcare.clinical.answers import triage_knowledge
from backcare.clinical.assessment import AssessmentResult, assess, compare
from backcare.clinical.facts import VERDICT_LABELS as CLAIM_VERDICT_LABELS
from backcare.clinical.instruments import ChangeResult, InstrumentResult, instrument
from backcare.errors import InputError
from backcare.store.assessments import ScoreRow, list_assessments, save_assessment
from backcare.store.db import Database
from backcare.store.drafts import clear_draft, load_draft, save_draft
from backcare.store.profiles import get_assessment
from backcare.store.text_packs import active_packs
from backcare.web.citations import References
from backcare.web.deps import CurrentUser, DbDep, OwnPersonId, ViewedPersonId, viewable_person
from backcare.web.templating import render
from backcare.web.wizard import (
    UNIT_SUFFIX,
    UNKNOWN,
    Draft,
    Outcome,
    Packs,
    Step,
    current_step,
    go_back,
    prefill,
    submit,
)

__all__ = ["router"]

router = APIRouter()

URGENCY_CLASS = {
    "emergency": "urgency-emergency",
    "same_day": "urgency-same-day",
    "within_week": "urgency-week",
    "routine": "urgency-routine",
    "self_care": "urgency-self-care",
}


def own_measures_view(own: dict[str, Any]) -> list[tuple[str, str]]:
    """backcare's own everyday answers as (what was asked, the answer) in plain words."""
    items = {i.id: i for i in triage_knowledge().answers}
    out: list[tuple[str, str]] = []
    for key, value in own.items():
        item = items.get(key)
        if item is None:
            continue
        label = item.short or item.text
        if value is None:
            answer = "Don't know"
        elif isinstance(value, bool):
            answer = "Yes" if value else "No"
        elif item.labels and item.minimum is not None and isinstance(value, int):
            answer = item.labels[value - int(item.minimum)]
        elif item.labels and item.choices and value in item.choices:
            answer = item.labels[item.choices.index(value)]
        else:
            answer = str(value)
        out.append((label, answer))
    return out


def unanswered_text(result: InstrumentResult) -> str:
    """The items left unanswered, by what they ask about (never item ids)."""
    doc = instrument(result.instrument)
    if doc.algorithm == "single_item" or not result.missing:
        return "none"
    topics = [doc.item(i).topic for i in result.missing]
    return f"{len(topics)}: " + ", ".join(topics)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _redirect(request: Request, url: str) -> Response:
    if _is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _step_page(
    request: Request,
    step: Step,
    draft: Draft,
    packs: Packs,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    shown = dict(prefill(step, draft, packs))
    shown.update(values or {})
    chosen = set(shown.get("instruments", "").split(",")) if step.kind == "select" else set()
    if errors and _is_htmx(request):
        status_code = 200  # htmx swaps only successful responses
    return render(
        request,
        "assess/step.html",
        {
            "step": step,
            "values": shown,
            "errors": errors or {},
            "chosen": chosen,
            "can_go_back": bool(draft.history),
            "emergency_watch": step.kind == "triage" and step.id.startswith("triage:emergency"),
            "unit_suffix": UNIT_SUFFIX,
        },
        status_code=status_code,
    )


def _finalize(db: Database, person_id: int, draft: Draft) -> int:
    answers: dict[str, Any] = dict(draft.answers)
    result = assess(answers)
    stored = save_assessment(
        db,
        person_id,
        answers=answers,
        result=result.model_dump(mode="json"),
        urgency=result.triage.urgency,
        phase=result.phase.phase if result.phase else None,
        scores=[ScoreRow(k, r.total, r.category) for k, r in result.scores.items()],
        knowledge_version=result.knowledge_version,
    )
    clear_draft(db, person_id)
    return stored.id


@router.get("/assess")
def wizard(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    draft = Draft.from_json(load_draft(db, person_id))
    packs = active_packs(db)
    return _step_page(request, current_step(draft, packs), draft, packs)


def _apply(db: Database, person_id: int, form: FormData) -> tuple[Outcome, Packs]:
    draft = Draft.from_json(load_draft(db, person_id))
    packs = active_packs(db)
    outcome = submit(draft, str(form.get("step", "")), form, packs)
    return outcome, packs


@router.post("/assess")
async def wizard_submit(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    form = await request.form()
    outcome, packs = await run_in_threadpool(_apply, db, person_id, form)
    new = outcome.draft
    if outcome.errors:
        await run_in_threadpool(save_draft, db, person_id, new.to_json())
        return _step_page(
            request,
            current_step(new, packs),
            new,
            packs,
            values=outcome.raw,
            errors=outcome.errors,
            status_code=422,
        )
    if outcome.emergency or outcome.finished:
        try:
            assessment_id = await run_in_threadpool(_finalize, db, person_id, new)
        except InputError as exc:
            await run_in_threadpool(save_draft, db, person_id, new.to_json())
            where = exc.where or "form"
            return _step_page(
                request,
                current_step(new, packs),
                new,
                packs,
                values=outcome.raw,
                errors={where: exc.problem, "form": exc.problem},
                status_code=422,
            )
        return _redirect(request, f"/assessments/{assessment_id}")
    await run_in_threadpool(save_draft, db, person_id, new.to_json())
    return _redirect(request, "/assess")


def _check(db: Database, person_id: int, form: FormData) -> int | None:
    """Keep the page's valid answers; store and end the assessment if they show an emergency."""
    draft = Draft.from_json(load_draft(db, person_id))
    step = current_step(draft)
    if step.kind != "triage" or form.get("step") != step.id:
        return None
    given = {f.id: str(form.get(f.id, "")) for f in step.fields}
    # Questions not answered yet count as "don't know" for this check only (never stored).
    trial = submit(draft, step.id, {k: v or UNKNOWN for k, v in given.items()})
    if trial.emergency:
        return _finalize(db, person_id, trial.draft)
    kept = Draft.from_json(draft.to_json())
    for f in step.fields:
        if given[f.id] and f.id not in trial.errors and f.id in trial.draft.answers:
            kept.answers[f.id] = trial.draft.answers[f.id]
    save_draft(db, person_id, kept.to_json())
    return None


@router.post("/assess/check")
async def wizard_check(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    """htmx: called as answers change on a triage page; 204, or a redirect to the emergency."""
    form = await request.form()
    found = await run_in_threadpool(_check, db, person_id, form)
    if found is None:
        return Response(status_code=204)
    return _redirect(request, f"/assessments/{found}")


@router.post("/assess/back")
def wizard_back(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    draft = Draft.from_json(load_draft(db, person_id))
    save_draft(db, person_id, go_back(draft).to_json())
    return _redirect(request, "/assess")


@router.post("/assess/restart")
def wizard_restart(request: Request, db: DbDep, person_id: OwnPersonId) -> Response:
    clear_draft(db, person_id)
    return _redirect(request, "/assess")


@router.get("/assessments/{assessment_id}")
def results(request: Request, assessment_id: int, db: DbDep, user: CurrentUser) -> Response:
    stored = get_assessment(db, assessment_id)
    if stored is None:
        raise HTTPException(404, "Not found.")
    viewable_person(user, stored.person_id)
    result = AssessmentResult.model_validate(stored.result)
    named = {u.id for u in result.triage.unchecked_signs}
    context = {
        "stored": stored,
        "result": result,
        "refs": References(),
        "urgency_class": URGENCY_CLASS.get(result.triage.urgency, ""),
        "own": stored.person_id == user.person_id,
        # unknown checks whose questions are already listed as unchecked warning signs
        "raised_ids": [u.id for u in result.triage.unknown if set(u.missing) <= named],
        "own_measures": own_measures_view(result.own_measures),
        "claim_labels": CLAIM_VERDICT_LABELS,
        "unanswered": {k: unanswered_text(r) for k, r in result.scores.items()},
    }
    if result.plan.status == "emergency":
        return render(request, "assess/emergency.html", context)
    return render(request, "assess/results.html", context)


@router.get("/assessments")
def history(request: Request, db: DbDep, user: CurrentUser, person_id: ViewedPersonId) -> Response:
    rows = list_assessments(db, person_id)
    items: list[dict[str, Any]] = []
    previous: AssessmentResult | None = None
    for row in rows:
        result = AssessmentResult.model_validate(row.result)
        changes: dict[str, ChangeResult] = compare(previous, result) if previous else {}
        items.append({"row": row, "result": result, "changes": changes})
        if result.scores:
            previous = result
    items.reverse()
    return render(
        request,
        "assess/history.html",
        {"items": items, "person_id": person_id, "own": person_id == user.person_id},
    )
