"""Quality control: clipped samples, the per-day QC table, the report section, the cohort table."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from backcare.posture.conventions import Activity
from backcare.posture.exposure import analyze_exposure
from backcare.report.qc import cohort_qc_html, cohort_qc_table, qc_days, qc_html
from backcare.report.wearable import write_wearable_outputs
from backcare.wearable.features import extract_features
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.synthetic import Bout, simulate

from .sim import THIGH

START = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
# two hours before midnight and 2.5 after: two calendar days, two hours not worn on the second
NIGHT_AND_MORNING = [
    Bout(Activity.WALK, 900),
    Bout(Activity.SIT, 6300),
    Bout(Activity.NONWEAR, 7200),
    Bout(Activity.WALK, 600),
    Bout(Activity.STAND, 1200),
]


def _source():
    sources, _ = simulate(NIGHT_AND_MORNING, [THIGH], fs_hz=10.0, start=START, seed=4)
    return sources["thigh"]


def test_clipped_samples_are_counted_in_their_second():
    src = _source()
    rec = src.read()
    accel = rec.accel.copy()
    # 7 samples at the +8 g limit in second 100, 3 at -8 g in second 2000
    s100 = np.flatnonzero(np.floor(rec.time) == 100)[:7]
    s2000 = np.flatnonzero(np.floor(rec.time) == 2000)[:3]
    accel[s100, 0] = 8.0
    accel[s2000, 2] = -8.0
    clipped_rec = dataclasses.replace(rec, accel=accel)
    feats = extract_features([clipped_rec], src.info)
    assert feats.clipped is not None
    assert int(feats.clipped.sum()) == 10
    assert feats.clipped[100 - feats.first_second] == 7
    assert feats.clipped[2000 - feats.first_second] == 3
    # a file that does not give its range is not checked
    unknown = dataclasses.replace(src.info, range_g=None)
    assert extract_features([clipped_rec], unknown).clipped is None


def test_clip_count_does_not_depend_on_chunking():
    src = _source()
    rec = src.read()
    accel = rec.accel.copy()
    accel[::997, 1] = 8.0
    clipped = dataclasses.replace(rec, accel=accel)
    whole = extract_features([clipped], src.info)
    step = 4096
    parts = [
        dataclasses.replace(clipped, time=clipped.time[i : i + step], accel=accel[i : i + step])
        for i in range(0, len(clipped), step)
    ]
    chunked = extract_features(parts, src.info)
    assert whole.clipped is not None
    assert chunked.clipped is not None
    np.testing.assert_array_equal(whole.clipped, chunked.clipped)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    series = analyze([SensorInput("thigh", _source())]).series
    out = tmp_path_factory.mktemp("qc") / "rec"
    paths = write_wearable_outputs(series, analyze_exposure(series, scores=False), out)
    return series, paths


def test_qc_days_has_one_row_per_sensor_and_calendar_day(night):
    series, paths = night
    days = qc_days(series.meta.extra)
    assert list(days["day"]) == ["2026-03-02", "2026-03-03"]
    assert days["data_h"].tolist() == pytest.approx([2.0, 2.5], abs=0.01)
    first, second = days.iloc[0], days.iloc[1]
    assert first["nonwear_h"] == 0
    assert second["nonwear_h"] == pytest.approx(2.0, abs=0.1)
    assert second["worn_h"] == pytest.approx(second["data_h"] - second["nonwear_h"])
    assert first["clipped_samples"] == 0
    assert first["reference"] in ("walking", "default")
    written = pd.read_csv(paths["qc_days"])
    assert list(written["day"]) == list(days["day"])


def test_report_leads_with_a_plain_quality_sentence(night):
    series, paths = night
    html = str(qc_html(series.meta.extra, min_wear_h=10))
    assert "Worn for at least 10 hours: the thigh sensor on 0 of 2 day(s)" in html
    assert "2 sensor-day(s) have less than 10 hours worn" in html
    assert "<svg" in html
    assert "NaN" not in html
    assert "trunk_" not in html
    page = paths["report"].read_text()
    assert "Data quality" in page


def test_cohort_qc_table_stacks_every_recording(night, tmp_path):
    _, paths = night
    folder = paths["qc_days"].parent
    recordings = pd.DataFrame(
        [
            {"recording": "s1_d1", "subject": "s1", "group": "a", "folder": str(folder)},
            {"recording": "s2_d1", "subject": "s2", "group": "b", "folder": str(tmp_path)},
        ]
    )
    table = cohort_qc_table(recordings)
    assert list(table["recording"]) == ["s1_d1", "s1_d1"]  # s2 has no outputs: skipped
    assert list(table.columns[:3]) == ["recording", "subject", "group"]
    html = str(cohort_qc_html(recordings, min_wear_h=10))
    assert "2 sensor-day(s) checked: 2 with less than 10 hours worn" in html
    assert cohort_qc_html(recordings.iloc[1:], min_wear_h=10) == ""


def test_a_saturated_ax3_file_reports_clipped_samples(tmp_path):
    from backcare.wearable.readers import open_recording
    from backcare.wearable.simulator import simulate_cwa

    counts = {}
    for range_g in (2, 8):
        path = tmp_path / f"run_{range_g}g.cwa"
        simulate_cwa(path, days=60 / 86400, rate_hz=50.0, seed=3, only="run", range_g=range_g)
        src = open_recording(path)
        try:
            result = analyze([SensorInput("thigh", src)])
        finally:
            src.close()
        counts[range_g] = result.series.meta.extra["sensors"]["thigh"]["clipped_samples"]
    assert counts[8] == 0  # running stays inside +-8 g
    assert counts[2] > 50  # its foot strikes pass 2 g
