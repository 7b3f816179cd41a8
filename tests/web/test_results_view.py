"""The result page's content from an output folder: tables, links, wording, file resolution."""

from __future__ import annotations

import json
from pathlib import Path

from backcare.web.results_view import resolve_output_file, result_view, web_wording
from backcare.web.worker import MANIFEST


def _folder(tmp_path: Path) -> Path:
    out = tmp_path / "job"
    out.mkdir()
    (out / "seconds.parquet").write_bytes(b"PAR1")
    (out / "plot_day1.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (out / "report.html").write_text("<h1>r</h1>")
    session = {
        "activities": [{"activity": "sit", "hours": 1.5, "pct": 75.0}],
        "measured_time_s": 7200.0,
        "sit_time_s": 5400.0,
        "trunk_fwd_time_s": {"60": 120.0, "20": 600.0},
        "trunk_fwd_pct": {"20": 8.3, "60": None},
        "trunk_fwd_longest_s": 42.0,
        "iso": {"trunk": {"verdict": "not_recommended", "violations": 2}},
        "l5s1_compression_n": {"p50": 800, "p90": 1500},
    }
    (out / "session.json").write_text(json.dumps(session))
    files = {
        "series": "seconds.parquet",
        "plot_day1": "plot_day1.png",
        "report": "report.html",
        "session": "session.json",
        "missing": "gone.csv",
    }
    manifest = {"kind": "wearable", "files": files, "notes": ["give --mass and --height or"]}
    (out / MANIFEST).write_text(json.dumps(manifest))
    return out


def test_result_view_tables_and_links(tmp_path: Path) -> None:
    view = result_view(_folder(tmp_path))
    assert view is not None
    assert view.kind == "wearable"
    assert [p.name for p in view.plots] == ["plot_day1.png"]
    assert view.report is not None
    assert view.report.content_type.startswith("text/html")
    assert {d.role for d in view.downloads} == {"series", "session"}  # "missing" is not there
    titles = [t.title for t in view.tables]
    assert titles[:2] == ["Time per activity", "Totals"]
    bands = next(t for t in view.tables if t.title.startswith("Trunk forward"))
    assert [r[0] for r in bands.rows] == ["≥ 20°", "≥ 60°"]  # sorted numerically
    assert bands.rows[0][1:] == ("10.0 min", "8.3 %")
    assert bands.rows[1][2] == "–"  # not measured is a dash, never zero
    assert bands.note == "Longest continuous forward bend: 42 s."
    iso = next(t for t in view.tables if t.title.startswith("ISO"))
    assert iso.rows[0][:3] == ("trunk", "not recommended", "2")
    totals = next(t for t in view.tables if t.title == "Totals")
    assert ("L5/S1 compression (median / 90th pct.)", "800 / 1500 N") in totals.rows


def test_resolve_output_file_only_listed_existing_names(tmp_path: Path) -> None:
    out = _folder(tmp_path)
    assert resolve_output_file(out, "seconds.parquet") == out / "seconds.parquet"
    assert resolve_output_file(out, MANIFEST) is None
    assert resolve_output_file(out, "gone.csv") is None
    assert resolve_output_file(out, "../job/seconds.parquet") is None
    assert resolve_output_file(tmp_path / "nowhere", "seconds.parquet") is None
    assert result_view(tmp_path / "nowhere") is None


def test_web_wording() -> None:
    # today's notes name no command-line option and pass unchanged
    note = "L5/S1 compression needs body mass and height: give them, or store them in your profile"
    assert web_wording(note) == note
    # notes stored by older versions are still read in plain words
    assert web_wording("camera assumed level (no --camera-pitch or --neutral window)") == (
        "camera assumed level (no camera tilt given)"
    )
    assert "profile" in web_wording("give --mass and --height or store them in your profile")


def test_result_view_leads_with_a_headline_and_words(tmp_path: Path) -> None:
    view = result_view(_folder(tmp_path), sensors=["thigh"])
    assert view is not None
    assert view.headline is not None
    assert view.headline.sentence.startswith("In this recording you sat for")
    assert view.headline.missing  # the thigh-only job hears what a trunk sensor adds
    activity = next(t for t in view.tables if t.title == "Time per activity")
    assert activity.rows[0][0] == "sitting"
    for table in view.tables:
        for row in table.rows:
            for cell in row:
                assert "_" not in cell, cell


def test_a_photo_with_most_scores_missing_is_not_complete(tmp_path: Path) -> None:
    out = tmp_path / "photo"
    out.mkdir()
    summary = {
        "input": "image",
        "angles": {
            "trunk_flexion": {"value": None, "reliable_from_view": True},
            "neck_flexion": {"value": None},
            "head_inclination": {"value": 14.0},
        },
        "reba": {"scored_fraction": 0.0},
    }
    (out / "summary.json").write_text(json.dumps(summary))
    manifest = {"kind": "camera", "files": {"summary": "summary.json"}, "notes": []}
    (out / MANIFEST).write_text(json.dumps(manifest))
    view = result_view(out)
    assert view is not None
    assert view.headline is not None
    assert not view.headline.complete
    assert any("whole body" in a.fix for a in view.headline.missing)
    angles = next(t for t in view.tables if t.title == "Joint angles")
    assert angles.rows[0][:2] == ("trunk bent forward", "–")


def test_pipeline_notes_in_plain_words() -> None:
    from backcare.web.results_view import plain_notes

    notes = plain_notes(
        [
            "thigh: calibration not applied (still epochs do not cover the sphere beyond +-0.3 g "
            "(nothing towards x+, y-))",
            "the device clock has no time zone: its times are used as local wall-clock time",
            "trunk: no trunk_forward_inclination signal in the series; its columns are NaN",
            "upper_arm: no upper_arm_elevation signal in the series; its columns are NaN",
            "camera assumed level (no --camera-pitch or --neutral window)",
        ]
    )
    text = " ".join(notes)
    assert "NaN" not in text
    assert "_" not in text
    assert "sphere" not in text
    assert "thigh sensor could not be calibrated" in text
    assert (
        "Not measured in this recording (no sensor on that part of the body): trunk, upper arm."
        in notes
    )
    assert "camera assumed level (no camera tilt given)" in notes
