"""The decision rules on hand-made per-second signals (thresholds from the knowledge data)."""

from __future__ import annotations

import numpy as np
import pytest

from backcare.posture.conventions import Activity
from backcare.wearable.activity import ThighSignals, activity_rules, classify

RULES = activity_rules().thresholds
N = 120


def signals(**kw: float) -> ThighSignals:
    base = {"inclination": 5.0, "fb": 5.0, "sd_long": 0.01, "sd_max": 0.01, "step_hz": 0.0,
            "rotation": 0.0}  # fmt: skip
    base.update(kw)
    return ThighSignals(
        **{k: np.full(N, v, dtype=np.float64) for k, v in base.items()},
        valid=np.ones(N, dtype=bool),
    )


def label(**kw: float) -> Activity:
    codes, _ = classify(signals(**kw), np.ones(N, dtype=bool))
    values, counts = np.unique(codes, return_counts=True)
    return Activity(int(values[np.argmax(counts)]))


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, Activity.STAND),
        ({"inclination": RULES.sit_stand_inclination_deg + 1, "fb": 80}, Activity.SIT),
        ({"inclination": RULES.sit_stand_inclination_deg - 1}, Activity.STAND),
        ({"sd_long": 0.3, "sd_max": 0.3, "fb": 10, "step_hz": 1.8}, Activity.WALK),
        ({"sd_long": 0.3, "sd_max": 0.3, "fb": 10, "step_hz": 2.8}, Activity.RUN),
        ({"sd_long": RULES.walk_run_sd_g + 0.1, "sd_max": 1.0, "fb": 10}, Activity.RUN),
        ({"sd_long": 0.3, "sd_max": 0.3, "fb": 25}, Activity.STAIRS),
        ({"sd_long": 0.3, "sd_max": 0.3, "fb": 55, "inclination": 55}, Activity.CYCLE),
        ({"sd_long": 0.05, "sd_max": 0.2}, Activity.MOVE),
        ({"sd_long": 0.3, "sd_max": 0.3, "inclination": 100, "fb": 100}, Activity.MOVE),
        ({"inclination": 88, "fb": 88, "rotation": 80}, Activity.LIE),
    ],
)
def test_decision_rules(kw, expected):
    assert label(**kw) == expected


def test_short_bouts_are_filtered_and_nonwear_and_gaps_are_marked():
    sig = signals()
    inc = sig.inclination.copy()
    inc[50:51] = 80  # a 1 s "sit" inside standing is shorter than every bout
    valid = np.ones(N, dtype=bool)
    valid[100:110] = False
    sig = ThighSignals(inc, sig.fb, sig.sd_long, sig.sd_max, sig.step_hz, sig.rotation, valid)
    worn = np.ones(N, dtype=bool)
    worn[:20] = False
    codes, _ = classify(sig, worn)
    assert (codes[:20] == Activity.NONWEAR).all()
    assert (codes[45:60] == Activity.STAND).all()
    assert (codes[100:110] == Activity.UNKNOWN).all()


def test_a_bout_no_longer_than_its_minimum_joins_its_neighbour():
    # a slow walker dips under the walking SD for two seconds: a 2 s "move" bout is not longer
    # than move's 2 s minimum, so it stays walking (ActiMotus's rule); three seconds are a bout
    base = signals(sd_long=0.3, sd_max=0.3, fb=10, step_hz=1.8)
    for dip, expected in ((2, Activity.WALK), (3, Activity.MOVE)):
        sd_long = base.sd_long.copy()
        sd_long[60 : 60 + dip] = 0.06  # under walk_min_sd_g, still moving (sd_max 0.3)
        sig = ThighSignals(
            base.inclination, base.fb, sd_long, base.sd_max, base.step_hz, base.rotation,
            base.valid,
        )  # fmt: skip
        codes, _ = classify(sig, np.ones(N, dtype=bool))
        assert (codes[60 : 60 + dip] == expected).all(), (dip, codes[55:68])
