"""From stored rows to chart inputs: pain points, scores with MIC classes, daily exposure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from backcare.clinical.assessment import assess
from backcare.web.progress_data import exposure_days, pain_points, score_rows, score_series
from backcare.web.wizard import Draft, current_step, go_back, submit


@dataclass(frozen=True)
class Session:
    started_at: datetime
    duration_s: float
    summary: dict[str, Any] = field(default_factory=dict)


def test_exposure_is_summed_per_day_and_split_over_midnight():
    sessions = [
        Session(datetime(2026, 3, 1, 9, tzinfo=UTC), 3600, {"trunk_fwd_time_s": {"20": 600}}),
        Session(datetime(2026, 3, 1, 14, tzinfo=UTC), 1800, {"trunk_fwd_time_s": {"20.0": 300}}),
        # 18:00 to 06:00: half on each day
        Session(
            datetime(2026, 3, 1, 18, tzinfo=UTC),
            12 * 3600,
            {"trunk_fwd_time_s": {"20": 1200, "60": 240}, "sit_time_s": 7200},
        ),
        Session(datetime(2026, 3, 5, 9, tzinfo=UTC), 60, {"measured_time_s": 60}),  # nothing
    ]
    days = exposure_days(sessions)
    assert [d.day for d in days] == [date(2026, 3, 1), date(2026, 3, 2)]
    first, second = days
    assert first.trunk_ge20_min == pytest.approx((600 + 300 + 600) / 60)
    assert first.trunk_ge60_min == pytest.approx(2.0)
    assert first.sitting_min == pytest.approx(60.0)
    assert second.trunk_ge20_min == pytest.approx(10.0)
    assert second.sitting_min == pytest.approx(60.0)


def test_exposure_ignores_unmeasured_and_malformed_values():
    days = exposure_days(
        [
            Session(
                datetime(2026, 3, 1, tzinfo=UTC),
                60,
                {"trunk_fwd_time_s": {"20": None, "x": 5}, "sit_time_s": -3},
            )
        ]
    )
    assert days == []


@dataclass(frozen=True)
class Stored:
    id: int
    created_at: datetime
    result: dict[str, Any]


def test_scores_are_classified_against_the_previous_score_of_the_same_instrument():
    high = {f"odi.{i}": 4 for i in range(1, 11)}
    low = {f"odi.{i}": 1 for i in range(1, 11)}
    rows = score_rows(
        [
            Stored(3, datetime(2026, 3, 1), assess({**low, "nrs.average_week": 2}).model_dump()),
            Stored(1, datetime(2026, 1, 1), assess(high).model_dump()),
            Stored(2, datetime(2026, 2, 1), assess({"nrs.average_week": 6}).model_dump()),
        ]
    )
    odi = [r for r in rows if r.instrument == "odi"]
    assert [r.assessment_id for r in odi] == [1, 3]
    assert odi[0].change is None
    assert odi[1].change is not None
    assert odi[1].change.classification == "improved"
    nrs = [r for r in rows if r.instrument == "nrs"]
    assert nrs[1].change is not None
    assert nrs[1].change.classification == "improved"  # 6 -> 2 is more than 2 points
    series = {s.instrument: s for s in score_series(rows)}
    assert series["odi"].unit == "%"
    assert (series["odi"].low, series["odi"].high) == (0.0, 100.0)
    assert [p.change for p in series["odi"].points] == [None, "improved"]


def test_backcares_own_everyday_limits_are_tracked_and_named_as_such():
    rows = score_rows(
        [
            Stored(1, datetime(2026, 1, 1), assess({"self.limits": 3}).model_dump()),
            Stored(2, datetime(2026, 2, 1), assess({"self.limits": 1}).model_dump()),
        ]
    )
    own = [r for r in rows if r.instrument == "self.limits"]
    assert [r.total for r in own] == [3.0, 1.0]
    assert all(r.change is None for r in own)  # not a validated score: no MIC rule
    assert "backcare's own question" in own[0].label
    (series,) = [s for s in score_series(rows) if s.instrument == "self.limits"]
    assert (series.low, series.high) == (0, 4)


@dataclass(frozen=True)
class Entry:
    day: date
    pain_nrs: int | None


def test_pain_points_skip_days_without_a_rating():
    points = pain_points([Entry(date(2026, 1, 2), 3), Entry(date(2026, 1, 1), None)])
    assert [(p.day, p.nrs) for p in points] == [(date(2026, 1, 2), 3.0)]


def _answer_all(step, value="no"):
    form = {}
    for f in step.fields:
        if f.kind == "boolean":
            form[f.id] = value
        elif f.kind in ("choice", "scale"):
            form[f.id] = f.choices[0][0]
        elif f.kind == "duration":
            form[f.id] = "30"
            form[f.id + "__unit"] = "weeks"
        else:
            form[f.id] = "30"
    return form


def test_wizard_drops_answers_of_questions_that_no_longer_apply():
    draft = Draft()
    step = current_step(draft)
    form = _answer_all(step)
    form["pain.region"] = "neck"
    draft = submit(draft, step.id, form).draft
    # walk to a page with neck-only questions and answer them
    for _ in range(15):
        step = current_step(draft)
        if any(f.id == "triage.hand_clumsiness" for f in step.fields):
            break
        draft = submit(draft, step.id, _answer_all(step)).draft
    assert any(f.id == "triage.hand_clumsiness" for f in step.fields)
    draft = submit(draft, step.id, _answer_all(step)).draft
    assert draft.answers["triage.hand_clumsiness"] is False
    # go back to the first page and change the region: the neck answers vanish
    while draft.history:
        draft = go_back(draft)
    step = current_step(draft)
    form = _answer_all(step)
    form["pain.region"] = "low_back"
    draft = submit(draft, step.id, form).draft
    assert "triage.hand_clumsiness" not in draft.answers


def test_wizard_ignores_a_stale_page_and_round_trips_as_json():
    draft = Draft()
    step = current_step(draft)
    out = submit(draft, "triage:old:page", _answer_all(step))
    assert out.errors == {}
    assert out.draft.answers == {}
    moved = submit(draft, step.id, _answer_all(step)).draft
    assert Draft.from_json(moved.to_json()) == moved
    assert current_step(Draft.from_json(moved.to_json())).id == current_step(moved).id
