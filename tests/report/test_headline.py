"""The person's first screen of a result: one sentence, three takeaways with what to change, and
plain advice where part of the result could not be computed."""

from __future__ import annotations

import re
from datetime import date

from backcare.knowledge.exposure import thresholds
from backcare.report.headline import (
    camera_headline,
    disc_dose_standing_hours,
    duration_words,
    result_headline,
    wearable_headline,
)
from backcare.report.labels import label

#: A snake_case code, an enum-looking token or a missing number must never reach the reader.
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\bnan\b|\bNone\b|\bNaN\b")


def _text(h) -> str:
    parts = [h.sentence]
    parts += [f"{t.text} {t.action}" for t in h.takeaways]
    parts += [f"{a.problem} {a.fix}" for a in h.missing]
    return " ".join(parts)


OFFICE_DAY = {
    "days": 1,
    "measured_time_s": 9.0 * 3600,
    "sit_time_s": 6.5 * 3600,
    "long_sedentary_bouts": 3,
    "long_sedentary_time_s": 2 * 3600 + 600,
    "sedentary_breaks": 12,
    "trunk_time_s": 9.0 * 3600,
    "trunk_fwd_time_s": {"20": 1800.0, "60": 420.0},
    "trunk_fwd_longest_s": 95.0,
    "iso": {
        "trunk": {"verdict": "acceptable"},
        "upper_arm": {"verdict": "not_recommended", "not_recommended_time_s": 900.0},
    },
    "disc_dose_mpa_h_per_day": 5.0,
}


def test_duration_words():
    assert duration_words(40) == "40 s"
    assert duration_words(25 * 60) == "25 min"
    assert duration_words(2 * 3600 + 600) == "2 h 10 min"
    assert duration_words(3 * 3600) == "3 h"
    assert duration_words(float("nan")) == "an unknown time"
    assert duration_words(None) == "an unknown time"


def test_wearable_headline_names_the_day_sitting_and_longest_spells():
    h = wearable_headline(OFFICE_DAY, day=date(2026, 12, 1))  # a Tuesday
    assert h.sentence.startswith("On Tuesday you sat for 6.5 hours of 9 hours measured")
    assert "3 of those spells lasting over 30 min" in h.sentence
    assert "2 h 10 min in all" in h.sentence
    assert len(h.takeaways) == 3
    assert all(t.action for t in h.takeaways)
    first = h.takeaways[0]
    assert "20° or more for 30 min" in first.text
    assert "60° or more for 7 min" in first.text
    assert "waist height" in first.action  # 7 min of deep bends calls for a change
    assert h.complete
    assert not h.missing
    assert not RAW.search(_text(h)), _text(h)


def test_wearable_headline_reports_a_missing_trunk_sensor_with_what_to_do():
    thigh_only = {k: v for k, v in OFFICE_DAY.items() if not k.startswith("trunk")}
    h = wearable_headline(thigh_only, trunk_sensor=False)
    assert h.sentence.startswith("In this recording you sat")
    assert len(h.missing) == 1
    assert "only a thigh sensor" in h.missing[0].problem
    assert "between the shoulder blades" in h.missing[0].fix
    # no minutes of bending are made up
    assert not any("bent forward" in t.text for t in h.takeaways)


def test_wearable_headline_upper_arm_verdict_in_words():
    h = wearable_headline({**OFFICE_DAY, "trunk_fwd_time_s": {}}, trunk_sensor=True)
    arm = [t for t in h.takeaways if "upper arm" in t.text]
    assert arm
    assert "15 min" in arm[0].text
    assert "not_recommended" not in _text(h)


def test_wearable_headline_without_worn_time_is_not_complete():
    h = wearable_headline({"measured_time_s": 0})
    assert not h.complete
    assert h.missing
    assert "thigh" in h.missing[0].fix


def test_disc_dose_is_hours_of_standing_at_the_knowledge_reference():
    ref = thresholds().disc.standing_mpa
    assert disc_dose_standing_hours(ref * 4) == 4.0
    assert disc_dose_standing_hours(None) is None
    assert disc_dose_standing_hours(float("nan")) is None
    h = wearable_headline({**OFFICE_DAY, "iso": {}, "sedentary_breaks": None}, trunk_sensor=True)
    assert any("like 10.0 hours of relaxed standing" in t.text for t in h.takeaways)


PHOTO = {
    "input": "image",
    "angles": {
        "trunk_flexion": {"value": 42.0},
        "neck_flexion": {"value": 28.0},
        "upper_arm_elevation_left": {"value": 30.0},
        "knee_flexion_left": {"value": 85.0},
    },
    "reba": {"scored_fraction": 1.0, "max": 6, "median": 6, "peak_level": "medium"},
    "rula": {"scored_fraction": 1.0, "max": 5, "median": 5, "peak_level": "change soon"},
}


