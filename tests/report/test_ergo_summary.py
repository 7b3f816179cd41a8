"""The ergonomist's first page: ISO 11226 per region with the time behind it, action levels,
work hours against the rest of the day, the longest hold, the disc dose as hours of standing
and the data quality, in words."""

from __future__ import annotations

import re

from backcare.knowledge.exposure import thresholds
from backcare.report.ergo_summary import (
    action_level_words,
    calibration_words,
    camera_ergo_summary,
    wearable_ergo_summary,
)
from backcare.report.wearable import render_wearable_report
from tests.report.test_wearable_report import _analysis

RAW = re.compile(r"\b[a-z]+_[a-z0-9_]+\b|\bNaN\b|\bnan\b")


def _visible(html: str) -> str:
    text = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r'src="data:[^"]+"', "", text)
    return re.sub(r"<[^>]+>", " ", text)


def test_wearable_report_leads_with_the_ergonomist_summary():
    series, report = _analysis()  # thigh, back and upper-arm sensors; work hours 8-16
    html = render_wearable_report(series, report)
    first = html.index('id="summary-title"')
    assert first < html.index("<h2>Sensors</h2>")  # the summary comes before the details
    summary = _visible(html[first : html.index("<h2>Sensors</h2>")])
    assert "trunk" in summary
    assert "upper arm" in summary  # the upper-arm verdict, missing before
    assert re.search(r"upper arm\s+(not recommended|acceptable)", summary), summary
    assert re.search(r"neck\s+not measured", summary)
    assert "work hours" in summary
    assert "rest of the day" in summary
    assert "hours of standing relaxed" in summary
    assert "Wilke" in summary  # the standing reference is cited
    assert "calibration not applied: too few still moments" in summary
    assert "Longest static hold" in summary
    visible = _visible(html)
    assert not RAW.findall(visible), sorted(set(RAW.findall(visible)))
    assert "sphere" not in visible  # calibration internals are explained, not quoted


def test_region_rows_say_what_drives_the_verdict():
    summary = {
        "iso": {
            "trunk": {
                "verdict": "acceptable_within_holding_time",
                "violations": 0,
                "holding_zone_time_s": 1500.0,
                "not_recommended_time_s": 0.0,
            },
            "upper_arm": {
                "verdict": "not_recommended",
                "violations": 2,
                "holding_zone_time_s": 0.0,
                "not_recommended_time_s": 600.0,
            },
        },
        "measured_time_s": 8 * 3600.0,
        "sit_time_s": 4 * 3600.0,
        "trunk_fwd_time_s": {20.0: 3600.0, 60.0: 600.0},
        "holds": {"trunk": {"longest_s": 200.0}, "upper_arm": {"longest_s": 90.0}},
        "disc_dose_mpa_h_per_day": thresholds().disc.standing_mpa * 6,
    }
    windows = [
        {
            "measured_time_s": 6 * 3600.0,
            "sit_time_s": 2 * 3600.0,
            "trunk_fwd_ge20_time_s": 3000.0,
            "trunk_fwd_ge60_time_s": 600.0,
        }
    ]
    ergo = wearable_ergo_summary(summary, windows=windows)
    rows = {r.region: r for r in ergo.regions}
    assert rows["trunk"].verdict == "acceptable within the holding time"
    assert rows["trunk"].driver.startswith("25 min in the holding zone")
    assert rows["upper arm"].verdict == "not recommended"
    assert "10 min in postures not recommended" in rows["upper arm"].driver
    assert "2 holds longer" in rows["upper arm"].driver
    assert rows["neck"].verdict == "not measured"
    assert ("sitting", "2 h (33 %)", "2 h (100 %)") in ergo.split
    assert ("trunk bent 20° or more", "50 min", "10 min") in ergo.split
    assert ergo.longest_hold == "trunk, 3 min"
    assert "like 6.0 hours of standing relaxed" in ergo.disc
    no_work = wearable_ergo_summary(summary)
    assert no_work.split == ()
    assert "No work hours" in no_work.split_note


def test_words_for_levels_and_calibration():
    assert action_level_words("reba", 2) == "medium: necessary"
    assert action_level_words("rula", 1).startswith("acceptable")
    assert calibration_words({"applied": True, "error_before_g": 0.02, "error_after_g": 0.004}) == (
        "calibration applied (error 20 mg before, 4 mg after)"
    )
    assert calibration_words({"applied": False, "reason": ""}) == (
        "calibration not applied: no reason recorded"
    )


def test_camera_summary_spreads_levels_over_time():
    summary = {
        "reba": {
            "time_in_levels": {
                "medium": {"seconds": 30.0, "fraction": 0.75},
                "high": {"seconds": 10.0, "fraction": 0.25},
            }
        },
        "exposure": {"iso11226": {"trunk": {"verdict": "acceptable"}}, "holds": {}},
        "frames": {"analysed": 40, "with_person": 38},
        "view": {"view": "side"},
    }
    ergo = camera_ergo_summary(summary)
    assert ("REBA", "medium risk", "30 s", "75 %") in ergo.levels
    assert ergo.regions[0].verdict == "acceptable"
    assert "person found in 38 of 40 frames (95 %)" in ergo.quality
