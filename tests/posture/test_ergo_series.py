"""Per-frame REBA and RULA: equal to the manual calculators frame by frame; missing data rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backcare.errors import InputError
from backcare.posture import Activity, PostureSeries, SeriesMeta
from backcare.posture.ergo_common import (
    ASSUMABLE_CHANNELS,
    READ_CHANNELS,
    FrameStatus,
    TaskInputs,
    decode_missing,
    series_rules,
)
from backcare.posture.reba import RebaInputs, reba, reba_series
from backcare.posture.rula import RulaInputs, rula, rula_series

# value ranges [deg or kg] and values on band edges, per channel
RANGES = {
    "trunk_flexion": (-60, 120, [-20, -5, 5, 20, 60]),
    "neck_flexion": (-40, 60, [-5, 10, 20]),
    "upper_arm_flexion_left": (-60, 180, [-20, 20, 45, 90]),
    "upper_arm_flexion_right": (-60, 180, [-20, 20, 45, 90]),
    "elbow_flexion_left": (0, 170, [60, 100]),
    "elbow_flexion_right": (0, 170, [60, 100]),
    "wrist_flexion_left": (-70, 70, [-15, -5, 5, 15]),
    "wrist_flexion_right": (-70, 70, [-15, -5, 5, 15]),
    "knee_flexion_left": (0, 150, [30, 60]),
    "knee_flexion_right": (0, 150, [30, 60]),
    "trunk_lateral": (-30, 30, [-10, 10]),
    "trunk_twist": (-40, 40, [-10, 10]),
    "neck_lateral": (-30, 30, [-10, 10]),
    "neck_twist": (-60, 60, [-10, 10]),
    "upper_arm_abduction_left": (-20, 150, [20]),
    "upper_arm_abduction_right": (-20, 150, [20]),
    "shoulder_asymmetry": (-25, 25, [-10, 10]),
    "hand_load": (0, 25, [2, 5, 10]),
}
ACTIVITIES = [Activity.UNKNOWN, Activity.SIT, Activity.STAND, Activity.WALK]


def make_series(seed: int, present: frozenset[str], nan_fraction: float, n: int) -> PostureSeries:
    rng = np.random.default_rng(seed)
    values = {}
    for name in present:
        low, high, edges = RANGES[name]
        x = rng.uniform(low, high, n)
        on_edge = rng.random(n) < 0.3
        x[on_edge] = rng.choice(edges, on_edge.sum())
        x[rng.random(n) < nan_fraction] = np.nan
        values[name] = x
    activity = rng.choice(np.array(ACTIVITIES, dtype=np.int8), n)
    return PostureSeries(
        np.arange(n, dtype=float), values, activity=activity, meta=SeriesMeta(source="simulated")
    )


@st.composite
def cases(draw):
    seed = draw(st.integers(0, 2**31))
    optional = sorted(set(READ_CHANNELS) - {"hand_load"} - {"trunk_flexion", "neck_flexion"})
    present = frozenset(draw(st.sets(st.sampled_from(optional)))) | {
        "trunk_flexion",
        "neck_flexion",
    }
    from_channel = draw(st.booleans())
    if from_channel:
        present = present | {"hand_load"}
    nan_fraction = draw(st.sampled_from([0.0, 0.1, 0.4]))
    n = draw(st.integers(1, 25))
    task = TaskInputs(
        coupling=draw(st.sampled_from(["good", "fair", "poor", "unacceptable"])),
        load_kg=None if from_channel else draw(st.sampled_from([0.0, 2.0, 5.0, 7.5, 10.0, 12.0])),
        shock=draw(st.booleans()),
        load_pattern=draw(st.sampled_from(["intermittent", "static", "repeated"])),
        legs=draw(st.sampled_from(["bilateral", "unilateral"])),
        legs_supported=draw(st.booleans()),
        arm_supported=draw(st.booleans()),
        upper_arm_rotated=draw(st.booleans()),
        lower_arm_across_midline=draw(st.booleans()),
        wrist_deviated=draw(st.booleans()),
        wrist_twisted=draw(st.booleans()),
        wrist_twist=draw(st.sampled_from(["mid_range", "end_of_range"])),
        trunk_supported_when_sitting=draw(st.booleans()),
        unstable_base=draw(st.booleans()),
        static=draw(st.sampled_from([None, True, False])),
        repeated=draw(st.sampled_from([None, True, False])),
        assume_neutral=frozenset(draw(st.sets(st.sampled_from(sorted(ASSUMABLE_CHANNELS))))),
    )
    return make_series(seed, present, nan_fraction, n), task


def value(series: PostureSeries, task: TaskInputs, name: str, i: int) -> float:
    """The channel's value as the manual calculator gets it (NaN/absent -> neutral 0)."""
    arr = series.get(name)
    x = np.nan if arr is None else float(arr[i])
    return 0.0 if np.isnan(x) else x


