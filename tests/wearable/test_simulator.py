"""The .cwa simulator: round trip through the reader, truth, physics, placements."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backcare.errors import InputError
from backcare.posture.conventions import Activity
from backcare.wearable.readers import open_recording
from backcare.wearable.simulator import (
    PLACEMENTS,
    Simulation,
    device_matrix,
    load_script,
    simulate_cwa,
    truth_path,
)

START = datetime(2024, 1, 3, 9, 0, 0)  # a Wednesday: a manual-work day in the packaged week


def _quantum(accel: np.ndarray) -> np.ndarray:
    """Half a packed step for each sample: 1/256 g below 2 g, doubling with each exponent."""
    peak = np.abs(accel * 256).max(axis=1)
    exp = (peak >= 511.5).astype(int) + (peak >= 1023) + (peak >= 2046)
    return (2.0**exp) / 256 / 2


def test_round_trip_within_packing_quantisation(tmp_path: Path) -> None:
    kw = {"days": 0.1, "rate_hz": 50.0, "placement": "thigh", "seed": 5, "start": START}
    result = simulate_cwa(tmp_path / "s.cwa", chunk_s=1000, **kw)
    sim = Simulation(chunk_s=1000, **kw)
    expected = np.concatenate([a for _, a, _ in sim.chunks()])
    rec = open_recording(result.path).read()
    assert len(rec) == expected.shape[0] == result.n_samples == 0.1 * 86400 * 50
    clipped = np.clip(expected, -8, 8)
    err = np.abs(rec.accel - clipped).max(axis=1)
    assert np.all(err <= _quantum(clipped) + 1e-6)
    np.testing.assert_allclose(rec.time, np.arange(len(rec)) / 50.0, atol=1e-4)
    assert rec.info.start == START
    assert rec.info.placement == "thigh"
    assert rec.info.issues == ()


def test_same_seed_same_file_other_seed_differs(tmp_path: Path) -> None:
    a = simulate_cwa(tmp_path / "a.cwa", days=0.02, seed=1).path.read_bytes()
    b = simulate_cwa(tmp_path / "b.cwa", days=0.02, seed=1).path.read_bytes()
    c = simulate_cwa(tmp_path / "c.cwa", days=0.02, seed=2).path.read_bytes()
    assert a[HEADER_END:] == b[HEADER_END:]
    assert a[HEADER_END:] != c[HEADER_END:]


HEADER_END = 1024


def test_file_size_of_packed_samples(tmp_path: Path) -> None:
    result = simulate_cwa(tmp_path / "s.cwa", days=0.05, rate_hz=100.0)
    n = round(0.05 * 86400 * 100)
    assert result.path.stat().st_size == 1024 + -(-n // 120) * 512
    # a 7-day, 100 Hz file therefore takes 1024 + 504000 * 512 bytes (about 258 MB)
    assert 1024 + -(-(7 * 86400 * 100) // 120) * 512 == 258_049_024


def test_truth_table(tmp_path: Path) -> None:
    result = simulate_cwa(tmp_path / "s.cwa", days=1.0, rate_hz=25.0, placement="trunk_back")
    truth = pd.read_parquet(truth_path(result.path))
    assert result.truth_path == truth_path(result.path)
    assert len(truth) == 86400
    assert truth["time_s"].tolist()[:3] == [0, 1, 2]
    codes = {int(c) for c in truth["activity"].unique()}
    assert codes <= {int(a) for a in Activity}
    assert {int(Activity.LIE_SUPINE), int(Activity.LIE_SIDE), int(Activity.SIT)} <= codes
    assert {int(Activity.WALK), int(Activity.STAIRS), int(Activity.STAND)} <= codes
    labels = dict(zip(truth["activity"], truth["label"], strict=True))
    assert all(Activity(int(c)).label == label for c, label in labels.items())
    worn = truth["activity"] != int(Activity.NONWEAR)
    for col in ("trunk_inclination_deg", "thigh_inclination_deg", "sensor_inclination_deg"):
        assert truth.loc[worn, col].between(0, 180).all()
    # the sensor sits on the trunk: its angles are the trunk's
    np.testing.assert_allclose(truth["sensor_forward_deg"], truth["trunk_forward_deg"])
    sitting = truth["activity"] == int(Activity.SIT)
    assert truth.loc[sitting, "thigh_forward_deg"].median() < -70


def _per_second(rec, truth: pd.DataFrame) -> pd.DataFrame:
    sec = np.floor(rec.time).astype(int)
    frame = pd.DataFrame(rec.accel, columns=["x", "y", "z"]).groupby(sec).mean()
    return frame.join(truth.set_index("time_s"))


@pytest.mark.parametrize("placement", ["thigh", "trunk_back", "trunk_chest"])
def test_gravity_direction_matches_truth(tmp_path: Path, placement: str) -> None:
    result = simulate_cwa(
        tmp_path / "s.cwa",
        days=0.5,
        rate_hz=25.0,
        placement=placement,
        start=datetime(2024, 1, 3, 6, 0),
    )
    rec = open_recording(result.path).read()
    per = _per_second(rec, pd.read_parquet(result.truth_path))
    still = per["activity"].isin([int(Activity.SIT), int(Activity.STAND), int(Activity.LIE_SUPINE)])
    per = per[still]
    mag = np.linalg.norm(per[["x", "y", "z"]], axis=1)
    # device +x points down the segment: inclination = angle between -x and the measured up
    incl = np.degrees(np.arccos(np.clip(-per["x"] / mag, -1, 1)))
    err = np.abs(incl - per["sensor_inclination_deg"])
    assert np.median(err) < 2.0
    assert np.percentile(err, 95) < 6.0


def test_walking_has_step_frequency_acceleration(tmp_path: Path) -> None:
    result = simulate_cwa(
        tmp_path / "s.cwa",
        days=0.5,
        rate_hz=50.0,
        placement="trunk_back",
        start=datetime(2024, 1, 1, 6, 0),
    )
    rec = open_recording(result.path).read()
    truth = pd.read_parquet(result.truth_path)
    walk = truth.loc[truth["activity"] == int(Activity.WALK), "time_s"].to_numpy()
    sec = np.floor(rec.time).astype(int)
    mask = np.isin(sec, walk)
    x = rec.accel[mask, 0] - rec.accel[mask, 0].mean()
    spectrum = np.abs(np.fft.rfft(x[: 50 * 60]))
    freqs = np.fft.rfftfreq(50 * 60, 1 / 50)
    peak = freqs[np.argmax(spectrum[1:]) + 1]
    assert 1.6 <= peak <= 2.1  # cadence of the walking bouts in the script
    # Acti4-style movement: the per-second SD is well above 0.1 g walking, near noise sitting
    sd = pd.DataFrame(rec.accel).groupby(sec).std().max(axis=1)
    act = truth.set_index("time_s")["activity"].reindex(sd.index)
    assert sd[act == int(Activity.WALK)].median() > 0.1
    assert sd[act == int(Activity.SIT)].median() < 0.03


def test_device_axes_follow_the_placement_convention() -> None:
    script = load_script()
    assert set(script.placements) == set(PLACEMENTS)
    thigh = device_matrix("+x", "-z")
    # standing thigh: up is -D in segment axes; the device reads -1 g on x
    np.testing.assert_allclose(thigh @ np.array([-1.0, 0.0, 0.0]), [-1.0, 0.0, 0.0])
    # sitting thigh (front facing up): up is +F; device -z points forward, so z reads -1 g
    np.testing.assert_allclose(thigh @ np.array([0.0, 1.0, 0.0]), [0.0, 0.0, -1.0])
    assert np.isclose(np.linalg.det(thigh), 1.0) or np.isclose(np.linalg.det(thigh), -1.0)


def test_placements_agree_with_the_analysis_knowledge() -> None:
    wearable = pytest.importorskip("backcare.knowledge.wearable")
    from backcare.knowledge import load

    doc = load("wearable/placements.yaml", wearable.PlacementsDocument)
    script = load_script()
    for rule in doc.placements:
        mine = script.placements[rule.placement]
        assert (mine.down, mine.forward) == (rule.down, rule.forward), rule.placement


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="placement"):
        Simulation(placement="ankle")
    with pytest.raises(InputError, match="days"):
        Simulation(days=0)
    with pytest.raises(InputError, match="3200/2"):
        simulate_cwa(Path("unused.cwa"), days=0.001, rate_hz=30.0)
