"""REBA (Rapid Entire Body Assessment, Hignett & McAtamney 2000): manual and per frame.

:func:`reba` scores one posture entered by hand (:class:`RebaInputs`) and returns every
intermediate score. :func:`reba_series` scores every frame of a
:class:`~backcare.posture.series.PostureSeries` with the same tables, vectorised (table lookups
by fancy indexing, no loop over frames). Bands, adjustments, tables and action levels come from
``knowledge/data/ergonomics/reba.yaml``; the rules that turn measured angles into the observer's
judgements from ``series-rules.yaml``.

Per frame
---------
* trunk: ``trunk_flexion``; +1 when ``|trunk_twist|`` or ``|trunk_lateral|`` passes its
  threshold. Neck likewise from the ``neck_*`` channels.
* legs: ``TaskInputs.legs`` for the base score; knee points from the more flexed knee
  (``knee_flexion_left``/``_right``), not added on frames whose activity is ``sit``.
* arms, per side: ``upper_arm_flexion_<side>`` band, +1 when ``upper_arm_abduction_<side>``
  passes its threshold (or ``TaskInputs.upper_arm_rotated``), +1 when ``shoulder_asymmetry``
  shows that side's shoulder raised, -1 when ``TaskInputs.arm_supported`` (never below 1);
  ``elbow_flexion_<side>``; ``wrist_flexion_<side>``, +1 for ``TaskInputs.wrist_deviated`` or
  ``wrist_twisted``.
* **worse side**: the side with the higher table-B score is reported (ties: right), which gives
  the higher final score because table C never decreases along score B.
* load from ``TaskInputs.load_kg`` or the ``hand_load`` channel; coupling and shock from the task.
* activity: static / repeated / rapid from :func:`~backcare.posture.ergo_timing.timing_flags`
  over all channels (or the task's overrides); ``TaskInputs.unstable_base`` counts as rapid.

Missing data: see :mod:`backcare.posture.ergo_common` (score 0 when not computable; partial
frames are ranges from ``score`` to ``score_max``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from backcare.knowledge.ergonomics import RebaTables
from backcare.posture.conventions import CHANNELS, Activity
from backcare.posture.ergo_common import (
    ChannelReader,
    Coupling,
    FramesMixin,
    FrameStatus,
    Judged,
    LegWeightBearing,
    TaskInputs,
    forget_arm,
    judge,
    load_array,
    override,
    reba_tables,
    series_rules,
    status_of,
    unseen_arms,
    worst_where,
)
from backcare.posture.ergo_timing import TimingFlags, timing_flags
from backcare.posture.series import PostureSeries

__all__ = [
    "FrameStatus",
    "RebaFrames",
    "RebaInputs",
    "RebaResult",
    "TaskInputs",
    "reba",
    "reba_series",
]

IntArray = NDArray[np.int8]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.floating[Any]]


def _angle(channel: str) -> Any:
    spec = CHANNELS[channel]
    return Field(ge=spec.low, le=spec.high, description=f"{spec.description} [deg]")


class RebaInputs(BaseModel):
    """One posture for the manual REBA calculator (angles in degrees, signs as in conventions).

    Flexion is positive, extension negative; ``lower_arm_flexion_deg`` and ``knee_flexion_deg``
    are joint angles (0 = straight).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    trunk_flexion_deg: Annotated[float, _angle("trunk_flexion")]
    trunk_twisted: bool = False
    trunk_side_bent: bool = False
    neck_flexion_deg: Annotated[float, _angle("neck_flexion")]
    neck_twisted: bool = False
    neck_side_bent: bool = False
    legs: LegWeightBearing = "bilateral"
    sitting: bool = False
    knee_flexion_deg: Annotated[float, _angle("knee_flexion_left")] = 0.0
    upper_arm_flexion_deg: Annotated[float, _angle("upper_arm_flexion_left")]
    upper_arm_abducted: bool = False
    upper_arm_rotated: bool = False
    shoulder_raised: bool = False
    arm_supported: bool = False
    lower_arm_flexion_deg: Annotated[float, _angle("elbow_flexion_left")]
    wrist_flexion_deg: Annotated[float, _angle("wrist_flexion_left")]
    wrist_deviated: bool = False
    wrist_twisted: bool = False
    load_kg: float = Field(default=0.0, ge=0, le=500)
    shock: bool = False
    coupling: Coupling = "good"
    static: bool = False
    repeated: bool = False
    rapid_or_unstable: bool = False


class RebaResult(BaseModel):
    """Every intermediate REBA score of one posture."""

    model_config = ConfigDict(frozen=True)

    trunk: int
    neck: int
    legs: int
    upper_arm: int
    lower_arm: int
    wrist: int
    table_a: int
    load: int
    score_a: int
    table_b: int
    coupling: int
    score_b: int
    table_c: int
    activity: int
    score: int
    action_level: int
    risk: str
    action: str


