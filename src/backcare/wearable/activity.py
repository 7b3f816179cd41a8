"""Per-second activity from a thigh accelerometer, refined by a trunk sensor (Acti4 / ActiPASS).

Decision rules (numbers in ``knowledge/data/wearable/activity.yaml``)
----------------------------------------------------------------------
Per second, from the thigh after calibration and reference rotation: inclination ``Inc`` of the
thigh from vertical, its forward angle ``FB`` (hip flexion positive, as in Acti4), the SD of the
long axis ``SDx`` and the largest SD of the three axes ``SDmax`` over a 2 s window (activity
low-pass), and the step frequency: half the zero crossings per second, over 4 s, of the long axis
band-passed to Acti4's walking step band (1.5-2.5 Hz).

==========  ======================================================================  ========
activity    rule (evaluated in this order, each mask median-filtered twice)         bout [s]
==========  ======================================================================  ========
row         moving (SDx > 0.1 g) with Inc > 90 deg (reported as ``move``)             15
cycle       moving, Inc < 90 deg, FB > 40 deg                                         15
stairs      0.1 < SDx < 0.72 g, Inc < 45 deg, walking FB + 4 deg < FB < 40 deg        5
run         SDx > 0.72 g, Inc < 45 deg                                                2
walk        0.1 < SDx < 0.72 g, Inc < 45 deg, FB < walking FB + 4 deg                 2
stand       Inc < 45 deg, SDmax < 0.1 g                                               2
sit         Inc > 45 deg                                                              5
move        anything else while worn                                                  2
==========  ======================================================================  ========

"walking FB" is the median FB of the seconds with 0.25 < SDx < 0.72 g and FB < 25 deg (Acti4's
stair threshold). Walking with a step frequency above 2.5 steps/s becomes running. The cycling
refinement by the lateral high/low-frequency ratio (Acti4, 2019) is not implemented.

Lying: with the thigh alone, a sitting bout is lying when the thigh's rotation about its long
axis (20 s moving mean) exceeds 65 deg somewhere in the bout (Hettiarachchi et al. 2021); the
bout is first split where that mean rotation changes by more than 30 deg (sitting, then lying
down on the side without standing up, stays sitting until the turn). With a
trunk sensor, a sitting second is lying when the trunk is inclined beyond 45 deg, and sitting
otherwise; lying is then split by the trunk's roll about its long axis: supine when the chest
faces up within 45 deg, prone when it faces down within 45 deg, side otherwise.

After the median filters, bouts no longer than their class's minimum take the label of the
bout before them (Acti4's final bout filter, with ActiMotus's "no longer than"). Non-wear
seconds are ``nonwear``; seconds without data are ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter1d

from backcare.knowledge import load
from backcare.knowledge.wearable import ActivityDocument, BoutRules
from backcare.posture.angles import SegmentAngles, SensorAxes
from backcare.posture.conventions import Activity
from backcare.wearable.features import SecondFeatures
from backcare.wearable.intensity import intensity_classes, summary, walking_pace
from backcare.wearable.nonwear import runs
from backcare.wearable.orientation import components

__all__ = ["ThighSignals", "activity_rules", "classify", "thigh_signals"]

F64 = NDArray[np.float64]
_STEP_WINDOW_S = 4


def activity_rules() -> ActivityDocument:
    doc: ActivityDocument = load("wearable/activity.yaml", ActivityDocument)
    return doc


@dataclass(frozen=True)
class ThighSignals:
    """Per-second inputs of the decision rules."""

    inclination: F64
    fb: F64
    sd_long: F64
    sd_max: F64
    step_hz: F64
    rotation: F64
    valid: NDArray[np.bool_]


def thigh_signals(
    features: SecondFeatures,
    axes: SensorAxes,
    angles: SegmentAngles,
    rotated_gravity: F64,
    sd: F64,
    rotation_window_s: int,
) -> ThighSignals:
    """The per-second signals of the thigh rules (see the module docstring).

    ``sd`` is the per-axis SD [g] of the activity signal over the rules' window
    (:func:`backcare.wearable.nonwear.window_sd`).
    """
    long_axis = "xyz".index(axes.down[1])
    cross = features.crossings.astype(np.float64)
    # two zero crossings per step in the step band (Acti4's 1.5-2.5 Hz walking band)
    steps = uniform_filter1d(cross, _STEP_WINDOW_S, mode="nearest") / 2.0
    _, a_fwd, a_left = components(rotated_gravity, axes)
    fwd_m = uniform_filter1d(np.nan_to_num(a_fwd), rotation_window_s, mode="nearest")
    left_m = uniform_filter1d(np.nan_to_num(a_left), rotation_window_s, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        rotation = np.degrees(np.abs(np.arcsin(left_m / np.hypot(left_m, fwd_m))))
    return ThighSignals(
        inclination=angles.inclination,
        fb=-angles.forward,
        sd_long=sd[:, long_axis],
        sd_max=np.nanmax(np.where(np.isnan(sd), -np.inf, sd), axis=1),
        step_hz=steps,
        rotation=np.nan_to_num(rotation),
        valid=features.valid & ~np.isnan(sd).any(axis=1) & ~np.isnan(angles.inclination),
    )


def _split_at_turns(rotation: F64, window_s: int, turn_deg: float) -> list[tuple[int, int]]:
    """Pieces of a sitting bout between turns of the thigh about its long axis.

    ``rotation`` is the bout's ``window_s``-mean rotation [deg]; a turn is where the mean over the
    window after a second differs from the one before it by more than ``turn_deg``; each run of
    such seconds is cut at its largest change.
    """
    n = rotation.shape[0]
    h = window_s // 2
    if n <= 2 * h:
        return [(0, n)]
    change = np.zeros(n)
    change[h : n - h] = np.abs(rotation[2 * h :] - rotation[: n - 2 * h])
    cuts = [0]
    t_starts, t_ends = runs(change > turn_deg)
    for a, b in zip(t_starts.tolist(), t_ends.tolist(), strict=True):
        cuts.append(a + int(np.argmax(change[a:b])))
    cuts.append(n)
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _median_binary(mask: NDArray[np.bool_], bout_s: int) -> NDArray[np.bool_]:
    """Median filter of a 0/1 series, window ``2 * bout_s - 1``, applied twice (Acti4)."""
    w = 2 * bout_s - 1
    out = mask
    for _ in range(2):
        out = uniform_filter1d(out.astype(np.float64), w, mode="nearest") > 0.5
    return out


def _remove_short_bouts(codes: NDArray[np.int8], ok: NDArray[np.bool_], bouts: BoutRules) -> None:
    """Bouts no longer than their class's minimum take the label before them (after them at the
    start of a worn stretch), class by class as in Acti4 (``<=`` as ActiMotus); in place."""
    order = (
        (Activity.CYCLE, bouts.cycle),
        (Activity.STAIRS, bouts.stairs),
        (Activity.RUN, bouts.run),
        (Activity.WALK, bouts.walk),
        (Activity.MOVE, bouts.move),
        (Activity.STAND, bouts.stand),
        (Activity.SIT, bouts.sit),
    )
    n = codes.shape[0]
    for code, bout in order:
        starts, ends = runs((codes == code) & ok)
        short = (ends - starts) <= bout
        for s, e in zip(starts[short].tolist(), ends[short].tolist(), strict=True):
            if s > 0 and ok[s - 1]:
                codes[s:e] = codes[s - 1]
            elif e < n and ok[e]:
                codes[s:e] = codes[e]


def classify(
    thigh: ThighSignals,
    worn: NDArray[np.bool_],
    *,
    trunk_angles: SegmentAngles | None = None,
    trunk_gravity: F64 | None = None,
    trunk_axes: SensorAxes | None = None,
) -> tuple[NDArray[np.int8], dict[str, Any]]:
    """Activity code per second (:class:`~backcare.posture.conventions.Activity`) and details.

    Parameters
    ----------
    thigh
        Thigh signals from :func:`thigh_signals`.
    worn
        Per-second wear mask of the thigh sensor (non-wear seconds become ``nonwear``).
    trunk_angles, trunk_gravity, trunk_axes
        The trunk sensor's angles, rotated gravity ``(n, 3)`` and axes, if one was worn.
    """
    doc = activity_rules()
    th, bouts, lying = doc.thresholds, doc.bouts, doc.lying
    inc, fb, sdx, sdm = thigh.inclination, thigh.fb, thigh.sd_long, thigh.sd_max
    ok = thigh.valid & worn
    with np.errstate(invalid="ignore"):
        moving = sdx > th.still_move_sd_g
        walking_sd = sdx > th.walk_min_sd_g
        lo, hi = th.walk_reference_sd_g
        ref = ok & (sdx > lo) & (sdx < hi) & (fb < th.walk_reference_max_forward_deg)
        n_ref = int(ref.sum())
        if n_ref >= max(th.walk_reference_min_s, 10):
            walk_fb: float = float(np.median(fb[ref]))
            stair_reference = f"walking in this recording ({n_ref} s)"
        else:
            walk_fb = th.default_walk_forward_deg
            stair_reference = (
                f"default walking thigh angle {walk_fb:g} deg (only {n_ref} s of walking, "
                f"{th.walk_reference_min_s} s needed)"
            )
        v_stair = th.stair_above_walk_deg + walk_fb
        st, sc, wr = th.sit_stand_inclination_deg, th.stair_cycle_forward_deg, th.walk_run_sd_g
        step = thigh.step_hz
        running = (sdx > wr) | ((sdx > th.run_support_sd_g) & (step > th.run_support_step_hz))
        masks = [
            ("row", moving & (inc > th.row_inclination_deg), bouts.row, Activity.MOVE),
            (
                "cycle",
                moving & (inc < th.row_inclination_deg) & (fb > sc),
                bouts.cycle,
                Activity.CYCLE,
            ),
            (
                "stairs",
                moving & ~running & (inc < st) & (fb > v_stair) & (fb < sc),
                bouts.stairs,
                Activity.STAIRS,
            ),
            ("run", running & (inc < st), bouts.run, Activity.RUN),
            # stair-angle seconds that do not form a stairs bout are walking, not "move"
            ("walk", walking_sd & ~running & (inc < st) & (fb < sc), bouts.walk, Activity.WALK),
            ("stand", (inc < st) & (sdm < th.still_move_sd_g), bouts.stand, Activity.STAND),
            ("sit", inc > st, bouts.sit, Activity.SIT),
        ]
    out = np.full(inc.shape[0], int(Activity.MOVE), dtype=np.int8)
    taken = ~ok
    for _, mask, bout, code in masks:
        m = _median_binary(mask & ok, bout) & ~taken
        out[m] = int(code)
        taken |= m
    # fast walking is running
    out[(out == Activity.WALK) & (step > th.run_step_frequency_hz)] = int(Activity.RUN)
    _remove_short_bouts(out, ok, bouts)
    pace = walking_pace(out, step, doc.intensity)
    details: dict[str, Any] = {
        "walking_thigh_forward_deg": walk_fb,
        "stair_threshold_deg": v_stair,
        "stair_reference": stair_reference,
    }
    sitting = out == Activity.SIT
    if trunk_angles is not None and trunk_gravity is not None and trunk_axes is not None:
        t_inc = trunk_angles.inclination
        with np.errstate(invalid="ignore"):
            lie = sitting & (t_inc > lying.trunk_inclination_deg)
        _, a_fwd, a_left = components(trunk_gravity, trunk_axes)
        roll = np.degrees(np.arctan2(a_left, a_fwd))  # 0: chest up, +-180: chest down
        side = lying.side_sector_deg
        out[lie & (np.abs(roll) <= side)] = int(Activity.LIE_SUPINE)
        out[lie & (np.abs(roll) >= 180 - side)] = int(Activity.LIE_PRONE)
        out[lie & (np.abs(roll) > side) & (np.abs(roll) < 180 - side)] = int(Activity.LIE_SIDE)
        details["lying_rule"] = "trunk inclination"
    else:
        starts, ends = runs(sitting)
        rotated = thigh.rotation > lying.thigh_rotation_deg
        w = lying.thigh_rotation_window_s
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            for a, b in _split_at_turns(thigh.rotation[s:e], w, lying.turn_split_deg):
                if rotated[s + a : s + b].any():
                    out[s + a : s + b] = int(Activity.LIE)
        details["lying_rule"] = "thigh rotation"
    out[~worn] = int(Activity.NONWEAR)
    out[~thigh.valid] = int(Activity.UNKNOWN)
    details.update(summary(pace, intensity_classes(out, pace, doc.intensity)))
    return out, details