def expected_missing(series, task, i, names) -> set[str]:
    out = set()
    for name in names:
        arr = series.get(name)
        if name in task.assume_neutral:
            continue
        if arr is None or np.isnan(arr[i]):
            out.add(name)
    return out


def side_ok(series, side, i) -> bool:
    return all(
        series.get(c) is not None and not np.isnan(series[c][i])
        for c in (f"upper_arm_flexion_{side}", f"elbow_flexion_{side}")
    )


def required_ok(series, i) -> bool:
    return all(not np.isnan(series[c][i]) for c in ("trunk_flexion", "neck_flexion")) and (
        side_ok(series, "left", i) or side_ok(series, "right", i)
    )


def worse(series, i, results, key):
    ok = {s: side_ok(series, s, i) for s in ("left", "right")}
    right = ok["right"] and (not ok["left"] or key(results["right"]) >= key(results["left"]))
    return ("right", results["right"]) if right else ("left", results["left"])


def check_status(frames, series, task, i, names):
    missing = expected_missing(series, task, i, names)
    assert set(frames.missing_channels(i)) == missing
    if not required_ok(series, i):
        assert frames.status[i] == FrameStatus.NOT_COMPUTABLE
        assert frames.score[i] == 0
        assert frames.action_level[i] == -1
        assert frames.side[i] == -1
        return False
    assert frames.status[i] == (FrameStatus.PARTIAL if missing else FrameStatus.COMPLETE)
    return True


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REBA_READS = [c for c in READ_CHANNELS if c != "hand_load"]


@SETTINGS
@given(cases())
def test_reba_per_frame_equals_the_manual_calculator(case):
    series, task = case
    frames = reba_series(series, task)
    rules = series_rules()
    reads = REBA_READS + (["hand_load"] if task.load_kg is None else [])
    for i in range(len(series)):
        if not check_status(frames, series, task, i, reads):
            continue

        def v(name: str, i: int = i) -> float:
            return value(series, task, name, i)

        tilt = v("shoulder_asymmetry")
        results = {}
        for side, raised in (("left", tilt < -10), ("right", tilt > 10)):
            results[side] = reba(
                RebaInputs(
                    trunk_flexion_deg=v("trunk_flexion"),
                    trunk_twisted=abs(v("trunk_twist")) > rules.twisted.value_deg,
                    trunk_side_bent=abs(v("trunk_lateral")) > rules.side_bent.value_deg,
                    neck_flexion_deg=v("neck_flexion"),
                    neck_twisted=abs(v("neck_twist")) > 10,
                    neck_side_bent=abs(v("neck_lateral")) > 10,
                    legs=task.legs,
                    sitting=series.activity[i] == Activity.SIT,
                    knee_flexion_deg=max(v("knee_flexion_left"), v("knee_flexion_right")),
                    upper_arm_flexion_deg=v(f"upper_arm_flexion_{side}"),
                    upper_arm_abducted=v(f"upper_arm_abduction_{side}") > 20,
                    upper_arm_rotated=task.upper_arm_rotated,
                    shoulder_raised=raised,
                    arm_supported=task.arm_supported,
                    lower_arm_flexion_deg=v(f"elbow_flexion_{side}"),
                    wrist_flexion_deg=v(f"wrist_flexion_{side}"),
                    wrist_deviated=task.wrist_deviated,
                    wrist_twisted=task.wrist_twisted,
                    load_kg=task.load_kg if task.load_kg is not None else v("hand_load"),
                    shock=task.shock,
                    coupling=task.coupling,
                    static=bool(frames.static[i]),
                    repeated=bool(frames.repeated[i]),
                    rapid_or_unstable=bool(frames.rapid[i]),
                )
            )
        side, r = worse(series, i, results, lambda res: res.table_b)
        assert frames.side[i] == (1 if side == "right" else 0)
        got = {
            k: int(getattr(frames, k)[i])
            for k in (
                "trunk",
                "neck",
                "legs",
                "upper_arm",
                "lower_arm",
                "wrist",
                "table_a",
                "load",
                "score_a",
                "table_b",
                "score_b",
                "table_c",
                "activity",
                "score",
                "action_level",
            )
        }
        assert got == {k: getattr(r, k) for k in got}
        if task.unstable_base:
            assert frames.rapid[i]
        if task.static is not None:
            assert frames.static[i] == task.static


