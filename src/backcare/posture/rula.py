"""RULA (Rapid Upper Limb Assessment, McAtamney & Corlett 1993): manual and per frame.

:func:`rula` scores one posture entered by hand (:class:`RulaInputs`); :func:`rula_series`
scores every frame of a :class:`~backcare.posture.series.PostureSeries`, vectorised. Tables come
from ``knowledge/data/ergonomics/rula.yaml``; table A is the version printed in the 1993 paper
(see the comment at the top of that file for the other published version).

Per frame
---------
* group A, per side: ``upper_arm_flexion_<side>`` band, +1 shoulder raised (from
  ``shoulder_asymmetry``), +1 abducted (``upper_arm_abduction_<side>``), -1
  ``TaskInputs.arm_supported`` (never below 1); ``elbow_flexion_<side>``, +1 when
  ``TaskInputs.lower_arm_across_midline`` or ``lower_arm_out_to_side``;
  ``wrist_flexion_<side>``, +1 ``TaskInputs.wrist_deviated``; wrist twist from
  ``TaskInputs.wrist_twist``.
* **worse side**: the side with the higher score C is reported (ties: right); the grand score
  never decreases along score C, so this is the worse side's grand score.
* group B: ``neck_flexion`` (+1 twisted, +1 side bent from ``neck_twist``/``neck_lateral``),
  ``trunk_flexion`` (+1 twisted, +1 side bent; trunk 1 on sitting frames when
  ``TaskInputs.trunk_supported_when_sitting``), legs from ``TaskInputs.legs_supported``.
* muscle use, separately for group A (upper arm, elbow and wrist channels of either side) and
  group B (trunk and neck): static or repeated by the timing rules, or the task's overrides.
* force/load from ``TaskInputs.load_kg`` or ``hand_load``, ``load_pattern`` and ``shock``; the
  same force score is added to score C and score D.

Missing data: see :mod:`backcare.posture.ergo_common`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from backcare.knowledge.ergonomics import RulaTables
from backcare.posture.conventions import CHANNELS, Activity
from backcare.posture.ergo_common import (
    ChannelReader,
    FramesMixin,
    FrameStatus,
    LoadPattern,
    TaskInputs,
    WristTwist,
    forget_arm,
    judge,
    load_array,
    override,
    rula_tables,
    series_rules,
    status_of,
    unseen_arms,
    worst_where,
)
from backcare.posture.ergo_timing import TimingFlags, timing_flags
from backcare.posture.series import PostureSeries

__all__ = [
    "ARM_CHANNELS",
    "BODY_CHANNELS",
    "FrameStatus",
    "RulaFrames",
    "RulaInputs",
    "RulaResult",
    "TaskInputs",
    "rula",
    "rula_series",
]

IntArray = NDArray[np.int8]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.floating[Any]]

ARM_CHANNELS: frozenset[str] = frozenset(
    f"{part}_{side}"
    for part in ("upper_arm_flexion", "elbow_flexion", "wrist_flexion")
    for side in ("left", "right")
)
"""Channels whose timing flags give group A's muscle use."""

BODY_CHANNELS: frozenset[str] = frozenset({"trunk_flexion", "neck_flexion"})
"""Channels whose timing flags give group B's muscle use."""


def _angle(channel: str) -> Any:
    spec = CHANNELS[channel]
    return Field(ge=spec.low, le=spec.high, description=f"{spec.description} [deg]")


