"""backcare's angles read off an analysed frame, and how far two angles lie apart."""

from __future__ import annotations

import math
from typing import Any


def same_arm(ref: dict[str, float], got: dict[str, Any]) -> dict[str, float]:
    """The reference's arm angles on the side backcare scored when it saw one arm only.

    A rater scores the side the camera sees; so does backcare when the far arm is hidden. The
    reference then gives that arm (not the more raised of both) for the upper-arm error and the
    reference score."""
    out = dict(ref)
    knee = ref.get(f"knee_flexion_{got.get('knee_side')}", math.nan)
    if math.isfinite(knee):  # likewise the one knee backcare saw, not the more bent of both
        out["knee_flexion"] = knee
    seen = got.get("arm_side")
    if seen not in ("left", "right"):
        return out
    flex = ref.get(f"upper_arm_flexion_{seen}", math.nan)
    if not math.isfinite(flex):
        return out
    return {**out, "upper_arm_flexion": flex, "elbow_flexion": ref[f"elbow_flexion_{seen}"]}


def measured(analysis: Any, frame: int = 0) -> dict[str, Any]:
    """backcare's angles in one analysed frame (the only one of a photo)."""
    s = analysis.series

    def get(name: str) -> float:
        v = s.get(name)
        return float(v[frame]) if v is not None else math.nan

    out: dict[str, Any] = {
        "trunk_flexion": get("trunk_flexion"),
        "neck_flexion": get("neck_flexion"),
    }
    arms = [(get(f"upper_arm_flexion_{x}"), x) for x in ("left", "right")]
    arms = [a for a in arms if math.isfinite(a[0])]
    for value, side in arms:
        out[f"upper_arm_flexion_{side}"] = value
    raised = max(arms, key=lambda t: abs(t[0])) if arms else (math.nan, "")
    out["upper_arm_flexion"] = raised[0]
    out["elbow_flexion"] = get(f"elbow_flexion_{raised[1]}") if arms else math.nan
    if len(arms) == 1:
        out["arm_side"] = arms[0][1]
    knees = [(get(f"knee_flexion_{x}"), x) for x in ("left", "right")]
    knees = [k for k in knees if math.isfinite(k[0])]
    out["knee_flexion"] = max(knees)[0] if knees else math.nan
    if len(knees) == 1:
        out["knee_side"] = knees[0][1]
    return out


def angle_error(a: float, b: float) -> float:
    """Absolute difference of two angles in degrees, the short way round the circle.

    An arm raised straight overhead reads near +180 (flexion) or near -180 (extension) as it
    tips a little forward or back; those lie a few degrees apart, not 360."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


def reba_gap(a_low: float, a_high: float, b_low: float, b_high: float) -> float:
    """Points between two REBA ranges ``low..high``: 0 when they share a score (a single score
    ``value`` is the range ``value..value``)."""
    return max(0.0, max(a_low, b_low) - min(a_high, b_high))