@SETTINGS
@given(cases())
def test_rula_per_frame_equals_the_manual_calculator(case):
    series, task = case
    frames = rula_series(series, task)
    reads = [c for c in READ_CHANNELS if not c.startswith("knee") and c != "hand_load"]
    reads += ["hand_load"] if task.load_kg is None else []
    for i in range(len(series)):
        if not check_status(frames, series, task, i, reads):
            continue

        def v(name: str, i: int = i) -> float:
            return value(series, task, name, i)

        tilt = v("shoulder_asymmetry")
        results = {}
        for side, raised in (("left", tilt < -10), ("right", tilt > 10)):
            results[side] = rula(
                RulaInputs(
                    upper_arm_flexion_deg=v(f"upper_arm_flexion_{side}"),
                    shoulder_raised=raised,
                    upper_arm_abducted=v(f"upper_arm_abduction_{side}") > 20,
                    arm_supported=task.arm_supported,
                    lower_arm_flexion_deg=v(f"elbow_flexion_{side}"),
                    lower_arm_across_midline=task.lower_arm_across_midline,
                    lower_arm_out_to_side=task.lower_arm_out_to_side,
                    wrist_flexion_deg=v(f"wrist_flexion_{side}"),
                    wrist_deviated=task.wrist_deviated,
                    wrist_twist=task.wrist_twist,
                    neck_flexion_deg=v("neck_flexion"),
                    neck_twisted=abs(v("neck_twist")) > 10,
                    neck_side_bent=abs(v("neck_lateral")) > 10,
                    trunk_flexion_deg=v("trunk_flexion"),
                    trunk_twisted=abs(v("trunk_twist")) > 10,
                    trunk_side_bent=abs(v("trunk_lateral")) > 10,
                    trunk_supported_sitting=bool(
                        task.trunk_supported_when_sitting and series.activity[i] == Activity.SIT
                    ),
                    legs_supported=task.legs_supported,
                    static_arm=bool(frames.muscle_use_a[i]),
                    static_body=bool(frames.muscle_use_b[i]),
                    load_kg=task.load_kg if task.load_kg is not None else v("hand_load"),
                    load_pattern=task.load_pattern,
                    shock=task.shock,
                )
            )
        side, r = worse(series, i, results, lambda res: res.score_c)
        assert frames.side[i] == (1 if side == "right" else 0)
        got = {
            k: int(getattr(frames, k)[i])
            for k in (
                "upper_arm",
                "lower_arm",
                "wrist",
                "wrist_twist",
                "table_a",
                "muscle_use_a",
                "force",
                "score_c",
                "neck",
                "trunk",
                "legs",
                "table_b",
                "muscle_use_b",
                "score_d",
                "score",
                "action_level",
            )
        }
        assert got == {k: getattr(r, k) for k in got}