def test_camera_headline_of_a_full_photo():
    h = camera_headline(PHOTO)
    assert h.complete
    assert not h.missing
    assert h.sentence == (
        "In this photo your trunk is bent forward 42° and your neck 28°; REBA rates the posture "
        "medium risk (score 6)."
    )
    assert len(h.takeaways) == 3
    assert "Raise the screen" in h.takeaways[1].action
    assert not RAW.search(_text(h)), _text(h)


def test_photo_with_hips_out_of_view_is_not_done_and_says_how_to_retake():
    partial = {
        "input": "image",
        "angles": {
            "trunk_flexion": {"value": None},
            "neck_flexion": {"value": None},
            "head_inclination": {"value": 12.0},
            "upper_arm_elevation_left": {"value": None},
            "knee_flexion_left": {"value": None},
        },
        "reba": {"scored_fraction": 0.0},
        "rula": {"scored_fraction": 0.0},
    }
    h = camera_headline(partial)
    assert not h.complete
    assert h.sentence.startswith("Only part of your posture could be measured")
    assert "head leaning forward" in h.sentence
    problems = " ".join(a.problem for a in h.missing)
    assert "hips were not clearly in view" in problems
    assert "REBA and RULA" in problems
    assert all("whole body" in a.fix for a in h.missing)
    assert not RAW.search(_text(h)), _text(h)


def test_video_takeaway_uses_time_at_levels():
    video = {
        **PHOTO,
        "input": "video",
        "angles": {"trunk_flexion": {"median": 65.0}, "neck_flexion": {"median": 10.0}},
        "reba": {
            **PHOTO["reba"],
            "peak_level": "high",
            "max": 9,
            "time_in_levels": {
                "medium": {"seconds": 30, "fraction": 0.3},
                "high": {"seconds": 70, "fraction": 0.7},
            },
        },
    }
    h = camera_headline(video)
    assert "at the median" in h.sentence
    assert "worst moment high risk (score 9)" in h.sentence
    assert any("70 % of the time at high risk" in t.text for t in h.takeaways)
    assert "loads the lower back heavily" in h.takeaways[0].text


def test_result_headline_without_a_summary_is_not_done():
    h = result_headline("camera")
    assert not h.complete
    assert h.missing
    w = result_headline("wearable", session=OFFICE_DAY, sensors=["thigh"])
    assert w.missing  # a thigh-only job is told what a trunk sensor adds


def test_labels_are_words():
    assert label("acceptable_within_holding_time") == "acceptable within the holding time"
    assert label("upper_arm") == "upper arm"
    assert label("sit") == "sitting"
    assert label("something_new") == "something new"
    assert label(None) == ""


def test_a_recording_without_sitting_names_what_the_person_did():
    h = wearable_headline(
        {
            "days": 1,
            "measured_time_s": 1800.0,
            "sit_time_s": 0.0,
            "trunk_time_s": None,
            "disc_dose_mpa_h_per_day": 0.0,
            "activities": [
                {"activity": "stand", "hours": 0.32, "pct": 64.1},
                {"activity": "walk", "hours": 0.18, "pct": 35.9},
            ],
        },
        day=date(2026, 12, 2),
        trunk_sensor=False,
    )
    assert h.sentence == (
        "On Wednesday you were measured for 30 min and hardly sat: you were mostly standing "
        "(64 %) and walking (36 %)."
    )
    text = _text(h)
    assert "0 times" not in text
    assert "0.0 hours" not in text  # no disc load without a trunk sensor
    assert not RAW.search(text), text


def test_a_short_seated_session_is_not_called_standing():
    h = wearable_headline({"measured_time_s": 5.0, "sit_time_s": 5.0})
    assert h.sentence == "In this recording you sat for 5 s of 5 s measured."


def test_a_score_with_unseen_parts_leads_with_its_range():
    # the lowest end alone would read as the whole score (issue: partial scores shown as whole)
    photo = {
        **PHOTO,
        "reba": {
            **PHOTO["reba"],
            "max": 5,
            "score_max": 9,
            "level_max": "high",
        },
    }
    h = camera_headline(photo)
    assert "REBA rates the posture medium to high risk (score 5 to 9" in h.sentence
    assert "(score 5)" not in h.sentence
    same_level = {**photo, "reba": {**photo["reba"], "score_max": 7, "level_max": "medium"}}
    assert "medium risk (score 5 to 7" in camera_headline(same_level).sentence
    assert not RAW.search(_text(h)), _text(h)
