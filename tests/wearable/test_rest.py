"""Time in bed and probable sleep over the night, from the thigh (and trunk)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from backcare.posture.conventions import Activity
from backcare.wearable.activity import activity_rules
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.rest import rest_periods
from backcare.wearable.synthetic import Bout, simulate

from .sim import BACK, THIGH

EVENING = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
NIGHT = [
    Bout(Activity.SIT, 1800, trunk_flexion_deg=10),  # the sofa
    Bout(Activity.WALK, 120, trunk_flexion_deg=6),
    Bout(Activity.LIE_SUPINE, 3 * 3600),
    Bout(Activity.WALK, 180, trunk_flexion_deg=6),  # a visit to the bathroom
    Bout(Activity.LIE_SIDE, 3 * 3600),
    Bout(Activity.STAND, 300),
    Bout(Activity.WALK, 300, trunk_flexion_deg=6),
]
LIE_START = 1800 + 120
LIE_END = LIE_START + 6 * 3600 + 180


def periods(result, kind):
    return [p for p in result.series.meta.extra["classification"]["rest"] if p["kind"] == kind]


def test_a_night_with_a_break_is_one_time_in_bed_with_sleep_inside():
    sources, _ = simulate(NIGHT, [THIGH], fs_hz=10.0, start=EVENING, seed=2)
    result = analyze([SensorInput("thigh", sources["thigh"])])
    (bed,) = periods(result, "in_bed")
    assert bed["evidence"] == "thigh"
    # thigh alone: the evening on the sofa is sitting too, so it may join the bed time (the
    # stated uncertainty), but the bathroom walk never splits the night
    assert bed["start_s"] <= LIE_START + 60
    assert abs(bed["end_s"] - LIE_END) <= 60
    sleep = periods(result, "sleep")
    assert sum(p["seconds"] for p in sleep) >= 0.9 * 6 * 3600
    assert all(bed["start_s"] <= p["start_s"] < p["end_s"] <= bed["end_s"] for p in sleep)


def test_with_a_trunk_sensor_time_in_bed_is_lying_only():
    sources, _ = simulate(NIGHT, [THIGH, BACK], fs_hz=10.0, start=EVENING, seed=2)
    result = analyze([SensorInput(p, s) for p, s in sources.items()])
    (bed,) = periods(result, "in_bed")
    assert bed["evidence"] == "thigh and trunk"
    assert abs(bed["start_s"] - LIE_START) <= 60
    assert abs(bed["end_s"] - LIE_END) <= 60


def test_non_wear_inside_the_night_does_not_cut_it():
    rules = activity_rules().rest
    act = np.full(10 * 3600, int(Activity.SIT), dtype=np.int8)
    act[:1800] = int(Activity.WALK)
    act[3 * 3600 : 5 * 3600] = int(Activity.NONWEAR)  # a still stretch flagged as non-wear
    act[-1800:] = int(Activity.WALK)
    sd = np.where(act == Activity.WALK, 0.3, 0.005)
    start = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    out = rest_periods(act, sd, start, rules, trunk=False)
    bed = [p for p in out if p.kind == "in_bed"]
    assert len(bed) == 1
    assert bed[0].start == 1800
    assert bed[0].end == 10 * 3600 - 1800


def test_a_day_at_a_desk_or_an_evening_on_the_sofa_is_not_time_in_bed():
    rules = activity_rules().rest
    act = np.full(8 * 3600, int(Activity.SIT), dtype=np.int8)
    for hour in (8, 17):  # 08:00-16:00 at a desk; 17:00-01:00 on the sofa, then off to bed
        start = datetime(2026, 3, 3, hour, 0, tzinfo=UTC)
        out = rest_periods(act, np.full(act.shape, 0.005), start, rules, trunk=False)
        assert out == [], hour