# -- explicit cases -------------------------------------------------------------------------------


def full_series(n: int = 5, **over: float) -> PostureSeries:
    base = dict.fromkeys(READ_CHANNELS, 0.0)
    base.update({"elbow_flexion_left": 80.0, "elbow_flexion_right": 80.0})
    base.update(over)
    return PostureSeries(np.arange(n, dtype=float), {k: np.full(n, v) for k, v in base.items()})


TASK = TaskInputs(coupling="good", load_kg=0)


def test_a_complete_neutral_series_scores_one_everywhere():
    reb = reba_series(full_series(), TASK)
    assert (reb.score == 1).all()
    assert (reb.status == FrameStatus.COMPLETE).all()
    assert (reb.action_level == 0).all()
    rul = rula_series(full_series(), TASK)
    assert (rul.score == 1).all()
    assert (rul.action_level == 1).all()
    assert reb.counts() == {"complete": 5, "partial": 0, "not_computable": 0}


def test_missing_required_channel_makes_the_frame_not_computable_with_its_reason():
    s = full_series()
    trunk = np.zeros(5)
    trunk[2] = np.nan
    frames = reba_series(s.replace(values={"trunk_flexion": trunk}), TASK)
    assert frames.score.tolist() == [1, 1, 0, 1, 1]
    assert frames.action_level[2] == -1
    assert frames.missing_channels(2) == ("trunk_flexion",)
    assert frames.reason(2) == "not computable: missing trunk_flexion"
    assert frames.reason(0) == "complete"


def test_one_arm_missing_uses_the_other_and_marks_the_frame_partial():
    s = full_series(upper_arm_flexion_right=100.0).replace(drop=("elbow_flexion_left",))
    frames = reba_series(s, TASK)
    assert (frames.side == 1).all()
    assert (frames.upper_arm == 4).all()
    assert (frames.status == FrameStatus.PARTIAL).all()
    assert "elbow_flexion_left" in frames.reason(0)
    both = s.replace(drop=("elbow_flexion_right",))
    assert (reba_series(both, TASK).status == FrameStatus.NOT_COMPUTABLE).all()


def test_seen_side_rule_scores_the_measured_arm_without_widening_for_the_hidden_one():
    far = ("upper_arm_flexion_left", "elbow_flexion_left", "upper_arm_abduction_left")
    s = full_series(upper_arm_flexion_right=30.0).replace(drop=(*far, "wrist_flexion_left"))
    seen = TaskInputs(coupling="good", load_kg=0, score_side="seen")
    for score in (reba_series, rula_series):
        worse = score(s, TASK)
        assert (worse.score_max > worse.score).all()  # the hidden arm may be the worse one
        near = score(s, seen)
        assert (near.side == 1).all()
        assert (near.score == worse.score).all()
        assert (near.score_max == near.score).all()
        assert (near.status == FrameStatus.COMPLETE).all()
        # what is unknown on the scored side still widens the range
        raised = s.replace(values={"upper_arm_flexion_right": np.full(5, 100.0)})
        unsure = score(raised.replace(drop=("wrist_flexion_right",)), seen)
        assert (unsure.status == FrameStatus.PARTIAL).all()
        assert unsure.missing_channels(0) == ("wrist_flexion_right",)
        if score is reba_series:
            assert (unsure.score_max > unsure.score).all()
    # both arms seen: the worse one, as before
    both = full_series(upper_arm_flexion_left=100.0, upper_arm_flexion_right=10.0)
    assert (reba_series(both, seen).side == 0).all()


def test_missing_optional_channel_is_a_marked_lower_bound_unless_assumed_neutral():
    s = full_series(wrist_flexion_left=40.0, wrist_flexion_right=40.0)
    complete = reba_series(s, TASK)
    without = s.replace(drop=("wrist_flexion_left", "wrist_flexion_right"))
    partial = reba_series(without, TASK)
    assert (partial.status == FrameStatus.PARTIAL).all()
    assert (partial.score <= complete.score).all()
    assert (partial.wrist == 1).all()
    assumed = TaskInputs(
        coupling="good", load_kg=0, assume_neutral={"wrist_flexion_left", "wrist_flexion_right"}
    )
    neutral = reba_series(without, assumed)
    assert (neutral.status == FrameStatus.COMPLETE).all()
    assert (neutral.wrist == 1).all()


