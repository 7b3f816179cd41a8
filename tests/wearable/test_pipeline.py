"""The whole per-second analysis on simulated recordings with a known truth."""

from __future__ import annotations

import numpy as np
import pytest

from backcare.errors import InputError
from backcare.posture.angles import SensorAxes
from backcare.posture.conventions import Activity
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.synthetic import SimulatedSensor, simulate

from .sim import ARM, BACK, DAY, THIGH

# Per-class agreement (fraction of the simulated seconds of a class given that class) required
# from the pipeline. Bout filters blur a few seconds at every transition, hence not 100 %.
MIN_AGREEMENT = 0.95
ANGLE_TOL_DEG = 2.0  # 95th percentile of |error| of trunk and arm angles


def agreement(truth: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    return {
        Activity(code).label: float(np.mean(labels[truth == code] == code))
        for code in np.unique(truth)
    }


@pytest.fixture(scope="module")
def thigh_and_trunk():
    sources, truth = simulate(DAY, [THIGH, BACK, ARM], fs_hz=25, seed=3)
    result = analyze([SensorInput(p, s) for p, s in sources.items()], max_samples=50_000)
    return result, truth


def test_every_activity_is_recovered_with_thigh_and_trunk(thigh_and_trunk):
    result, truth = thigh_and_trunk
    agree = agreement(truth.activity, result.series.activity)
    assert set(agree) == {
        "nonwear", "sit", "stand", "move", "walk", "run", "stairs", "cycle",
        "lie_supine", "lie_side", "lie_prone",
    }  # fmt: skip
    low = {k: v for k, v in agree.items() if v < MIN_AGREEMENT}
    assert not low, agree


def test_trunk_and_arm_angles_are_recovered(thigh_and_trunk):
    result, truth = thigh_and_trunk
    s = result.series
    for channel, expected in (
        ("trunk_inclination", truth.trunk_inclination),
        ("trunk_flexion", truth.trunk_flexion),
        ("trunk_lateral", truth.trunk_lateral),
        ("upper_arm_elevation_right", truth.arm_elevation),
    ):
        err = np.abs(s[channel] - expected)
        err = err[~np.isnan(err)]
        assert err.size > 2500, channel
        assert np.percentile(err, 95) < ANGLE_TOL_DEG, channel
    # the back sensor's 27 deg tilt was found while walking and removed
    ref = result.sensors["trunk_back"].reference
    assert ref.method == "walking"
    assert ref.measured_forward_deg == pytest.approx(27.0 + 6.0, abs=1.0)
    assert s.meta.calibration["trunk_flexion"] == pytest.approx(33.0, abs=1.0)


def test_non_wear_seconds_have_no_angles(thigh_and_trunk):
    result, truth = thigh_and_trunk
    off = truth.activity == Activity.NONWEAR
    assert np.isnan(result.series["trunk_inclination"][off][5:-5]).all()
    assert result.series.meta.source == "wearable"
    assert set(result.series.meta.placements) == {"thigh", "trunk_back", "upper_arm"}


def test_thigh_alone_classifies_and_finds_side_lying_from_thigh_rotation():
    sources, truth = simulate(DAY, [THIGH], fs_hz=25, seed=4)
    result = analyze([SensorInput("thigh", sources["thigh"])])
    labels = result.series.activity
    agree = agreement(truth.activity, labels)
    for name in ("sit", "stand", "walk", "run", "stairs", "cycle", "move", "nonwear"):
        assert agree[name] >= MIN_AGREEMENT, (name, agree)
    side = truth.activity == Activity.LIE_SIDE
    assert np.mean(labels[side] == Activity.LIE) >= MIN_AGREEMENT
    # supine and prone thighs look like sitting without a trunk sensor (documented limit)
    assert "trunk_inclination" not in result.series
    assert result.series.meta.extra["classification"]["lying_rule"] == "thigh rotation"


@pytest.mark.parametrize(
    ("mounted", "upside_down", "inside_out"),
    [
        (SensorAxes("-x", "-z"), True, False),
        (SensorAxes("+x", "+z"), False, True),
        (SensorAxes("-x", "+z"), True, True),
    ],
)
def test_wrong_mounting_is_detected_corrected_and_reported(mounted, upside_down, inside_out):
    sensor = SimulatedSensor("thigh", axes=mounted)
    sources, truth = simulate(DAY, [sensor], fs_hz=25, seed=5)
    # no axes given: the placement's defaults (+x down, -z forward) are checked and corrected
    result = analyze([SensorInput("thigh", sources["thigh"])])
    report = result.sensors["thigh"].mounting
    assert report.upside_down is upside_down
    assert report.inside_out is inside_out
    assert report.used == mounted
    assert any("corrected" in n for n in result.series.meta.notes)
    agree = agreement(truth.activity, result.series.activity)
    assert agree["walk"] >= MIN_AGREEMENT
    assert agree["sit"] >= MIN_AGREEMENT


def test_upside_down_trunk_sensor_is_detected():
    back = SimulatedSensor("trunk_back", axes=SensorAxes("-x", "+z"), tilt_deg=27.0)
    sources, truth = simulate(DAY, [THIGH, back], fs_hz=25, seed=6)
    result = analyze([SensorInput(p, s) for p, s in sources.items()])
    report = result.sensors["trunk_back"].mounting
    assert report.upside_down is True
    assert report.inside_out is False
    err = np.abs(result.series["trunk_flexion"] - truth.trunk_flexion)
    assert np.nanpercentile(err, 95) < ANGLE_TOL_DEG


def test_reference_window_sets_the_zero():
    sources, truth = simulate(DAY, [THIGH, BACK], fs_hz=25, seed=7)
    # the first bout stands straight for 120 s
    result = analyze([SensorInput(p, s) for p, s in sources.items()], reference=(10.0, 100.0))
    ref = result.sensors["trunk_back"].reference
    assert ref.method == "window"
    assert ref.measured_forward_deg == pytest.approx(27.0, abs=1.0)
    err = np.abs(result.series["trunk_flexion"] - truth.trunk_flexion)
    assert np.nanpercentile(err, 95) < ANGLE_TOL_DEG


def test_reference_window_outside_the_recording_is_an_input_error():
    sources, _ = simulate(DAY[:3], [THIGH], fs_hz=25)
    with pytest.raises(InputError, match="reference window"):
        analyze([SensorInput("thigh", sources["thigh"])], reference=(1e6, 1e6 + 10))


def test_sensors_are_aligned_on_wall_clock_time():
    sources, truth = simulate(DAY, [THIGH, BACK], fs_hz=25, seed=8)
    late = simulate(DAY, [BACK], fs_hz=25, seed=8)[0]["trunk_back"]
    # the trunk sensor started 100.4 s later: drop its first 100.4 s of data
    from dataclasses import replace
    from datetime import timedelta

    class Late:
        info = replace(late.info, start=late.info.start + timedelta(seconds=100.4))

        def chunks(self, max_samples: int = 1 << 20):
            for c in late.chunks(max_samples):
                keep = c.time >= 100.4
                if keep.any():
                    yield replace(c, time=c.time[keep] - 100.4, accel=c.accel[keep], info=self.info)

    result = analyze([SensorInput("thigh", sources["thigh"]), SensorInput("trunk_back", Late())])
    s = result.series
    assert len(s) == truth.activity.size
    assert np.isnan(s["trunk_inclination"][:100]).all()
    err = np.abs(s["trunk_flexion"] - truth.trunk_flexion)[110:]
    assert np.nanpercentile(err, 95) < ANGLE_TOL_DEG


def test_unknown_placement_and_duplicates_are_input_errors():
    sources, _ = simulate(DAY[:2], [THIGH], fs_hz=25)
    with pytest.raises(InputError, match="placement"):
        SensorInput("knee", sources["thigh"])
    with pytest.raises(InputError, match="twice"):
        analyze([SensorInput("thigh", sources["thigh"]), SensorInput("thigh", sources["thigh"])])


def test_trunk_only_recording_classifies_lying_and_nonwear():
    sources, truth = simulate(DAY, [BACK], fs_hz=25, seed=9)
    result = analyze([SensorInput("trunk_back", sources["trunk_back"])])
    labels = result.series.activity
    for code in (Activity.LIE_SUPINE, Activity.LIE_PRONE, Activity.LIE_SIDE, Activity.NONWEAR):
        assert np.mean(labels[truth.activity == code] == code) >= MIN_AGREEMENT
    assert "only lying" in result.series.meta.extra["classification"]["note"]


def test_an_independently_simulated_day_file(tmp_path):
    """The readers' .cwa simulator (its own physics and day script) as an outside check:
    thigh and upper-back files of one day, read back and classified."""
    import pandas as pd

    from backcare.wearable.readers import open_recording
    from backcare.wearable.simulator import simulate_cwa

    paths = {}
    for placement in ("thigh", "trunk_back"):
        paths[placement] = tmp_path / f"{placement}.cwa"
        simulate_cwa(paths[placement], days=1.0, rate_hz=25.0, placement=placement, seed=1)
    truth = pd.read_parquet(tmp_path / "thigh.truth.parquet")
    sensors = [SensorInput(p, open_recording(path)) for p, path in paths.items()]
    result = analyze(sensors)
    labels = result.series.activity
    codes = truth["activity"].to_numpy()[: labels.size]
    for code, minimum in (
        (Activity.SIT, 0.95),
        (Activity.STAND, 0.95),
        (Activity.WALK, 0.9),
        (Activity.NONWEAR, 0.95),
    ):
        m = codes == code
        if m.sum() >= 60:
            assert np.mean(labels[: codes.size][m] == code) >= minimum, Activity(code).label
    lying = np.isin(codes, [a.value for a in (Activity.LIE_SUPINE, Activity.LIE_SIDE)])
    if lying.sum() >= 60:
        got = np.isin(labels[: codes.size][lying], [a.value for a in LYING_CODES])
        assert got.mean() >= 0.9
    # trunk inclination against the simulated trunk posture (upright, worn seconds)
    upright = np.isin(codes, [Activity.STAND.value, Activity.WALK.value])
    err = np.abs(result.series["trunk_inclination"][: codes.size] - truth["trunk_inclination_deg"])
    assert np.nanmedian(err[upright]) < 5.0


LYING_CODES = (Activity.LIE, Activity.LIE_SUPINE, Activity.LIE_PRONE, Activity.LIE_SIDE)
