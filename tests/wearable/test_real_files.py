"""Real recordings (../shared, scikit-digital-health samples) through the whole pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from backcare.io.parquet import read_series, write_series
from backcare.posture.conventions import Activity
from backcare.posture.exposure import analyze_exposure
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.readers import open_recording

SKDH = "data/wearable/skdh"


def _check(result, seconds_min: int) -> None:
    s = result.series
    assert len(s) >= seconds_min
    assert np.isin(s.activity, [a.value for a in Activity]).all()
    for name in s.channels:
        values = s[name][~np.isnan(s[name])]
        assert values.size > 0, name
    for sensor in result.sensors.values():
        cal = sensor.calibration
        assert cal.applied or cal.reason  # a skipped fit always says why
        assert sensor.mounting.notes
    report = analyze_exposure(s, scores=False)
    assert report.total["measured_time_s"].iloc[0] > 0


def test_apdm_lumbar_and_sternum_with_a_standing_reference(shared_dir, tmp_path):
    path = shared_dir / SKDH / "apdm_sample.h5"
    sensors = [
        SensorInput("trunk_back", open_recording(path, sensor="Lumbar")),
        SensorInput("trunk_chest", open_recording(path, sensor="Sternum")),
    ]
    result = analyze(sensors, reference=(2.0, 12.0))
    _check(result, 280)
    s = result.series
    # the subject stands still for most of the recording, then moves
    upright = s["trunk_inclination"][5:250]
    assert np.nanmedian(upright) < 3.0
    assert np.nanmax(s["trunk_inclination"]) > 10.0
    assert result.sensors["trunk_back"].mounting.upside_down is False
    back = read_series(write_series(s, tmp_path / "apdm.parquet"))
    assert back.equals(s)


@pytest.mark.parametrize(
    ("name", "placement", "seconds"),
    [
        ("gnactv_sample.bin", "trunk_back", 15),
        ("ax6_sample.cwa", "trunk_back", 100),
        ("ax3_sample.cwa", "thigh", 290),
    ],
)
def test_device_files_go_through_the_pipeline(shared_dir, name, placement, seconds):
    src = open_recording(shared_dir / SKDH / name)
    result = analyze([SensorInput(placement, src)])
    _check(result, seconds)
    info = result.sensors[placement].info
    assert result.series.meta.extra["sensors"][placement]["fs_hz"] == info.fs_hz