# -- the scoring kernel (shared by the manual calculator and the series) ------------------------


def _as8(x: NDArray[Any]) -> IntArray:
    return x.astype(np.int8)


def _group_a(
    t: RebaTables,
    trunk_deg: FloatArray,
    trunk_adj: BoolArray,
    neck_deg: FloatArray,
    neck_adj: BoolArray,
    legs_base: NDArray[Any],
    knee_deg: FloatArray,
    sitting: BoolArray,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    adj = t.adjustments.points
    trunk = t.trunk.score_array(trunk_deg) + adj["trunk_twisted_or_side_bent"] * trunk_adj
    neck = t.neck.score_array(neck_deg) + adj["neck_twisted_or_side_bent"] * neck_adj
    knee = np.where(sitting, 0, t.knee.score_array(knee_deg))
    legs = legs_base + knee
    table = t.table_a.array()[neck - 1, trunk - 1, legs - 1]
    return _as8(trunk), _as8(neck), _as8(legs), _as8(table)


def _group_b(
    t: RebaTables,
    upper_deg: FloatArray,
    abducted_or_rotated: BoolArray,
    shoulder_raised: BoolArray,
    supported: BoolArray,
    lower_deg: FloatArray,
    wrist_deg: FloatArray,
    wrist_adj: BoolArray,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    adj = t.adjustments.points
    upper = (
        t.upper_arm.score_array(upper_deg).astype(np.int16)
        + adj["upper_arm_abducted_or_rotated"] * abducted_or_rotated
        + adj["shoulder_raised"] * shoulder_raised
        + adj["arm_supported"] * supported
    )
    upper = np.maximum(upper, 1)
    lower = t.lower_arm.score_array(lower_deg)
    wrist = t.wrist.score_array(wrist_deg) + adj["wrist_deviated_or_twisted"] * wrist_adj
    table = t.table_b.array()[lower - 1, upper - 1, wrist - 1]
    return _as8(upper), _as8(lower), _as8(wrist), _as8(table)


def _combine(
    t: RebaTables,
    table_a: IntArray,
    load_kg: FloatArray,
    shock: bool,
    table_b: IntArray,
    coupling: int,
    activity: NDArray[Any],
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]:
    load = t.load.score_array(load_kg) + t.adjustments.points["shock"] * int(shock)
    score_a = table_a + load
    score_b = table_b + coupling
    table_c = t.table_c.array()[score_a - 1, score_b - 1]
    score = table_c + activity
    level = t.action_levels.level_lookup()[score]
    return _as8(load), _as8(score_a), _as8(score_b), _as8(table_c), _as8(score), _as8(level)


def _one(x: float) -> FloatArray:
    return np.asarray([x], dtype=np.float64)


def _flag(x: bool) -> BoolArray:
    return np.asarray([x], dtype=bool)


def reba(inputs: RebaInputs) -> RebaResult:
    """Score one posture entered by hand.

    Parameters
    ----------
    inputs
        Angles [deg], flags, load [kg], coupling and activity of the posture.

    Returns
    -------
    RebaResult
        Body-part scores, tables A, B and C, scores A and B, activity, the REBA score and its
        action level (0-4) with risk and action labels.
    """
    t = reba_tables()
    trunk, neck, legs, table_a = _group_a(
        t,
        _one(inputs.trunk_flexion_deg),
        _flag(inputs.trunk_twisted or inputs.trunk_side_bent),
        _one(inputs.neck_flexion_deg),
        _flag(inputs.neck_twisted or inputs.neck_side_bent),
        np.asarray([t.legs.points[inputs.legs]]),
        _one(inputs.knee_flexion_deg),
        _flag(inputs.sitting),
    )
    upper, lower, wrist, table_b = _group_b(
        t,
        _one(inputs.upper_arm_flexion_deg),
        _flag(inputs.upper_arm_abducted or inputs.upper_arm_rotated),
        _flag(inputs.shoulder_raised),
        _flag(inputs.arm_supported),
        _one(inputs.lower_arm_flexion_deg),
        _one(inputs.wrist_flexion_deg),
        _flag(inputs.wrist_deviated or inputs.wrist_twisted),
    )
    act = t.activity.points
    activity = (
        act["static"] * inputs.static
        + act["repeated"] * inputs.repeated
        + act["rapid_or_unstable"] * inputs.rapid_or_unstable
    )
    coupling = t.coupling.points[inputs.coupling]
    load, score_a, score_b, table_c, score, level = _combine(
        t, table_a, _one(inputs.load_kg), inputs.shock, table_b, coupling, np.asarray([activity])
    )
    lv = t.action_levels.for_score(int(score[0]))
    return RebaResult(
        trunk=int(trunk[0]),
        neck=int(neck[0]),
        legs=int(legs[0]),
        upper_arm=int(upper[0]),
        lower_arm=int(lower[0]),
        wrist=int(wrist[0]),
        table_a=int(table_a[0]),
        load=int(load[0]),
        score_a=int(score_a[0]),
        table_b=int(table_b[0]),
        coupling=coupling,
        score_b=int(score_b[0]),
        table_c=int(table_c[0]),
        activity=activity,
        score=int(score[0]),
        action_level=int(level[0]),
        risk=lv.risk,
        action=lv.action,
    )


# -- per frame ------------------------------------------------------------------------------------

#: Angles [deg] that give the highest band of each unseen part, for the highest possible score.
_WORST = {"upper_arm": 170.0, "elbow": 0.0, "wrist": 90.0, "knee": 90.0}


def _either(a: Judged, b: Judged) -> Judged:
    """One adjustment for either of two items (twisted or side bent)."""
    yes = a.yes | b.yes
    return Judged(yes=yes, unknown=(a.unknown | b.unknown) & ~yes)


@dataclass(frozen=True, eq=False)
class RebaFrames(FramesMixin):
    """REBA per frame. Every array has one entry per frame of the series.

    ``score`` (int8) is 0 and ``action_level`` -1 where ``status`` is
    :attr:`~FrameStatus.NOT_COMPUTABLE`; ``status`` :attr:`~FrameStatus.PARTIAL` marks a frame
    with unknown inputs, whose score lies between ``score`` (the lowest possible, with its
    ``action_level``) and ``score_max`` (the highest possible, with ``action_level_max``); a
    complete frame has ``score_max == score``. The body-part scores are those of the lowest;
    ``missing`` holds the missing or unsure channels as bits (``missing_channels(i)``,
    ``reason(i)``).
    ``side`` is the arm reported: 0 left, 1 right, -1 none. ``static``, ``repeated`` and
    ``rapid`` are the activity items as applied (task overrides included).
    """

    score: IntArray
    action_level: IntArray
    score_max: IntArray
    action_level_max: IntArray
    status: IntArray
    missing: NDArray[np.uint32]
    side: IntArray
    trunk: IntArray
    neck: IntArray
    legs: IntArray
    upper_arm: IntArray
    lower_arm: IntArray
    wrist: IntArray
    table_a: IntArray
    load: IntArray
    score_a: IntArray
    table_b: IntArray
    score_b: IntArray
    table_c: IntArray
    activity: IntArray
    static: BoolArray
    repeated: BoolArray
    rapid: BoolArray


def reba_series(
    series: PostureSeries, task: TaskInputs, *, timing: TimingFlags | None = None
) -> RebaFrames:
    """REBA for every frame of ``series``.

    Parameters
    ----------
    series
        Posture angles [deg] per frame (channels as in :mod:`~backcare.posture.conventions`).
    task
        What the series cannot show: load, coupling, flags, timing overrides, neutral defaults.
    timing
        Precomputed :func:`~backcare.posture.ergo_timing.timing_flags` of ``series`` (computed
        when not given; pass it to share it with :func:`~backcare.posture.rula.rula_series`).

    Returns
    -------
    RebaFrames
        Arrays per frame; see the module docstring for how channels are used.

    Raises
    ------
    InputError
        When the load is unknown (no ``task.load_kg`` and no ``hand_load`` channel).
    """
    t = reba_tables()
    rules = series_rules()
    n = len(series)
    reader = ChannelReader(series, task.assume_neutral)
    failed = np.zeros(n, dtype=bool)

    def required(name: str) -> FloatArray:
        values, miss = reader.read(name)
        reader.mark(name, miss)
        failed[:] |= miss
        return values

    trunk_deg = required("trunk_flexion")
    neck_deg = required("neck_flexion")
    trunk_j = _either(
        judge(reader, task, "trunk_twist", rules.twisted.value_deg),
        judge(reader, task, "trunk_lateral", rules.side_bent.value_deg),
    )
    neck_j = _either(
        judge(reader, task, "neck_twist", rules.twisted.value_deg),
        judge(reader, task, "neck_lateral", rules.side_bent.value_deg),
    )
    knee = np.fmax(reader.optional("knee_flexion_left"), reader.optional("knee_flexion_right"))
    knee_unknown = np.isnan(knee)
    sitting = series.activity == Activity.SIT
    legs_base = np.full(n, t.legs.points[task.legs], dtype=np.int16)
    trunk, neck, legs, table_a = _group_a(
        t, trunk_deg, trunk_j.low, neck_deg, neck_j.low, legs_base, knee, sitting
    )
    *_, table_a_hi = _group_a(
        t,
        trunk_deg,
        trunk_j.high,
        neck_deg,
        neck_j.high,
        legs_base,
        worst_where(knee, knee_unknown, _WORST["knee"]),
        sitting,
    )

    raised = {
        "left": judge(reader, task, "shoulder_asymmetry", rules.shoulder_raised.value_deg, "neg"),
        "right": judge(reader, task, "shoulder_asymmetry", rules.shoulder_raised.value_deg, "pos"),
    }
    supported = np.full(n, task.arm_supported)
    wrist_flag = np.full(n, task.wrist_deviated or task.wrist_twisted)
    wrist_edge = float(t.wrist.edges[-1])
    sides = {}
    sides_hi = {}
    ok = {}
    for arm in ("left", "right"):
        ua_name, el_name = f"upper_arm_flexion_{arm}", f"elbow_flexion_{arm}"
        ua, ua_miss = reader.read(ua_name)
        el, el_miss = reader.read(el_name)
        reader.mark(ua_name, ua_miss)
        reader.mark(el_name, el_miss)
        ok[arm] = ~(ua_miss | el_miss)
        abducted = judge(
            reader, task, f"upper_arm_abduction_{arm}", rules.upper_arm_abducted.value_deg, "pos"
        )
        rotated = task.upper_arm_rotated
        wrist_deg, _ = reader.read(f"wrist_flexion_{arm}")
        wrist_j = judge(reader, task, f"wrist_flexion_{arm}", wrist_edge)
        sides[arm] = _group_b(
            t,
            ua,
            abducted.low | rotated,
            raised[arm].low,
            supported,
            el,
            np.where(wrist_j.unknown, 0.0, wrist_deg),
            wrist_flag,
        )
        # highest possible: an unseen arm may be raised, bent and twisted at the wrist
        sides_hi[arm] = _group_b(
            t,
            worst_where(ua, ua_miss, _WORST["upper_arm"]),
            abducted.high | rotated,
            raised[arm].high,
            supported,
            worst_where(el, el_miss, _WORST["elbow"]),
            worst_where(wrist_deg, wrist_j.unknown, _WORST["wrist"]),
            wrist_flag,
        )
    failed |= ~(ok["left"] | ok["right"])
    right = ok["right"] & (~ok["left"] | (sides["right"][3] >= sides["left"][3]))
    upper, lower, wrist, table_b = (
        np.where(right, r, lft) for r, lft in zip(sides["right"], sides["left"], strict=True)
    )
    unseen = unseen_arms(task, ok)
    for arm in ("left", "right"):
        forget_arm(reader, arm, unseen[arm])
    table_b_hi = np.maximum(
        np.where(unseen["left"], 0, sides_hi["left"][3]),
        np.where(unseen["right"], 0, sides_hi["right"][3]),
    )

    flags = timing if timing is not None else timing_flags(series, rules)
    static = override(task.static, flags.any_static())
    repeated = override(task.repeated, flags.any_repeated())
    rapid = override(task.rapid, flags.any_rapid()) | task.unstable_base
    act = t.activity.points
    activity = (
        act["static"] * static + act["repeated"] * repeated + act["rapid_or_unstable"] * rapid
    )
    load_kg = load_array(series, task, reader)
    coupling = t.coupling.points[task.coupling]
    load, score_a, score_b, table_c, score, level = _combine(
        t, table_a, load_kg, task.shock, table_b, coupling, activity
    )
    *_, score_hi, level_hi = _combine(
        t, table_a_hi, load_kg, task.shock, table_b_hi, coupling, activity
    )
    score_hi = np.maximum(score_hi, score)
    level_hi = np.maximum(level_hi, level)
    score_hi[failed] = 0
    level_hi[failed] = -1

    side = np.where(right, 1, 0).astype(np.int8)
    side[failed] = -1
    parts = [
        trunk,
        neck,
        legs,
        upper,
        lower,
        wrist,
        table_a,
        load,
        score_a,
        table_b,
        score_b,
        table_c,
        score,
    ]
    for arr in parts:
        arr[failed] = 0
    level[failed] = -1
    act8 = activity.astype(np.int8)
    act8[failed] = 0
    return RebaFrames(
        score=score,
        action_level=level,
        score_max=score_hi,
        action_level_max=level_hi,
        status=status_of(reader.missing, failed),
        missing=reader.missing,
        side=side,
        trunk=trunk,
        neck=neck,
        legs=legs,
        upper_arm=upper,
        lower_arm=lower,
        wrist=wrist,
        table_a=table_a,
        load=load,
        score_a=score_a,
        table_b=table_b,
        score_b=score_b,
        table_c=table_c,
        activity=act8,
        static=static,
        repeated=repeated,
        rapid=rapid,
    )
