"""``/progress``: charts over time of pain (diary), questionnaire scores with meaningful-change
markers, and posture exposure from the posture sessions; each with a table of the same numbers.

Every chart of the page covers one date range chosen by the reader (``?range=2w|3m|all``,
default the last 3 months), ending today (UTC); nothing after today is drawn. The charts are
plain SVG drawn per request (well under a millisecond each; see :mod:`backcare.report.progress`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from backcare.report.progress import (
    DATE_RANGES,
    date_window,
    exposure_chart,
    mic_legend,
    pain_chart,
    scores_chart,
)
from backcare.store.assessments import list_assessments
from backcare.store.diary import list_entries
from backcare.store.posture_sessions import list_posture_sessions
from backcare.web.deps import CurrentUser, DbDep, ViewedPersonId
from backcare.web.progress_data import exposure_days, pain_points, score_rows, score_series
from backcare.web.templating import render

__all__ = ["router"]

router = APIRouter()


@router.get("/progress")
def progress(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    person_id: ViewedPersonId,
    range: str | None = None,
) -> Response:
    today = datetime.now(UTC).date()
    pain = pain_points(list_entries(db, person_id))
    rows = score_rows(list_assessments(db, person_id))
    series = score_series(rows)
    days = exposure_days(list_posture_sessions(db, person_id))
    firsts = [p.day for p in pain[:1]] + [d.day for d in days[:1]]
    firsts += [r.when.date() for r in rows[:1]]
    window = date_window(range, today, min(firsts) if firsts else None)
    pain_shown = [p for p in pain if p.day in window]
    rows_shown = [r for r in rows if r.when in window]
    days_shown = [d for d in days if d.day in window]
    return render(
        request,
        "progress/progress.html",
        {
            "window": window,
            "ranges": [(key, words) for key, (words, _) in DATE_RANGES.items()],
            "pain": pain_shown,
            "pain_any": bool(pain),
            "pain_svg": Markup(pain_chart(pain_shown, window=window)) if pain_shown else None,
            "rows": rows_shown,
            "rows_any": bool(rows),
            "scores_svg": (
                Markup(scores_chart(series, window=window)) if series and rows_shown else None
            ),
            "days": days_shown,
            "days_any": bool(days),
            "exposure_svg": (
                Markup(exposure_chart(days, window=window)) if days and days_shown else None
            ),
            "legend": mic_legend(),
            "own": person_id == user.person_id,
            "person_id": person_id,
        },
    )
