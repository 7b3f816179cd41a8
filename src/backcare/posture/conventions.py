"""The one place for reference frames, sign conventions, channel names and units.

Reference frame (gravity-aligned, right-handed, metres)
-------------------------------------------------------
``x`` points forward (the person's anterior direction when standing in neutral), ``y`` points to
the person's **left**, ``z`` points **up** (against gravity). Landmark arrays are ``(..., 3)`` in
this frame. Adapters (camera backends, sensor readers) convert their native frames into it.

Angles (degrees)
----------------
Every angle channel is in degrees. Zero is the neutral upright posture (standing straight, arms
hanging, head level, elbows and knees straight) after any per-person calibration.

========================  ==================================================================
sign                      meaning
========================  ==================================================================
flexion  > 0              bending forward (trunk, neck, upper arm, wrist); extension < 0
lateral  > 0              bending to the person's **right**
twist    > 0              upper part rotated to the person's **left** relative to the lower
                          part (counter-clockwise seen from above)
elevation                 unsigned angle of the upper arm from the trunk axis, 0..180
abduction > 0             upper arm moved sideways away from the body
elbow/knee flexion        0 = straight, 90 = right angle
inclination               unsigned angle of a segment from the vertical, 0..180
========================  ==================================================================

Missing values are ``NaN``: never zero. A channel that was not measured at all is absent from the
series rather than filled with NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "CHANNELS",
    "LYING",
    "SITTING",
    "UPRIGHT",
    "Activity",
    "ChannelSpec",
]


@dataclass(frozen=True)
class ChannelSpec:
    """What a channel holds."""

    name: str
    unit: str
    description: str
    low: float
    high: float


def _angle(name: str, description: str, low: float = -180.0, high: float = 180.0) -> ChannelSpec:
    return ChannelSpec(name, "deg", description, low, high)


CHANNELS: dict[str, ChannelSpec] = {
    spec.name: spec
    for spec in (
        _angle("trunk_flexion", "trunk sagittal angle from vertical; + forward, - backward"),
        _angle("trunk_lateral", "trunk side bend from vertical in the frontal plane; + right"),
        _angle("trunk_twist", "shoulder line vs hip line about the trunk axis; + to the left"),
        _angle("trunk_inclination", "trunk axis angle from vertical, unsigned", 0.0, 180.0),
        _angle("neck_flexion", "head/neck relative to trunk, sagittal; + forward"),
        _angle("neck_lateral", "head/neck side bend relative to trunk; + right"),
        _angle("neck_twist", "head rotation relative to the shoulder line; + to the left"),
        _angle(
            "head_inclination",
            "shoulder-mid to ear-mid line from vertical, sagittal; + forward (needs no hips)",
        ),
        _angle("upper_arm_elevation_left", "left upper arm from trunk axis", 0.0, 180.0),
        _angle("upper_arm_elevation_right", "right upper arm from trunk axis", 0.0, 180.0),
        _angle("upper_arm_flexion_left", "left upper arm, sagittal; + forward, - backward"),
        _angle("upper_arm_flexion_right", "right upper arm, sagittal; + forward, - backward"),
        _angle("upper_arm_abduction_left", "left upper arm, frontal plane; + away from body"),
        _angle("upper_arm_abduction_right", "right upper arm, frontal plane; + away from body"),
        _angle("elbow_flexion_left", "left elbow; 0 straight", 0.0, 180.0),
        _angle("elbow_flexion_right", "right elbow; 0 straight", 0.0, 180.0),
        _angle("wrist_flexion_left", "left wrist; + flexion, - extension"),
        _angle("wrist_flexion_right", "right wrist; + flexion, - extension"),
        _angle("knee_flexion_left", "left knee; 0 straight", 0.0, 180.0),
        _angle("knee_flexion_right", "right knee; 0 straight", 0.0, 180.0),
        _angle("shoulder_asymmetry", "tilt of the shoulder line; + right shoulder higher", -90, 90),
        ChannelSpec("hand_load", "kg", "load held in the hands", 0.0, 500.0),
    )
}


class Activity(IntEnum):
    """Activity per sample (int8 in a series). Numbering is stable: it is stored in files."""

    UNKNOWN = 0
    NONWEAR = 1
    LIE = 2
    SIT = 3
    STAND = 4
    MOVE = 5
    WALK = 6
    RUN = 7
    STAIRS = 8
    CYCLE = 9
    LIE_SUPINE = 10
    LIE_PRONE = 11
    LIE_SIDE = 12
    KNEEL = 13

    @property
    def label(self) -> str:
        return self.name.lower()


LYING = frozenset({Activity.LIE, Activity.LIE_SUPINE, Activity.LIE_PRONE, Activity.LIE_SIDE})
SITTING = frozenset({Activity.SIT})
UPRIGHT = frozenset(
    {Activity.STAND, Activity.MOVE, Activity.WALK, Activity.RUN, Activity.STAIRS, Activity.KNEEL}
)