def test_required_channels_cannot_be_assumed_neutral():
    with pytest.raises(ValueError, match="trunk_flexion"):
        TaskInputs(coupling="good", assume_neutral={"trunk_flexion"})


def test_worse_side_is_reported():
    s = full_series(upper_arm_flexion_left=100.0, upper_arm_flexion_right=10.0)
    assert (reba_series(s, TASK).side == 0).all()
    assert (rula_series(s, TASK).side == 0).all()
    assert (rula_series(s, TASK).upper_arm == 4).all()


def test_thresholds_turn_angles_into_adjustments():
    s = full_series(
        trunk_twist=12.0,
        neck_lateral=-11.0,
        upper_arm_abduction_right=30.0,
        shoulder_asymmetry=15.0,
    )
    reb = reba_series(s, TASK)
    assert (reb.trunk == 2).all()
    assert (reb.neck == 2).all()
    assert (reb.upper_arm == 3).all()  # right: abducted + raised
    assert (reb.side == 1).all()
    below = full_series(trunk_twist=10.0, shoulder_asymmetry=-10.0)
    assert (reba_series(below, TASK).trunk == 1).all()
    assert (reba_series(below, TASK).upper_arm == 1).all()


def test_load_from_the_hand_load_channel_or_an_error():
    s = full_series(hand_load=12.0)
    frames = reba_series(s, TaskInputs(coupling="good"))
    assert (frames.load == 2).all()
    assert (rula_series(s, TaskInputs(coupling="good")).force == 2).all()
    with pytest.raises(InputError, match="load is unknown"):
        reba_series(s.replace(drop=("hand_load",)), TaskInputs(coupling="good"))
    zero = TaskInputs(coupling="good", assume_neutral={"hand_load"})
    assert (reba_series(s.replace(drop=("hand_load",)), zero).load == 0).all()


def test_knees_do_not_count_while_sitting():
    s = full_series(knee_flexion_left=90.0)
    sit = s.replace(activity=np.full(5, Activity.SIT, dtype=np.int8))
    assert (reba_series(s, TASK).legs == 3).all()
    assert (reba_series(sit, TASK).legs == 1).all()


def test_timing_rules_feed_the_activity_and_muscle_use_scores():
    n = 700  # 70 s at 10 Hz, everything held still
    s = PostureSeries(
        np.arange(n) / 10,
        {k: np.full(n, 0.0 if "elbow" not in k else 80.0) for k in READ_CHANNELS},
        meta=SeriesMeta(source="simulated", rate_hz=10),
    )
    reb = reba_series(s, TASK)
    held = np.arange(n) / 10 > 60.2
    assert (reb.activity[held] == 1).all()
    assert (reb.activity[np.arange(n) / 10 <= 60] == 0).all()
    rul = rula_series(s, TASK)
    assert (rul.muscle_use_a[held] == 1).all()
    assert (rul.muscle_use_b[held] == 1).all()
    off = rula_series(s, TaskInputs(coupling="good", load_kg=0, static=False))
    assert (off.muscle_use_a == 0).all()


def test_frames_to_table_and_missing_mask_decoding():
    frames = rula_series(full_series().replace(drop=("neck_twist",)), TASK)
    table = frames.to_frame()
    assert len(table) == 5
    assert {"score", "status", "missing", "side", "score_c", "score_d"} <= set(table.columns)
    assert decode_missing(int(table["missing"][0])) == ("neck_twist",)


def test_empty_series():
    empty = PostureSeries(np.zeros(0), {k: np.zeros(0) for k in READ_CHANNELS})
    assert len(reba_series(empty, TASK)) == 0
    assert len(rula_series(empty, TASK)) == 0
