"""From stored rows to the progress charts' inputs and tables (pure: no database, no clock).

* Pain: the diary's daily NRS.
* Scores: every instrument's totals over the assessments, each classified against the previous
  assessment that scored the same instrument with ``classify_change`` (the instrument's minimal
  important change).
* Exposure: the posture sessions' summaries (``trunk_fwd_time_s`` keyed by band threshold in
  degrees, ``sit_time_s``) summed per UTC day. A session that spans several days is shared out in
  proportion to its time on each day, since its summary holds only totals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from backcare.clinical.assessment import AssessmentResult
from backcare.clinical.instruments import ChangeResult, classify_change, instrument
from backcare.report.progress import ExposureDay, PainPoint, ScorePoint, ScoreSeries

__all__ = [
    "ScoreRow",
    "exposure_days",
    "pain_points",
    "score_rows",
    "score_series",
]

#: The exposure chart's two trunk-inclination bands [deg].
TRUNK_BANDS = (20.0, 60.0)


class _Diary(Protocol):
    @property
    def day(self) -> date: ...
    @property
    def pain_nrs(self) -> int | None: ...


class _Assessment(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def result(self) -> dict[str, Any]: ...


class _Session(Protocol):
    @property
    def started_at(self) -> datetime: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def summary(self) -> dict[str, Any]: ...


def pain_points(entries: Iterable[_Diary]) -> list[PainPoint]:
    """Diary days with a pain rating, oldest first."""
    return sorted(
        (PainPoint(e.day, float(e.pain_nrs)) for e in entries if e.pain_nrs is not None),
        key=lambda p: p.day,
    )


@dataclass(frozen=True)
class ScoreRow:
    """One instrument score of one assessment, with its change from the previous one."""

    assessment_id: int
    when: datetime
    instrument: str
    label: str
    total: float
    unit: str
    category: str | None
    change: ChangeResult | None


def _results(assessments: Iterable[_Assessment]) -> list[tuple[_Assessment, AssessmentResult]]:
    out = []
    for a in sorted(assessments, key=lambda a: (_aware(a.created_at), a.id)):
        out.append((a, AssessmentResult.model_validate(a.result)))
    return out


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


#: backcare's own everyday questions tracked over time: id -> (label, lowest, highest). They are
#: not validated scores, so no meaningful-change rule applies; the label says so.
OWN_MEASURES: dict[str, tuple[str, float, float]] = {
    "self.limits": (
        "Everyday limits (backcare's own question, 0 = none, 4 = could hardly do anything)",
        0,
        4,
    ),
}


def score_rows(assessments: Iterable[_Assessment]) -> list[ScoreRow]:
    """Every score of every assessment, oldest first, with the meaningful-change class; then
    backcare's own measures (no change class: they are not validated scores)."""
    rows: list[ScoreRow] = []
    previous: dict[str, Any] = {}
    for stored, result in _results(assessments):
        for key, (label, _low, _high) in OWN_MEASURES.items():
            value = result.own_measures.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                rows.append(
                    ScoreRow(
                        assessment_id=stored.id,
                        when=_aware(stored.created_at),
                        instrument=key,
                        label=label,
                        total=float(value),
                        unit="points",
                        category=None,
                        change=None,
                    )
                )
        for name, res in result.scores.items():
            doc = instrument(name)
            prior = previous.get(name)
            change = classify_change(name, prior, res) if prior is not None else None
            previous[name] = res
            rows.append(
                ScoreRow(
                    assessment_id=stored.id,
                    when=_aware(stored.created_at),
                    instrument=name,
                    label=doc.short_name,
                    total=res.total,
                    unit="%" if doc.total_kind == "percent_of_max" else "points",
                    category=res.category_label or res.category,
                    change=change,
                )
            )
    return rows


def score_series(rows: Iterable[ScoreRow]) -> list[ScoreSeries]:
    """One chart series per instrument (in first-scored order)."""
    grouped: dict[str, list[ScoreRow]] = {}
    for row in rows:
        grouped.setdefault(row.instrument, []).append(row)
    out = []
    for name, items in grouped.items():
        if name in OWN_MEASURES:
            label, low, high = OWN_MEASURES[name]
            out.append(
                ScoreSeries(
                    instrument=name,
                    label=label,
                    low=low,
                    high=high,
                    unit="points",
                    points=tuple(ScorePoint(r.when, r.total, None) for r in items),
                    higher_is_worse=True,
                )
            )
            continue
        doc = instrument(name)
        low, high = doc.scale_range("total")
        out.append(
            ScoreSeries(
                instrument=name,
                label=doc.short_name,
                low=low,
                high=high,
                unit=items[0].unit,
                points=tuple(
                    ScorePoint(
                        r.when, r.total, r.change.classification if r.change is not None else None
                    )
                    for r in items
                ),
                higher_is_worse=doc.higher_is_worse,
            )
        )
    return out


def _band_seconds(summary: Mapping[str, Any], band: float) -> float | None:
    table = summary.get("trunk_fwd_time_s")
    if not isinstance(table, Mapping):
        return None
    for key, value in table.items():
        try:
            threshold = float(key)
        except (TypeError, ValueError):
            continue
        if threshold == band:
            return _seconds(value)
    return None


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _day_shares(start: datetime, duration_s: float) -> list[tuple[date, float]]:
    """The fraction of a session on each UTC calendar day it touches."""
    start = _aware(start).astimezone(UTC)
    if duration_s <= 0:
        return [(start.date(), 1.0)]
    end = start + timedelta(seconds=duration_s)
    shares = []
    cursor = start
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), UTC)
        stop = min(midnight, end)
        shares.append((cursor.date(), (stop - cursor).total_seconds() / duration_s))
        cursor = stop
    return shares


def exposure_days(sessions: Iterable[_Session]) -> list[ExposureDay]:
    """Minutes per UTC day with the trunk at or above 20 and 60 degrees forward, and sitting
    minutes, summed over the sessions that measured them (``None`` where none did)."""
    totals: dict[date, dict[str, float]] = {}
    for s in sessions:
        summary = s.summary or {}
        values = {
            "ge20": _band_seconds(summary, TRUNK_BANDS[0]),
            "ge60": _band_seconds(summary, TRUNK_BANDS[1]),
            "sit": _seconds(summary.get("sit_time_s")),
        }
        if all(v is None for v in values.values()):
            continue
        for day, share in _day_shares(s.started_at, float(s.duration_s or 0.0)):
            slot = totals.setdefault(day, {})
            for key, seconds in values.items():
                if seconds is not None:
                    slot[key] = slot.get(key, 0.0) + seconds * share
    out = []
    for day in sorted(totals):
        slot = totals[day]

        def minutes(key: str, slot: dict[str, float] = slot) -> float | None:
            return round(slot[key] / 60.0, 1) if key in slot else None

        out.append(ExposureDay(day, minutes("ge20"), minutes("ge60"), minutes("sit")))
    return out
