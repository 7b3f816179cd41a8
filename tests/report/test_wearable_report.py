from __future__ import annotations

import base64
import json

import pandas as pd

from backcare.io.parquet import read_series
from backcare.posture.exposure import analyze_exposure
from backcare.report.wearable import (
    activity_table,
    day_timeline_png,
    render_wearable_report,
    write_wearable_outputs,
)
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.synthetic import simulate
from tests.wearable.sim import ARM, BACK, DAY, THIGH


def _analysis():
    sources, _ = simulate(DAY, [THIGH, BACK, ARM], fs_hz=25, seed=11)
    result = analyze([SensorInput(p, s) for p, s in sources.items()])
    return result.series, analyze_exposure(result.series, work_hours=(8, 16), scores=False)


def test_outputs_are_written_and_self_contained(tmp_path):
    series, report = _analysis()
    paths = write_wearable_outputs(series, report, tmp_path / "out")
    assert {"seconds", "daily", "hourly", "windows", "bouts", "summary", "report"} <= set(paths)
    assert read_series(paths["seconds"]).equals(series)
    daily = pd.read_csv(paths["daily"])
    assert {"trunk_fwd_ge20_pct", "trunk_fwd_ge60_upright_time_s", "sit_time_s"} <= set(daily)
    summary = json.loads(paths["summary"].read_text())
    assert summary["sensors"]["thigh"]["calibration"]["reason"]
    assert summary["sensors"]["trunk_back"]["reference"]["method"] == "walking"
    html = paths["report"].read_text()
    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert html.count("data:image/png;base64,") >= 2
    assert "trunk back" in html  # placements in words
    assert "Time per activity" in html


def test_activity_table_adds_up():
    series, _ = _analysis()
    rows = activity_table(series)
    assert abs(sum(r["pct"] for r in rows) - 100.0) < 1e-6
    assert abs(sum(r["hours"] for r in rows) * 3600 - len(series)) < 1e-6


def test_timeline_is_a_png():
    series, report = _analysis()
    png = base64.b64decode(day_timeline_png(series, float(series.time[0]), "day"))
    assert png.startswith(b"\x89PNG")
    assert "day" in render_wearable_report(series, report)


def test_qc_table_pace_intensity_and_nights_are_reported(tmp_path):
    from datetime import UTC, datetime

    from tests.wearable.test_rest import NIGHT

    sources, _ = simulate(
        NIGHT, [THIGH], fs_hz=10.0, start=datetime(2026, 3, 2, 21, 0, tzinfo=UTC), seed=2
    )
    series = analyze([SensorInput("thigh", sources["thigh"])]).series
    report = analyze_exposure(series, scores=False)
    paths = write_wearable_outputs(series, report, tmp_path / "night")
    qc = pd.read_csv(paths["qc"])
    assert list(qc["placement"]) == ["thigh"]
    row = qc.iloc[0]
    assert row["reference"] in ("walking", "default")
    assert "walking" in row["stairs_reference"]  # its provenance, in words
    assert row["worn_h"] <= row["recorded_h"]
    html = paths["report"].read_text()
    assert "Walking pace and intensity" in html
    assert "Nights" in html
    assert "time in bed" in html
    assert "thigh sensor only" in html  # the estimate is labelled as such
    assert "in_bed" not in html  # no internal names
