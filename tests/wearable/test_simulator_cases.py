"""The .cwa simulator's hard cases, each through the reader and the whole analysis.

One-activity recordings (``only=``), as in validation studies that record each activity in its
own short file: a one-minute walk, slow walkers, lying on the back with the knees up, cycling.
The packaged week holds the same cases inside its day plans.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from backcare.errors import InputError
from backcare.posture.conventions import Activity
from backcare.wearable.pipeline import SensorInput, WearableAnalysis, analyze
from backcare.wearable.readers import open_recording
from backcare.wearable.simulator import Simulation, load_script, simulate_cwa

SATURDAY = datetime(2024, 1, 6, 10, 0, 0)


def _analyse(tmp_path: Path, only: str, seconds: int, seed: int) -> WearableAnalysis:
    path = tmp_path / f"{only}_{seconds}_{seed}.cwa"
    result = simulate_cwa(
        path, days=seconds / 86400, rate_hz=50.0, seed=seed, only=only, start=SATURDAY
    )
    truth = result.truth_path
    assert truth.is_file()
    src = open_recording(result.path)
    try:
        return analyze([SensorInput("thigh", src)])
    finally:
        src.close()


def _share(analysis: WearableAnalysis, activity: Activity) -> float:
    return float(np.mean(analysis.series.activity == int(activity)))


def test_one_activity_files_hold_only_that_activity() -> None:
    sim = Simulation(days=600 / 86400, rate_hz=25.0, seed=3, only="cycle", start=SATURDAY)
    truth = sim.truth()
    assert len(truth) == 600
    assert set(truth["activity"]) == {int(Activity.CYCLE)}
    with pytest.raises(InputError, match="unknown activity"):
        Simulation(days=0.01, only="juggling")


def test_the_week_holds_the_hard_cases() -> None:
    script = load_script()
    saturday = {b.do for b in script.days["weekend"] if hasattr(b, "do")}
    assert {"cycle", "walk_slow", "sleep_knees_bent"} <= saturday
    sim = Simulation(days=1.0, rate_hz=25.0, seed=2, start=datetime(2024, 1, 6))
    codes = set(sim.truth()["activity"])
    assert int(Activity.CYCLE) in codes


@pytest.mark.parametrize("seed", [1, 2])
def test_a_one_minute_walk_is_walking_not_nonwear(tmp_path: Path, seed: int) -> None:
    analysis = _analyse(tmp_path, "walk", 60, seed)
    assert len(analysis.series) == 60
    assert _share(analysis, Activity.NONWEAR) == 0.0
    assert _share(analysis, Activity.WALK) >= 0.95


def test_slow_walkers_between_the_two_movement_thresholds_walk(tmp_path: Path) -> None:
    # seconds whose thigh SD lies between ActiMotus's 0.075 g and Acti4's 0.1 g were "move"
    # under the 0.1 g rule; they are walking
    in_band, walking = 0, 0
    for seed in (1, 2, 3, 4):
        analysis = _analyse(tmp_path, "walk_slow", 300, seed)
        sd_long = analysis.sensors["thigh"].activity_sd[:, 0]
        band = (sd_long >= 0.075) & (sd_long < 0.1)
        in_band += int(band.sum())
        walking += int((analysis.series.activity[band] == int(Activity.WALK)).sum())
        assert _share(analysis, Activity.WALK) >= 0.7
        assert _share(analysis, Activity.STAND) + _share(analysis, Activity.SIT) == 0.0
    assert in_band > 300  # the case is really simulated
    assert walking / in_band >= 0.9


def test_lying_with_knees_bent_is_not_an_upside_down_sensor(tmp_path: Path) -> None:
    for seed in (1, 2):
        analysis = _analyse(tmp_path, "sleep_knees_bent", 180, seed)
        mounting = analysis.series.meta.extra["sensors"]["thigh"]["mounting"]
        assert not mounting["upside_down"]
        assert mounting["axes_used"] == mounting["axes_given"]
        # a thigh sensor alone cannot tell lying on the back from sitting: never upright
        upright = (Activity.STAND, Activity.WALK, Activity.MOVE, Activity.RUN, Activity.STAIRS)
        assert sum(_share(analysis, a) for a in upright) == 0.0


@pytest.mark.parametrize(("seconds", "seed"), [(60, 1), (180, 2)])
def test_cycling_is_found_from_the_thigh(tmp_path: Path, seconds: int, seed: int) -> None:
    analysis = _analyse(tmp_path, "cycle", seconds, seed)
    assert _share(analysis, Activity.CYCLE) >= 0.95
