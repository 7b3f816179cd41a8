"""``/progress``: charts over time of pain (diary), questionnaire scores with meaningful-change
markers, and posture exposure from the posture sessions; each with a table of the same numbers."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from backcare.report.progress import (
    ExposureDay,
    PainPoint,
    ScoreSeries,
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

#: Charts are pure functions of their (hashable) data: the same data is drawn once. Drawing the
#: three charts costs about half a second, so repeated views of unchanged data come from here.
_CACHE_SIZE = 256


@lru_cache(maxsize=_CACHE_SIZE)
def _pain_svg(points: tuple[PainPoint, ...]) -> str:
    return pain_chart(points)


@lru_cache(maxsize=_CACHE_SIZE)
def _scores_svg(series: tuple[ScoreSeries, ...]) -> str:
    return scores_chart(series)


@lru_cache(maxsize=_CACHE_SIZE)
def _exposure_svg(days: tuple[ExposureDay, ...]) -> str:
    return exposure_chart(days)


@router.get("/progress")
def progress(request: Request, db: DbDep, user: CurrentUser, person_id: ViewedPersonId) -> Response:
    pain = pain_points(list_entries(db, person_id))
    rows = score_rows(list_assessments(db, person_id))
    series = score_series(rows)
    days = exposure_days(list_posture_sessions(db, person_id))
    return render(
        request,
        "progress/progress.html",
        {
            "pain": pain,
            "pain_svg": Markup(_pain_svg(tuple(pain))) if pain else None,
            "rows": rows,
            "scores_svg": Markup(_scores_svg(tuple(series))) if series else None,
            "days": days,
            "exposure_svg": Markup(_exposure_svg(tuple(days))) if days else None,
            "legend": mic_legend(),
            "own": person_id == user.person_id,
            "person_id": person_id,
        },
    )