class RulaInputs(BaseModel):
    """One posture (one side) for the manual RULA calculator; angles in degrees, flexion > 0."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    upper_arm_flexion_deg: Annotated[float, _angle("upper_arm_flexion_left")]
    shoulder_raised: bool = False
    upper_arm_abducted: bool = False
    arm_supported: bool = False
    lower_arm_flexion_deg: Annotated[float, _angle("elbow_flexion_left")]
    lower_arm_across_midline: bool = False
    lower_arm_out_to_side: bool = False
    wrist_flexion_deg: Annotated[float, _angle("wrist_flexion_left")]
    wrist_deviated: bool = False
    wrist_twist: WristTwist = "mid_range"
    neck_flexion_deg: Annotated[float, _angle("neck_flexion")]
    neck_twisted: bool = False
    neck_side_bent: bool = False
    trunk_flexion_deg: Annotated[float, _angle("trunk_flexion")]
    trunk_twisted: bool = False
    trunk_side_bent: bool = False
    trunk_supported_sitting: bool = False
    legs_supported: bool = True
    static_arm: bool = False
    repeated_arm: bool = False
    static_body: bool = False
    repeated_body: bool = False
    load_kg: float = Field(default=0.0, ge=0, le=500)
    load_pattern: LoadPattern = "intermittent"
    shock: bool = False


class RulaResult(BaseModel):
    """Every intermediate RULA score of one posture."""

    model_config = ConfigDict(frozen=True)

    upper_arm: int
    lower_arm: int
    wrist: int
    wrist_twist: int
    table_a: int
    muscle_use_a: int
    force: int
    score_c: int
    neck: int
    trunk: int
    legs: int
    table_b: int
    muscle_use_b: int
    score_d: int
    score: int
    action_level: int
    risk: str
    action: str


# -- the scoring kernel ---------------------------------------------------------------------------


def _as8(x: NDArray[Any]) -> IntArray:
    return x.astype(np.int8)


def _group_a(
    t: RulaTables,
    upper_deg: FloatArray,
    raised: BoolArray,
    abducted: BoolArray,
    supported: BoolArray,
    lower_deg: FloatArray,
    lower_adj: BoolArray,
    wrist_deg: FloatArray,
    wrist_adj: BoolArray,
    twist: int,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    adj = t.adjustments.points
    upper = (
        t.upper_arm.score_array(upper_deg).astype(np.int16)
        + adj["shoulder_raised"] * raised
        + adj["upper_arm_abducted"] * abducted
        + adj["arm_supported"] * supported
    )
    upper = np.maximum(upper, 1)
    lower = t.lower_arm.score_array(lower_deg) + (
        adj["lower_arm_across_midline_or_out_to_side"] * lower_adj
    )
    wrist = t.wrist.score_array(wrist_deg) + adj["wrist_deviated"] * wrist_adj
    table = t.table_a.array()[upper - 1, lower - 1, wrist - 1, twist - 1]
    return _as8(upper), _as8(lower), _as8(wrist), _as8(table)


def _group_b(
    t: RulaTables,
    neck_deg: FloatArray,
    neck_twisted: BoolArray,
    neck_side: BoolArray,
    trunk_deg: FloatArray,
    trunk_twisted: BoolArray,
    trunk_side: BoolArray,
    trunk_supported: BoolArray,
    legs: int,
) -> tuple[IntArray, IntArray, IntArray]:
    adj = t.adjustments.points
    neck = (
        t.neck.score_array(neck_deg)
        + adj["neck_twisted"] * neck_twisted
        + adj["neck_side_bent"] * neck_side
    )
    base = np.where(trunk_supported, t.trunk.min_score, t.trunk.score_array(trunk_deg))
    trunk = base + adj["trunk_twisted"] * trunk_twisted + adj["trunk_side_bent"] * trunk_side
    table = t.table_b.array()[neck - 1, trunk - 1, legs - 1]
    return _as8(neck), _as8(trunk), _as8(table)


def _force(t: RulaTables, load_kg: FloatArray, pattern: LoadPattern, shock: bool) -> IntArray:
    if shock:
        return np.full(load_kg.shape, t.force.shock, dtype=np.int8)
    return t.force.scale(pattern).score_array(load_kg)


def _grand(
    t: RulaTables, score_c: NDArray[Any], score_d: NDArray[Any]
) -> tuple[IntArray, IntArray]:
    rows, cols = t.table_c.shape
    c = np.minimum(score_c, rows) - 1
    d = np.minimum(score_d, cols) - 1
    grand = t.table_c.array()[c, d]
    return grand, t.action_levels.level_lookup()[grand]


def _one(x: float) -> FloatArray:
    return np.asarray([x], dtype=np.float64)


def _flag(x: bool) -> BoolArray:
    return np.asarray([x], dtype=bool)


def rula(inputs: RulaInputs) -> RulaResult:
    """Score one posture (one side) entered by hand.

    Parameters
    ----------
    inputs
        Angles [deg], flags, muscle use per group, load [kg] and its pattern.

    Returns
    -------
    RulaResult
        Body-part scores, tables A and B, muscle use and force, scores C and D, the grand score
        (1-7) and its action level (1-4) with labels.
    """
    t = rula_tables()
    twist = t.wrist_twist.points[inputs.wrist_twist]
    upper, lower, wrist, table_a = _group_a(
        t,
        _one(inputs.upper_arm_flexion_deg),
        _flag(inputs.shoulder_raised),
        _flag(inputs.upper_arm_abducted),
        _flag(inputs.arm_supported),
        _one(inputs.lower_arm_flexion_deg),
        _flag(inputs.lower_arm_across_midline or inputs.lower_arm_out_to_side),
        _one(inputs.wrist_flexion_deg),
        _flag(inputs.wrist_deviated),
        twist,
    )
    legs = t.legs.points["supported" if inputs.legs_supported else "unsupported"]
    neck, trunk, table_b = _group_b(
        t,
        _one(inputs.neck_flexion_deg),
        _flag(inputs.neck_twisted),
        _flag(inputs.neck_side_bent),
        _one(inputs.trunk_flexion_deg),
        _flag(inputs.trunk_twisted),
        _flag(inputs.trunk_side_bent),
        _flag(inputs.trunk_supported_sitting),
        legs,
    )
    point = t.muscle_use.points["static_or_repeated"]
    muscle_a = point * (inputs.static_arm or inputs.repeated_arm)
    muscle_b = point * (inputs.static_body or inputs.repeated_body)
    force = int(_force(t, _one(inputs.load_kg), inputs.load_pattern, inputs.shock)[0])
    score_c = int(table_a[0]) + muscle_a + force
    score_d = int(table_b[0]) + muscle_b + force
    grand, level = _grand(t, np.asarray([score_c]), np.asarray([score_d]))
    lv = t.action_levels.for_score(int(grand[0]))
    return RulaResult(
        upper_arm=int(upper[0]),
        lower_arm=int(lower[0]),
        wrist=int(wrist[0]),
        wrist_twist=twist,
        table_a=int(table_a[0]),
        muscle_use_a=muscle_a,
        force=force,
        score_c=score_c,
        neck=int(neck[0]),
        trunk=int(trunk[0]),
        legs=legs,
        table_b=int(table_b[0]),
        muscle_use_b=muscle_b,
        score_d=score_d,
        score=int(grand[0]),
        action_level=int(level[0]),
        risk=lv.risk,
        action=lv.action,
    )


# -- per frame ------------------------------------------------------------------------------------

#: Angles [deg] that give the highest band of each unseen part, for the highest possible score.
_WORST = {"upper_arm": 170.0, "elbow": 0.0, "wrist": 90.0}


@dataclass(frozen=True, eq=False)
class RulaFrames(FramesMixin):
    """RULA per frame; conventions as :class:`~backcare.posture.reba.RebaFrames`.

    ``score`` is the grand score (0 where not computable, action level -1 there), the lowest
    possible where inputs are unknown; ``score_max``/``action_level_max`` the highest possible;
    ``side`` the arm reported (0 left, 1 right, -1 none); ``muscle_use_a``/``_b`` the points
    applied.
    """

    score: IntArray
    action_level: IntArray
    score_max: IntArray
    action_level_max: IntArray
    status: IntArray
    missing: NDArray[np.uint32]
    side: IntArray
    upper_arm: IntArray
    lower_arm: IntArray
    wrist: IntArray
    wrist_twist: IntArray
    table_a: IntArray
    muscle_use_a: IntArray
    force: IntArray
    score_c: IntArray
    neck: IntArray
    trunk: IntArray
    legs: IntArray
    table_b: IntArray
    muscle_use_b: IntArray
    score_d: IntArray


def rula_series(
    series: PostureSeries, task: TaskInputs, *, timing: TimingFlags | None = None
) -> RulaFrames:
    """RULA for every frame of ``series``.

    Parameters
    ----------
    series
        Posture angles [deg] per frame.
    task
        What the series cannot show (load and pattern, wrist twist, lower-arm position, legs...).
    timing
        Precomputed :func:`~backcare.posture.ergo_timing.timing_flags` of ``series``.

    Returns
    -------
    RulaFrames
        Arrays per frame; see the module docstring.

    Raises
    ------
    InputError
        When the load is unknown (no ``task.load_kg`` and no ``hand_load`` channel).
    """
    t = rula_tables()
    rules = series_rules()
    n = len(series)
    reader = ChannelReader(series, task.assume_neutral)
    failed = np.zeros(n, dtype=bool)

    def required(name: str) -> FloatArray:
        values, miss = reader.read(name)
        reader.mark(name, miss)
        failed[:] |= miss
        return values

    flags = timing if timing is not None else timing_flags(series, rules)
    point = t.muscle_use.points["static_or_repeated"]
    arm_use = override(task.static, flags.any_static(ARM_CHANNELS)) | override(
        task.repeated, flags.any_repeated(ARM_CHANNELS)
    )
    body_use = override(task.static, flags.any_static(BODY_CHANNELS)) | override(
        task.repeated, flags.any_repeated(BODY_CHANNELS)
    )
    muscle_a = (point * arm_use).astype(np.int8)
    muscle_b = (point * body_use).astype(np.int8)
    force = _force(t, load_array(series, task, reader), task.load_pattern, task.shock)

    neck_deg = required("neck_flexion")
    trunk_deg = required("trunk_flexion")
    sitting_supported = (series.activity == Activity.SIT) & task.trunk_supported_when_sitting
    legs = t.legs.points["supported" if task.legs_supported else "unsupported"]
    body = [
        judge(reader, task, "neck_twist", rules.twisted.value_deg),
        judge(reader, task, "neck_lateral", rules.side_bent.value_deg),
        judge(reader, task, "trunk_twist", rules.twisted.value_deg),
        judge(reader, task, "trunk_lateral", rules.side_bent.value_deg),
    ]
    nt, ns, tt, ts = (j.low for j in body)
    neck, trunk, table_b = _group_b(t, neck_deg, nt, ns, trunk_deg, tt, ts, sitting_supported, legs)
    nt, ns, tt, ts = (j.high for j in body)
    *_, table_b_hi = _group_b(t, neck_deg, nt, ns, trunk_deg, tt, ts, sitting_supported, legs)
    score_d = table_b + muscle_b + force
    score_d_hi = table_b_hi + muscle_b + force

    raised = {
        "left": judge(reader, task, "shoulder_asymmetry", rules.shoulder_raised.value_deg, "neg"),
        "right": judge(reader, task, "shoulder_asymmetry", rules.shoulder_raised.value_deg, "pos"),
    }
    supported = np.full(n, task.arm_supported)
    lower_adj = np.full(n, task.lower_arm_across_midline or task.lower_arm_out_to_side)
    wrist_adj = np.full(n, task.wrist_deviated)
    twist = t.wrist_twist.points[task.wrist_twist]
    wrist_edge = float(t.wrist.edges[-1])
    sides = {}
    score_c_hi = np.zeros(n, dtype=np.int16)
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
        wrist_deg, _ = reader.read(f"wrist_flexion_{arm}")
        wrist_j = judge(reader, task, f"wrist_flexion_{arm}", wrist_edge)
        sides[arm] = _group_a(
            t,
            ua,
            raised[arm].low,
            abducted.low,
            supported,
            el,
            lower_adj,
            np.where(wrist_j.unknown, 0.0, wrist_deg),
            wrist_adj,
            twist,
        )
        *_, table_a_hi = _group_a(
            t,
            worst_where(ua, ua_miss, _WORST["upper_arm"]),
            raised[arm].high,
            abducted.high,
            supported,
            worst_where(el, el_miss, _WORST["elbow"]),
            lower_adj,
            worst_where(wrist_deg, wrist_j.unknown, _WORST["wrist"]),
            wrist_adj,
            twist,
        )
        sides_hi[arm] = table_a_hi + muscle_a + force
    unseen = unseen_arms(task, ok)
    for arm in ("left", "right"):
        forget_arm(reader, arm, unseen[arm])
        score_c_hi = np.maximum(score_c_hi, np.where(unseen[arm], 0, sides_hi[arm]))
    failed |= ~(ok["left"] | ok["right"])
    score_c_side = {s: sides[s][3] + muscle_a + force for s in sides}
    right = ok["right"] & (~ok["left"] | (score_c_side["right"] >= score_c_side["left"]))
    upper, lower, wrist, table_a = (
        np.where(right, r, lft) for r, lft in zip(sides["right"], sides["left"], strict=True)
    )
    score_c = np.where(right, score_c_side["right"], score_c_side["left"])
    grand, level = _grand(t, score_c, score_d)
    grand_hi, level_hi = _grand(t, score_c_hi, score_d_hi)
    grand_hi = np.maximum(grand_hi, grand)
    level_hi = np.maximum(level_hi, level)

    side = np.where(right, 1, 0).astype(np.int8)
    side[failed] = -1
    out = {
        "score": grand.astype(np.int8),
        "action_level": level.astype(np.int8),
        "score_max": grand_hi.astype(np.int8),
        "action_level_max": level_hi.astype(np.int8),
        "upper_arm": upper,
        "lower_arm": lower,
        "wrist": wrist,
        "wrist_twist": np.full(n, twist, dtype=np.int8),
        "table_a": table_a,
        "muscle_use_a": muscle_a,
        "force": force.astype(np.int8),
        "score_c": score_c.astype(np.int8),
        "neck": neck,
        "trunk": trunk,
        "legs": np.full(n, legs, dtype=np.int8),
        "table_b": table_b,
        "muscle_use_b": muscle_b,
        "score_d": score_d.astype(np.int8),
    }
    for name, arr in out.items():
        arr[failed] = -1 if name.startswith("action_level") else 0
    return RulaFrames(
        status=status_of(reader.missing, failed),
        missing=reader.missing,
        side=side,
        **out,
    )
