from __future__ import annotations

import numpy as np
import pandas as pd

from backcare.report.camera import (
    angle_timeline_png,
    level_hex,
    level_time_png,
    load_timeline_png,
    render_camera_report,
)


def _table(n: int = 40) -> pd.DataFrame:
    t = np.arange(n) / 10
    trunk = 50 * np.sin(np.linspace(0, np.pi, n))
    trunk[5:8] = np.nan
    return pd.DataFrame(
        {
            "time": t,
            "trunk_flexion": trunk,
            "neck_flexion": trunk / 3,
            "reba": np.where(trunk > 30, 8, 3),
            "reba_level": np.where(trunk > 30, "high", "low"),
            "disc_pressure_x_standing": 1 + trunk / 50,
            "l5s1_compression_n": 500 + 30 * np.nan_to_num(trunk),
        }
    )


def _summary(kind: str = "video") -> dict:
    return {
        "file": "clip.mp4",
        "input": kind,
        "backend": "fake",
        "backcare_version": "0",
        "frames": {"decoded": 40, "analysed": 40, "with_person": 37},
        "duration_s": 3.9,
        "frame_size": [640, 480],
        "view": {"view": "side", "median_yaw_deg": 85.0, "note": "side note"},
        "camera_tilt": {"source": "level", "pitch_deg": 0.0, "roll_deg": 0.0},
        "calibration": {},
        "smoothing": None,
        "min_visibility": 0.5,
        "angles": {
            "trunk_flexion": {
                "median": 30.0,
                "p90": 48.0,
                "min": 0.0,
                "max": 50.0,
                "valid_fraction": 0.9,
                "mean_confidence": 0.9,
                "reliable_from_view": True,
            },
            "trunk_lateral": {"valid_fraction": 0.0, "reliable_from_view": False},
        },
        "body": {"mass_kg": None, "height_cm": None, "hand_load_kg": 0.0},
        "reba": {
            "max": 8.0,
            "peak_level": "high",
            "peak_time_s": 2.0,
            "time_in_levels": {"low": {"fraction": 0.6}, "high": {"fraction": 0.4}},
        },
        "exposure": {
            "summary": {
                "iso": {
                    "trunk": {
                        "verdict": "not_recommended",
                        "holding_zone_time_s": 3.0,
                        "not_recommended_time_s": 1.0,
                        "violations": 1,
                    }
                },
                "trunk_fwd_time_s": {"20": 2.0, "60": 0.5},
                "trunk_time_s": 3.9,
                "disc_rel_standing": 1.4,
            },
            "notes": ["no wall-clock start"],
        },
        "alerts": [{"time_s": 1.0, "message": "Trunk bent <forward>"}],
        "issues": ["<script>alert(1)</script>"],
        "unavailable": ["l5s1"],
        "sources": ["casiez-2012"],
    }


def test_plots_are_png_and_skip_when_nothing_to_draw():
    import base64

    png = angle_timeline_png(_table())
    assert png is not None
    assert base64.b64decode(png)[:4] == b"\x89PNG"
    assert level_time_png(_summary()) is not None
    assert load_timeline_png(_table()) is not None
    empty = pd.DataFrame({"time": [0.0, 0.1], "trunk_flexion": [np.nan, np.nan]})
    assert angle_timeline_png(empty) is None
    assert load_timeline_png(empty) is None


def test_report_is_self_contained_and_escapes_text():
    html = render_camera_report(_summary(), _table())
    assert html.count("data:image/png;base64,") == 3
    assert "<script>" not in html  # issue text is escaped
    assert "&lt;script&gt;" in html
    assert 'src="http' not in html
    assert "<link" not in html
    assert "Read this first" in html
    assert "l5s1" in html
    assert "not recommended" in html
    assert "less reliable" in html
    assert "reliable" in html


def test_photo_report_embeds_the_annotated_image():
    html = render_camera_report(
        _summary("image") | {"angles": {}}, _table(1), annotated_png_base64="AAAA"
    )
    assert 'src="data:image/png;base64,AAAA"' in html
    assert html.count("data:image/png;base64,") == 1


def test_level_colours():
    assert level_hex("very high") != level_hex("high") != level_hex("low")
    assert level_hex("") == level_hex(None) == level_hex("nonsense")


def test_report_opens_with_the_ergonomist_summary():
    html = render_camera_report(_summary(), _table())
    start = html.index('id="summary-title"')
    assert start < html.index('class="cards"')
    summary = html[start : html.index('class="cards"')]
    assert 'class="headline"' in summary
    assert "not recommended" in summary  # the ISO 11226 trunk verdict in words
    assert "not_recommended" not in summary
    assert "1 s in postures not recommended" in summary
    assert "upper arm" in summary
    assert "REBA" in summary
    assert "person found in 37 of 40 frames" in summary


def test_score_cards_show_whole_points_and_the_range():
    summary = _summary("image")
    summary["reba"] = {**summary["reba"], "max": 5.0, "score_max": 9.0}
    html = render_camera_report(summary, _table(1))
    assert "</span> 5&ndash;9</div>" in html  # whole points, not "5.0-9.0"
    assert "5.0&ndash;" not in html
